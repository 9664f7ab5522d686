package io.interproc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.Futex;
import io.interproc.core.testing.KernelWaits;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class SharedLockTest {
    static final Duration LONG = Duration.ofSeconds(60);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private RegionDirectory directory() {
        return RegionDirectory.of(dir);
    }

    private static <T> T inOtherThread(java.util.concurrent.Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(60, TimeUnit.SECONDS);
    }

    @Test
    void shouldExcludeOtherThreadsAndRejectUnlockByANonOwner() throws Exception {
        try (SharedLock lock = SharedLock.create(directory(), "l", false)) {
            assertThrows(IllegalMonitorStateException.class, lock::unlock, "unlock of a free lock");
            assertTrue(lock.tryLock());
            assertTrue(lock.isHeldByCurrentThread());
            assertEquals(ProcessHandle.current().pid(), lock.ownerPid());
            assertFalse(inOtherThread(() -> lock.tryLock()));
            Exception failed = assertThrows(Exception.class, () -> inOtherThread(() -> {
                lock.unlock();
                return null;
            }));
            IllegalMonitorStateException e = assertInstanceOf(IllegalMonitorStateException.class, failed.getCause());
            assertTrue(e.getMessage().contains("does not hold"), e.getMessage());
            assertFalse(lock.tryLock(), "not reentrant");
            lock.unlock();
            assertFalse(lock.isHeldByCurrentThread());
            assertTrue(inOtherThread(() -> {
                boolean got = lock.tryLock();
                lock.unlock();
                return got;
            }));
        }
    }

    @Test
    void shouldCountReentrantHolds() {
        try (SharedLock lock = SharedLock.create(directory(), "l", true)) {
            lock.lock();
            lock.lock();
            assertTrue(lock.tryLock());
            assertEquals(3, lock.getHoldCount());
            lock.unlock();
            lock.unlock();
            assertEquals(1, lock.getHoldCount());
            lock.unlock();
            assertEquals(0, lock.getHoldCount());
            assertThrows(IllegalMonitorStateException.class, lock::unlock);
        }
    }

    @Test
    void shouldTimeOutAndBeInterruptible() throws Exception {
        try (SharedLock lock = SharedLock.create(directory(), "l", false)) {
            lock.lock();
            assertFalse(inOtherThread(() -> lock.tryLock(30, TimeUnit.MILLISECONDS)));
            assertFalse(lock.tryLock(10, TimeUnit.MILLISECONDS), "a non-reentrant owner times out on itself");
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    lock.lockInterruptibly();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            waiter.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(60, TimeUnit.SECONDS));
            waiter.join();
            lock.unlock();
        }
    }

    @Test
    void shouldWakeAWaiterSleepingInTheKernelOnUnlock() throws Exception {
        assumeTrue(Futex.isSupported());
        try (SharedLock lock = SharedLock.create(directory(), "l", false)) {
            lock.waitStrategy(WaitStrategy.blocking(0, 0, Duration.ofMinutes(10)));
            lock.lock();
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    boolean got = lock.tryLock(60, TimeUnit.SECONDS);
                    lock.unlock();
                    return got;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r));
            long word = lock.region().body().address() + SharedLockDescriptor.WAIT_OFFSET;
            assertTrue(Poll.until(() -> KernelWaits.sleepingOn(ProcessHandle.current().pid(), word), LONG));
            lock.unlock();
            assertTrue(waiter.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldWakeEverySleepingWaiterInTurnWithoutWaitingForASlice() throws Exception {
        assumeTrue(Futex.isSupported());
        for (boolean reentrant : new boolean[] {false, true}) {
            try (SharedLock lock = SharedLock.create(directory(), "l" + reentrant, reentrant)) {
                // Slices of 10 minutes: a lost wake-up shows as a waiter still asleep at the 60 s timeout.
                lock.waitStrategy(WaitStrategy.blocking(0, 0, Duration.ofMinutes(10)));
                lock.lock();
                List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    waiters.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            boolean got = lock.tryLock(60, TimeUnit.SECONDS);
                            if (got && reentrant) {
                                lock.lock(); // a second hold: the first unlock must not release
                                lock.unlock();
                                got = lock.isHeldByCurrentThread();
                            }
                            if (got) {
                                lock.unlock();
                            }
                            return got;
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }, r -> Thread.ofPlatform().start(r)));
                }
                assertTrue(Poll.until(() -> lock.sleepingWaiters() == 3, LONG));
                lock.unlock();
                for (CompletableFuture<Boolean> waiter : waiters) {
                    assertTrue(waiter.get(60, TimeUnit.SECONDS));
                }
                assertTrue(lock.tryLock());
                lock.unlock();
            }
        }
    }

    @Test
    void shouldKeepACounterExactUnderContentionBetweenThreads() throws Exception {
        try (SharedLock lock = SharedLock.create(directory(), "l", false);
             Region counter = directory().create("c", new RegionSpec(SharedLockDescriptor.TYPE, 64, 0), r -> { })) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        lock.lock();
                        try {
                            counter.memory().putLongPlain(0, counter.memory().getLongPlain(0) + 1);
                        } finally {
                            lock.unlock();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(200_000, counter.memory().getLongVolatile(0));
        }
    }

    @Test
    void shouldWakeOneWaiterOnSignalAndAllOnSignalAll() throws Exception {
        try (SharedLock lock = SharedLock.create(directory(), "l", true)) {
            SharedCondition condition = lock.condition(0);
            java.util.concurrent.atomic.AtomicInteger woken = new java.util.concurrent.atomic.AtomicInteger();
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiters.add(Thread.ofPlatform().start(() -> {
                    lock.lock();
                    lock.lock();
                    try {
                        if (condition.await(60, TimeUnit.SECONDS)) {
                            assertEquals(2, lock.getHoldCount(), "holds restored after await");
                            woken.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    } finally {
                        lock.unlock();
                        lock.unlock();
                    }
                }));
            }
            assertTrue(Poll.until(() -> condition.waiters() == 3, LONG));
            lock.lock();
            condition.signal();
            lock.unlock();
            assertTrue(Poll.until(() -> woken.get() == 1, LONG));
            assertEquals(2, condition.waiters(), "signal released exactly one");
            lock.lock();
            condition.signalAll();
            lock.unlock();
            for (Thread t : waiters) {
                t.join();
            }
            assertEquals(3, woken.get());
        }
    }

    @Test
    void shouldTimeOutOrBeInterruptedInAwaitAndHoldTheLockAfterwards() throws Exception {
        try (SharedLock lock = SharedLock.create(directory(), "l", false)) {
            SharedCondition condition = lock.condition(2);
            lock.lock();
            long start = System.nanoTime();
            assertFalse(condition.await(30, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(29));
            assertTrue(lock.isHeldByCurrentThread());
            assertTrue(condition.awaitNanos(1_000_000) <= 0);
            lock.unlock();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                lock.lock();
                try {
                    condition.await();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(lock.isHeldByCurrentThread() ? t : new AssertionError("lock not held after interrupt"));
                } finally {
                    lock.unlock();
                }
            });
            assertTrue(Poll.until(() -> condition.waiters() == 1, LONG));
            waiter.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(60, TimeUnit.SECONDS));
            waiter.join();
            assertEquals(0, condition.waiters());
        }
    }

    @Test
    void shouldRefuseCorruptOrForeignRegions() {
        try (Region bad = directory().create("bad", new RegionSpec(SharedLockDescriptor.TYPE, SharedLockDescriptor.LENGTH, 5),
            r -> { })) {
            RegionFormatException e = assertThrows(RegionFormatException.class, () -> SharedLock.open(directory(), "bad"));
            assertTrue(e.getMessage().contains("reentrant flag 5"), e.getMessage());
        }
        try (SharedEvent event = SharedEvent.create(directory(), "event")) {
            assertThrows(RegionFormatException.class, () -> SharedLock.open(directory(), "event"));
        }
        try (SharedLock lock = SharedLock.create(directory(), "l", false)) {
            assertThrows(IllegalArgumentException.class, () -> lock.condition(8));
            assertThrows(IllegalMonitorStateException.class, () -> lock.newCondition().signal(), "signal needs the lock");
            assertThrows(IllegalMonitorStateException.class, () -> lock.condition(1).await(), "await needs the lock");
        }
    }

    @Test
    void shouldTellAWaiterThatTheLockFileWasTruncatedInsteadOfFaulting() throws Exception {
        SharedLock lock = SharedLock.create(RegionDirectory.of(dir), "lock", false);
        lock.lock();
        CompletableFuture<Throwable> waiter = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                waiter.complete(lock.tryLock(60, TimeUnit.SECONDS) ? null : new AssertionError("timed out"));
            } catch (Throwable t) {
                waiter.complete(t);
            }
        });
        assertTrue(Poll.until(() -> lock.sleepingWaiters() > 0, Duration.ofSeconds(30)));
        Process truncate = new ProcessBuilder("truncate", "-s", "0", dir.resolve("lock").toString()).start();
        assertEquals(0, truncate.waitFor());
        Throwable t = waiter.get(30, TimeUnit.SECONDS);
        assertInstanceOf(RegionFormatException.class, t, () -> "owner " + lock.ownerPid() + " size "
            + dir.resolve("lock").toFile().length() + " mapped " + lock.region().segment().byteSize());
        assertTrue(t.getMessage().contains("truncated"), t.getMessage());
        RegionFormatException later = assertThrows(RegionFormatException.class,
            () -> lock.tryLock(1, TimeUnit.SECONDS), "the next slow path says so too");
        assertTrue(later.getMessage().contains("truncated"));
        assertThrows(RegionFormatException.class, () -> SharedLock.open(RegionDirectory.of(dir), "lock"));
    }
}
