package io.interproc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Semaphore, latch, barrier and shared longs with threads in one JVM. */
@Timeout(120)
class SyncPrimitivesTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private RegionDirectory directory() {
        return RegionDirectory.of(dir);
    }

    private static <T> CompletableFuture<T> async(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    @Test
    void shouldCountSemaphorePermitsAndRefuseOverReleaseWhenBounded() throws Exception {
        try (SharedSemaphore s = SharedSemaphore.create(directory(), "s", 2, true)) {
            assertTrue(s.tryAcquire());
            assertTrue(s.tryAcquire());
            assertFalse(s.tryAcquire());
            assertEquals(0, s.availablePermits());
            assertEquals(2, s.heldByThisProcess());
            assertFalse(s.tryAcquire(1, 20, TimeUnit.MILLISECONDS), "times out");
            CompletableFuture<Boolean> waiter = async(() -> s.tryAcquire(1, 30, TimeUnit.SECONDS));
            s.release();
            assertTrue(waiter.get(30, TimeUnit.SECONDS), "a release wakes a waiter");
            s.release();
            s.release();
            IllegalStateException over = assertThrows(IllegalStateException.class, s::release);
            assertTrue(over.getMessage().contains("released too many times"), over.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.tryAcquire(-1));
            assertThrows(IllegalArgumentException.class, () -> SharedSemaphore.create(directory(), "neg", -1, false));
        }
        try (SharedSemaphore unbounded = SharedSemaphore.create(directory(), "u", 0, false)) {
            unbounded.release(3);
            assertEquals(3, unbounded.availablePermits(), "an unbounded semaphore grows on release");
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            unbounded.acquire(3);
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    unbounded.acquire();
                    outcome.complete(null);
                } catch (Throwable e) {
                    outcome.complete(e);
                }
            });
            t.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldOpenTheLatchAtZeroForEveryWaiter() throws Exception {
        try (SharedCountDownLatch latch = SharedCountDownLatch.create(directory(), "l", 3)) {
            List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiters.add(async(() -> latch.await(30, TimeUnit.SECONDS)));
            }
            assertFalse(latch.await(10, TimeUnit.MILLISECONDS));
            latch.countDown();
            latch.countDown();
            assertEquals(1, latch.getCount());
            latch.countDown();
            latch.countDown();
            assertEquals(0, latch.getCount(), "stays at zero");
            for (CompletableFuture<Boolean> w : waiters) {
                assertTrue(w.get(30, TimeUnit.SECONDS));
            }
            assertTrue(latch.await(0, TimeUnit.SECONDS), "a latch at zero does not wait");
            assertThrows(IllegalArgumentException.class, () -> SharedCountDownLatch.create(directory(), "bad", -1));
        }
    }

    @Test
    void shouldTripTheBarrierBreakItOnTimeoutAndResetIt() throws Exception {
        try (SharedBarrier barrier = SharedBarrier.create(directory(), "b", 3)) {
            for (int round = 0; round < 3; round++) {
                CompletableFuture<Integer> a = async(barrier::await);
                CompletableFuture<Integer> b = async(barrier::await);
                int mine = barrier.await();
                List<Integer> indexes = new ArrayList<>(List.of(mine, a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS)));
                indexes.sort(null);
                assertEquals(List.of(0, 1, 2), indexes, "round " + round);
            }
            assertEquals(3, barrier.getParties());
            CompletableFuture<Integer> stuck = async(barrier::await);
            assertThrows(TimeoutException.class, () -> barrier.await(30, TimeUnit.MILLISECONDS));
            ExecutionException e = assertThrows(ExecutionException.class, () -> stuck.get(30, TimeUnit.SECONDS));
            assertInstanceOf(BrokenBarrierException.class, e.getCause());
            assertTrue(barrier.isBroken());
            assertThrows(BrokenBarrierException.class, barrier::await, "broken until reset");
            barrier.reset();
            assertFalse(barrier.isBroken());
            assertEquals(0, barrier.getNumberWaiting());
            CompletableFuture<Integer> a = async(barrier::await);
            CompletableFuture<Integer> b = async(barrier::await);
            barrier.await(30, TimeUnit.SECONDS);
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
            assertThrows(IllegalArgumentException.class, () -> SharedBarrier.create(directory(), "zero", 0));
        }
    }

    @Test
    void shouldUpdateSharedLongsAtomically() throws Exception {
        try (SharedLongArray array = SharedLongArray.create(directory(), "a", 4, true);
             SharedLock lock = SharedLock.create(directory(), "lock", false)) {
            List<CompletableFuture<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(async(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        array.getAndAdd(0, 1);
                        array.updateAndGet(1, v -> v + 2);
                        array.updateUnderLock(lock, x -> {
                            x.set(2, x.get(2) + 1);
                            x.set(3, x.get(3) - 1);
                        });
                    }
                    return null;
                }));
            }
            for (CompletableFuture<Void> task : tasks) {
                task.get(60, TimeUnit.SECONDS);
            }
            assertEquals(40_000, array.get(0));
            assertEquals(80_000, array.get(1));
            assertEquals(40_000, array.get(2));
            assertEquals(-40_000, array.get(3));
            assertTrue(array.compareAndSet(0, 40_000, 7));
            assertFalse(array.compareAndSet(0, 40_000, 8));
            assertEquals(7, array.getAndSet(0, 9));
            assertEquals(10, array.addAndGet(0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> array.get(4));
        }
    }

    @Test
    void shouldRefuseCorruptStates() {
        try (SharedSemaphore s = SharedSemaphore.create(directory(), "s", 2, true)) {
            s.region().memory().putLongVolatile(SharedSemaphoreDescriptor.PERMITS_OFFSET, 99);
            assertThrows(RegionFormatException.class, () -> SharedSemaphore.open(directory(), "s"));
        }
        try (SharedBarrier b = SharedBarrier.create(directory(), "b", 2)) {
            b.region().memory().putLongVolatile(SharedBarrierDescriptor.STATE_OFFSET, 5);
            assertThrows(RegionFormatException.class, () -> SharedBarrier.open(directory(), "b"));
        }
        try (SharedCountDownLatch l = SharedCountDownLatch.create(directory(), "l", 2)) {
            l.region().memory().putLongVolatile(SharedCountDownLatchDescriptor.COUNT_OFFSET, -3);
            assertThrows(RegionFormatException.class, () -> SharedCountDownLatch.open(directory(), "l"));
        }
    }
}
