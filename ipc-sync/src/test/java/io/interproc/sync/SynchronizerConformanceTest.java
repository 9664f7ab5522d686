package io.interproc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionDirectory;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code java.util.concurrent} contracts the synchronizers claim, checked the way the JSR-166
 * TCK checks them, with threads of one JVM: the signaller awaiting its own condition, more threads
 * than parties, unlock by a non-owner, reentrant reads under a waiting writer, zero permits.
 */
@Timeout(300)
class SynchronizerConformanceTest {
    static final Duration LONG = Duration.ofSeconds(60);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private RegionDirectory directory() {
        return RegionDirectory.of(dir);
    }

    static <T> CompletableFuture<T> async(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Awaits {@code condition} under {@code lock} for up to a minute; true if signalled. */
    private static CompletableFuture<Boolean> waiter(SharedLock lock, Condition condition) {
        return async(() -> {
            lock.lock();
            try {
                return condition.await(60, TimeUnit.SECONDS);
            } finally {
                lock.unlock();
            }
        });
    }

    @Test
    void shouldNotLetTheSignallerTakeTheSignalItGaveToEarlierWaiters() throws Exception {
        try (SharedLock lock = SharedLock.create(directory(), "lock", false)) {
            SharedCondition condition = lock.condition(0);
            for (int round = 0; round < 10; round++) {
                CompletableFuture<Boolean> w1 = waiter(lock, condition);
                CompletableFuture<Boolean> w2 = waiter(lock, condition);
                assertTrue(Poll.until(() -> condition.waiters() == 2, LONG));
                lock.lock();
                try {
                    condition.signal();
                    assertFalse(condition.await(100, TimeUnit.MILLISECONDS),
                        "round " + round + ": the signaller's own await must not take the signal it gave");
                } finally {
                    lock.unlock();
                }
                CompletableFuture.anyOf(w1, w2).get(30, TimeUnit.SECONDS);
                assertTrue(w1.isDone() != w2.isDone() || (w1.isDone() && w2.isDone()), "one waiter released");
                lock.lock();
                try {
                    condition.signalAll();
                    assertFalse(condition.await(50, TimeUnit.MILLISECONDS), "nor the one of signalAll");
                } finally {
                    lock.unlock();
                }
                assertTrue(w1.get(30, TimeUnit.SECONDS) && w2.get(30, TimeUnit.SECONDS), "both waiters signalled");
                assertEquals(0, condition.waiters());
            }
        }
    }

    @Test
    void shouldReleaseExactlyTheWaitersOfTheMomentAndNoLaterOne() throws Exception {
        try (SharedLock lock = SharedLock.create(directory(), "lock", true)) {
            SharedCondition condition = lock.condition(1);
            lock.lock();
            try {
                condition.signal();
                condition.signalAll();
                assertFalse(condition.await(50, TimeUnit.MILLISECONDS), "a signal with nobody waiting is not kept");
            } finally {
                lock.unlock();
            }
            List<CompletableFuture<Boolean>> early = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                early.add(waiter(lock, condition));
            }
            assertTrue(Poll.until(() -> condition.waiters() == 3, LONG));
            lock.lock();
            CompletableFuture<Boolean> late;
            try {
                condition.signalAll();
                late = waiter(lock, condition); // waits for the lock, registers after the signal
            } finally {
                lock.unlock();
            }
            for (CompletableFuture<Boolean> w : early) {
                assertTrue(w.get(30, TimeUnit.SECONDS));
            }
            assertTrue(Poll.until(() -> condition.waiters() == 1, LONG), "the late waiter waits");
            assertFalse(late.isDone(), "signalAll released a thread that started waiting after it");
            lock.lock();
            try {
                assertEquals(2, lock.getHoldCount() + 1, "reentrant holds survive nothing here");
                condition.signal();
            } finally {
                lock.unlock();
            }
            assertTrue(late.get(30, TimeUnit.SECONDS));
            assertThrows(IllegalMonitorStateException.class, condition::signal, "signal without the lock");
            assertThrows(IllegalMonitorStateException.class, () -> condition.await(1, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void shouldKeepEverySignalWhenManyThreadsWaitAndSignal() throws Exception {
        // Producers signal one consumer per item: a lost or stolen signal leaves an item unconsumed.
        try (SharedLock lock = SharedLock.create(directory(), "lock", false)) {
            SharedCondition notEmpty = lock.condition(2);
            long[] items = {0};
            int consumers = 6;
            int perConsumer = 300;
            List<CompletableFuture<Integer>> taken = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                taken.add(async(() -> {
                    int got = 0;
                    while (got < perConsumer) {
                        lock.lock();
                        try {
                            while (items[0] == 0) {
                                if (!notEmpty.await(30, TimeUnit.SECONDS)) {
                                    throw new AssertionError("a consumer waited 30 s with items owed: lost wake-up");
                                }
                            }
                            items[0]--;
                            got++;
                        } finally {
                            lock.unlock();
                        }
                    }
                    return got;
                }));
            }
            List<CompletableFuture<Integer>> producers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                producers.add(async(() -> {
                    for (int i = 0; i < consumers * perConsumer / 3; i++) {
                        lock.lock();
                        try {
                            items[0]++;
                            notEmpty.signal();
                        } finally {
                            lock.unlock();
                        }
                    }
                    return 0;
                }));
            }
            for (CompletableFuture<Integer> t : taken) {
                assertEquals(perConsumer, t.get(120, TimeUnit.SECONDS));
            }
            for (CompletableFuture<Integer> p : producers) {
                p.get(120, TimeUnit.SECONDS);
            }
            assertEquals(0, items[0]);
        }
    }

    @Test
    void shouldTripWithExactlyPartiesAndIndicesInRangeWithMoreThreadsThanParties() throws Exception {
        int parties = 2;
        int threads = 8;
        int rounds = 2500;
        try (SharedBarrier barrier = SharedBarrier.create(directory(), "b", parties)) {
            // Waiters that yield instead of sleeping arrive densely: a gap in the trip's bookkeeping
            // shows (the layout-1 barrier lost an arrival here within seconds).
            barrier.waitStrategy(io.interproc.core.WaitStrategy.blocking(0, Integer.MAX_VALUE,
                io.interproc.core.WaitStrategy.DEFAULT_SLICE));
            AtomicLongArray perIndex = new AtomicLongArray(parties);
            AtomicInteger outOfRange = new AtomicInteger();
            AtomicInteger arrivals = new AtomicInteger(); // exactly threads * rounds arrivals, by any thread
            List<CompletableFuture<Integer>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                all.add(async(() -> {
                    while (arrivals.getAndIncrement() < threads * rounds) {
                        int index = barrier.await(10, TimeUnit.SECONDS);
                        if (index < 0 || index >= parties) {
                            outOfRange.incrementAndGet();
                        } else {
                            perIndex.incrementAndGet(index);
                        }
                    }
                    return 0;
                }));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(t -> null).get(240, TimeUnit.SECONDS);
            List<String> failures = new ArrayList<>();
            for (CompletableFuture<Integer> f : all) {
                if (f.isCompletedExceptionally()) {
                    failures.add(f.exceptionNow().toString());
                }
            }
            assertEquals(List.of(), failures);
            assertEquals(0, outOfRange.get(), "arrival indices outside parties-1..0");
            long trips = (long) threads * rounds / parties;
            for (int i = 0; i < parties; i++) {
                assertEquals(trips, perIndex.get(i), "index " + i + " once per trip");
            }
            assertEquals(0, barrier.getNumberWaiting());
            assertFalse(barrier.isBroken());
        }
    }

    @Test
    void shouldBreakForEveryWaiterOnResetAndTimeoutButNeverAfterATrip() throws Exception {
        try (SharedBarrier barrier = SharedBarrier.create(directory(), "b", 3)) {
            CompletableFuture<Integer> w = async(() -> barrier.await(60, TimeUnit.SECONDS));
            assertTrue(Poll.until(() -> barrier.getNumberWaiting() == 1, LONG));
            barrier.reset();
            assertTrue(assertThrows(java.util.concurrent.ExecutionException.class, () -> w.get(30, TimeUnit.SECONDS))
                .getCause() instanceof BrokenBarrierException, "reset breaks the waiting party");
            assertFalse(barrier.isBroken(), "a reset barrier is ready again");
            assertThrows(TimeoutException.class, () -> barrier.await(20, TimeUnit.MILLISECONDS));
            assertTrue(barrier.isBroken());
            assertThrows(BrokenBarrierException.class, () -> barrier.await(20, TimeUnit.MILLISECONDS));
            barrier.reset();
            CompletableFuture<Integer> a = async(() -> barrier.await(60, TimeUnit.SECONDS));
            CompletableFuture<Integer> b = async(() -> barrier.await(60, TimeUnit.SECONDS));
            assertTrue(Poll.until(() -> barrier.getNumberWaiting() == 2, LONG));
            assertEquals(0, barrier.await(60, TimeUnit.SECONDS));
            assertEquals(3, a.get(30, TimeUnit.SECONDS) + b.get(30, TimeUnit.SECONDS), "indices 2 and 1");
        }
    }

    @Test
    void shouldRefuseAReadUnlockByAThreadThatHoldsNoReadLock() throws Exception {
        try (SharedReadWriteLock rw = SharedReadWriteLock.create(directory(), "rw")) {
            assertTrue(rw.readLock().tryLock());
            assertTrue(async(() -> {
                assertThrows(IllegalMonitorStateException.class, () -> rw.readLock().unlock());
                return !rw.writeLock().tryLock();
            }).get(30, TimeUnit.SECONDS), "the real reader is still inside: no writer may enter");
            assertEquals(1, rw.getReadLockCount());
            rw.readLock().unlock();
            assertThrows(IllegalMonitorStateException.class, () -> rw.readLock().unlock());
            assertEquals(0, rw.getReadLockCount());
        }
    }

    @Test
    void shouldLetAReaderReenterWhileAWriterWaits() throws Exception {
        try (SharedReadWriteLock rw = SharedReadWriteLock.create(directory(), "rw")) {
            rw.readLock().lock();
            CompletableFuture<Boolean> writer = async(() -> {
                boolean got = rw.writeLock().tryLock(60, TimeUnit.SECONDS);
                if (got) {
                    rw.writeLock().unlock();
                }
                return got;
            });
            assertTrue(Poll.until(rw::hasWaitingWriter, LONG), "the writer waits, holding new readers back");
            assertFalse(async(() -> rw.readLock().tryLock(20, TimeUnit.MILLISECONDS)).get(30, TimeUnit.SECONDS),
                "a new reader that blocks waits behind the writer");
            assertTrue(rw.readLock().tryLock(2, TimeUnit.SECONDS), "the holder re-enters at once");
            rw.readLock().lock(); // untimed: must not deadlock with the waiting writer
            assertEquals(3, rw.getReadHoldCount());
            assertFalse(rw.writeLock().tryLock(), "no upgrade");
            assertThrows(IllegalMonitorStateException.class, () -> rw.writeLock().lock(), "an upgrade would deadlock");
            rw.readLock().unlock();
            rw.readLock().unlock();
            assertFalse(writer.isDone());
            rw.readLock().unlock();
            assertTrue(writer.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldReenterTheWriteLockAndDowngradeToRead() throws Exception {
        try (SharedReadWriteLock rw = SharedReadWriteLock.create(directory(), "rw")) {
            rw.writeLock().lock();
            assertTrue(rw.writeLock().tryLock());
            rw.readLock().lock();
            rw.writeLock().unlock();
            assertTrue(rw.isWriteLockedByCurrentThread());
            rw.writeLock().unlock();
            assertFalse(rw.isWriteLocked());
            assertTrue(async(() -> {
                boolean read = rw.readLock().tryLock();
                rw.readLock().unlock();
                return read && !rw.writeLock().tryLock();
            }).get(30, TimeUnit.SECONDS), "downgraded: readers share, writers wait");
            rw.readLock().unlock();
            assertThrows(IllegalMonitorStateException.class, () -> rw.writeLock().unlock());
        }
    }

    @Test
    void shouldAcquireAndReleaseZeroPermitsLikeASemaphore() throws Exception {
        for (boolean bounded : new boolean[] {false, true}) {
            try (SharedSemaphore s = SharedSemaphore.create(directory(), "s" + bounded, 0, bounded)) {
                assertTrue(s.tryAcquire(0));
                assertTrue(s.tryAcquire(0, 1, TimeUnit.MILLISECONDS));
                s.acquire(0);
                s.release(0);
                assertEquals(0, s.availablePermits());
                assertFalse(s.tryAcquire(1));
                assertThrows(IllegalArgumentException.class, () -> s.tryAcquire(-1));
                assertThrows(IllegalArgumentException.class, () -> s.release(-1));
            }
        }
    }

    @Test
    void shouldLetOnlyAHolderReleaseABoundedSemaphore() throws Exception {
        try (SharedSemaphore s = SharedSemaphore.create(directory(), "s", 2, true)) {
            assertTrue(s.tryAcquire(2));
            assertFalse(s.tryAcquire(1, 20, TimeUnit.MILLISECONDS));
            assertEquals(0, s.availablePermits());
            s.release(1);
            assertThrows(IllegalStateException.class, () -> s.release(2), "holds 1, releases 2");
            assertEquals(1, s.heldByThisProcess(), "a refused release changes nothing");
            s.release();
            assertEquals(2, s.availablePermits());
        }
    }
}
