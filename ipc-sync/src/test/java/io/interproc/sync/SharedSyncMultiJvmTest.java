package io.interproc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.testing.KernelWaits;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Locks and events between real JVMs: exact counting, kill -9 of the holder, wake-ups. */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(600)
class SharedSyncMultiJvmTest {
    static final Duration LONG = Duration.ofSeconds(120);
    static final RegionType COUNTER = RegionType.of("test-counter", 1);
    /** Holder kills; raise with -Dinterproc.test.lockKills=N. */
    static final int KILLS = Integer.getInteger("interproc.test.lockKills", 50);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** Adds one to the counter {@code args[1]} times, each under the lock, with a plain read and write. */
    public static final class Incrementer implements JvmTask {
        @Override
        public void run(String[] args) {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            try (SharedLock lock = SharedLock.open(directory, "lock");
                 Region counter = directory.open("counter", COUNTER)) {
                long n = Long.parseLong(args[1]);
                for (long i = 0; i < n; i++) {
                    lock.lock();
                    try {
                        counter.memory().putLongPlain(0, counter.memory().getLongPlain(0) + 1);
                    } finally {
                        lock.unlock();
                    }
                }
            }
        }
    }

    /** Takes the lock, says so, and holds it until killed. */
    public static final class Holder implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            SharedLock lock = SharedLock.open(RegionDirectory.of(Path.of(args[0])), "lock");
            lock.lock();
            System.out.println("LOCKED");
            new CountDownLatch(1).await();
        }
    }

    /** Waits for the event, then prints how it ended. */
    public static final class EventWaiter implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            try (SharedEvent event = SharedEvent.open(RegionDirectory.of(Path.of(args[0])), "event")) {
                event.waitStrategy(io.interproc.core.WaitStrategy.blocking(0, 0, Duration.ofMinutes(10)));
                System.out.println("WAITING " + Long.toHexString(event.region().body().address() + SharedEventDescriptor.WAIT_OFFSET) + " ");
                System.out.println(event.await(100, TimeUnit.SECONDS) ? "SET" : "TIMEOUT");
            }
        }
    }

    @Test
    void shouldCountExactlyWithFourJvmsTakingTheLock() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedLock lock = SharedLock.create(directory, "lock", false);
             Region counter = directory.create("counter", new RegionSpec(COUNTER, 64), r -> { })) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    children.add(ChildJvm.builder(Incrementer.class).jvmOptions("-Xmx64m").captureOutput()
                        .args(dir.toString(), "250000").start());
                }
                for (ChildJvm child : children) {
                    assertTrue(child.join(LONG));
                    assertEquals(OptionalInt.of(0), child.exitCode(), child.output());
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            assertEquals(1_000_000, counter.memory().getLongVolatile(0));
            assertEquals(0, lock.ownerPid());
            assertEquals(0, lock.recoveries());
        }
    }

    @Test
    void shouldRecoverTheLockOfAKilledHolderEveryTimeAndSaySo() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedLock lock = SharedLock.create(directory, "lock", false)) {
            AtomicInteger callbacks = new AtomicInteger();
            lock.onRecovery(callbacks::incrementAndGet);
            for (int i = 1; i <= KILLS; i++) {
                try (ChildJvm holder = ChildJvm.builder(Holder.class).jvmOptions("-Xmx32m").captureOutput()
                    .args(dir.toString()).start()) {
                    assertTrue(holder.awaitOutput("LOCKED", LONG), holder.output());
                    assertEquals(holder.pid(), lock.ownerPid());
                    assertFalse(lock.tryLock(), "held by the child");
                    holder.kill();
                    assertTrue(lock.tryLock(30, TimeUnit.SECONDS), "recovered after kill " + i);
                    assertTrue(lock.isRecovered(), "the new owner is told the previous one died");
                    assertEquals(i, callbacks.get());
                    assertEquals(i, lock.recoveries());
                    lock.unlock();
                    assertFalse(lock.isRecovered());
                }
            }
            assertTrue(lock.tryLock());
            assertFalse(lock.isRecovered(), "an ordinary acquisition is not a recovery");
            lock.unlock();
        }
    }

    /** Takes two permits (or waits at the barrier), says so, and hangs until killed. */
    public static final class PermitHolder implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            if (args[1].equals("semaphore")) {
                SharedSemaphore semaphore = SharedSemaphore.open(directory, "s");
                semaphore.acquire(2);
                System.out.println("HOLDING");
            } else if (args[1].equals("barrier")) {
                SharedBarrier barrier = SharedBarrier.open(directory, "b");
                System.out.println("HOLDING");
                barrier.await();
            } else {
                SharedCountDownLatch.open(directory, "latch").countDown();
                System.out.println("HOLDING");
            }
            new CountDownLatch(1).await();
        }
    }

    @Test
    void shouldGiveBackTheSemaphorePermitsOfAKilledHolder() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedSemaphore semaphore = SharedSemaphore.create(directory, "s", 3, true)) {
            for (int i = 1; i <= 5; i++) {
                try (ChildJvm holder = ChildJvm.builder(PermitHolder.class).args(dir.toString(), "semaphore")
                    .captureOutput().start()) {
                    assertTrue(holder.awaitOutput("HOLDING", LONG), holder.output());
                    assertEquals(1, semaphore.availablePermits());
                    assertFalse(semaphore.tryAcquire(2));
                    holder.kill();
                    assertTrue(semaphore.tryAcquire(3, 30, TimeUnit.SECONDS), "the dead holder's permits come back");
                    assertEquals(2L * i, semaphore.recoveredPermits());
                    semaphore.release(3);
                }
            }
        }
    }

    @Test
    void shouldBreakTheBarrierWhenAWaitingPartyIsKilled() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedBarrier barrier = SharedBarrier.create(directory, "b", 3);
             ChildJvm party = ChildJvm.builder(PermitHolder.class).args(dir.toString(), "barrier").captureOutput().start()) {
            assertTrue(party.awaitOutput("HOLDING", LONG), party.output());
            assertTrue(Poll.until(() -> barrier.getNumberWaiting() == 1, LONG));
            java.util.concurrent.CompletableFuture<Throwable> outcome = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    barrier.await(60, TimeUnit.SECONDS);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertTrue(Poll.until(() -> barrier.getNumberWaiting() == 2, LONG));
            party.kill();
            Throwable t = outcome.get(60, TimeUnit.SECONDS);
            assertTrue(t instanceof java.util.concurrent.BrokenBarrierException, "the others see a broken barrier: " + t);
        }
    }

    @Test
    void shouldOpenALatchCountedDownByOtherJvms() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedCountDownLatch latch = SharedCountDownLatch.create(directory, "latch", 2)) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    children.add(ChildJvm.builder(PermitHolder.class).args(dir.toString(), "latch").captureOutput().start());
                }
                assertTrue(latch.await(60, TimeUnit.SECONDS));
                assertEquals(0, latch.getCount());
            } finally {
                children.forEach(ChildJvm::close);
            }
        }
    }

    /** Waits on condition 0 of the lock until the counter is set, then prints it. */
    public static final class ConditionWaiter implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            try (SharedLock lock = SharedLock.open(directory, "lock");
                 Region counter = directory.open("counter", COUNTER)) {
                lock.lock();
                try {
                    while (counter.memory().getLongPlain(0) == 0) {
                        lock.condition(0).await();
                    }
                    System.out.println("GOT " + counter.memory().getLongPlain(0));
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    @Test
    void shouldSignalAConditionWaiterInAnotherJvm() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedLock lock = SharedLock.create(directory, "lock", false);
             Region counter = directory.create("counter", new RegionSpec(COUNTER, 64), r -> { });
             ChildJvm waiter = ChildJvm.builder(ConditionWaiter.class).args(dir.toString()).captureOutput().start()) {
            assertTrue(Poll.until(() -> lock.condition(0).waiters() == 1, LONG), "the child waits on the condition");
            lock.lock();
            try {
                counter.memory().putLongPlain(0, 42);
                lock.condition(0).signal();
            } finally {
                lock.unlock();
            }
            assertTrue(waiter.join(LONG));
            assertTrue(waiter.output().contains("GOT 42"), waiter.output());
        }
    }

    @Test
    void shouldWakeAJvmWaitingForAnEvent() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedEvent event = SharedEvent.create(directory, "event");
             ChildJvm waiter = ChildJvm.builder(EventWaiter.class).args(dir.toString()).captureOutput().start()) {
            assertTrue(waiter.awaitOutput("WAITING", LONG), waiter.output());
            String out = waiter.output();
            long address = Long.parseUnsignedLong(out.substring(out.indexOf("WAITING ") + 8).split(" ")[0], 16);
            assertTrue(Poll.until(() -> KernelWaits.sleepingOn(waiter.pid(), address), LONG), "the child sleeps");
            event.set();
            assertTrue(waiter.join(LONG));
            assertTrue(waiter.output().contains("SET"), waiter.output());
        }
    }

    /** Acquires one permit of bounded semaphore "s" and holds it until killed; with "exit", releases nothing and exits 0. */
    public static final class OnePermit implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            SharedSemaphore semaphore = SharedSemaphore.open(RegionDirectory.of(Path.of(args[0])), "s");
            if (!semaphore.tryAcquire(Integer.parseInt(args[1]), 30, TimeUnit.SECONDS)) {
                System.exit(4);
            }
            System.out.println("HOLDING");
            if (args.length > 2 && args[2].equals("exit")) {
                return;
            }
            new CountDownLatch(1).await();
        }
    }

    @Test
    void shouldGiveADeadHoldersPermitBackOnTheNonBlockingAcquirePath() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedSemaphore semaphore = SharedSemaphore.create(directory, "s", 1, true)) {
            for (int i = 0; i < 3; i++) {
                try (ChildJvm holder = ChildJvm.builder(OnePermit.class).args(dir.toString(), "1").captureOutput().start()) {
                    assertTrue(holder.awaitOutput("HOLDING", LONG), holder.output());
                    assertFalse(semaphore.tryAcquire());
                    holder.kill();
                    assertTrue(holder.join(LONG));
                }
                // Nobody waits: only tryAcquire itself can notice the dead holder.
                assertTrue(Poll.until(semaphore::tryAcquire, Duration.ofSeconds(3)), "permit back within 3 s, kill " + i);
                semaphore.release();
            }
            assertEquals(3, semaphore.recoveredPermits());
        }
    }

    @Test
    void shouldConsumeCountedPermitsButReturnBoundedHoldsWhenAProcessExitsNormally() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedSemaphore counting = SharedSemaphore.create(directory, "s", 0, false)) {
            counting.release(2); // a counting signal: A gives 2, B takes 2 and exits 0
            try (ChildJvm b = ChildJvm.builder(OnePermit.class).args(dir.toString(), "2", "exit").captureOutput().start()) {
                assertTrue(b.join(LONG));
                assertEquals(OptionalInt.of(0), b.exitCode(), b.output());
            }
            assertFalse(counting.tryAcquire(1, 1, TimeUnit.SECONDS), "consumed signals are not given back");
            assertEquals(0, counting.availablePermits());
        }
        directory.unlink("s");
        try (SharedSemaphore bounded = SharedSemaphore.create(directory, "s", 2, true)) {
            try (ChildJvm b = ChildJvm.builder(OnePermit.class).args(dir.toString(), "2", "exit").captureOutput().start()) {
                assertTrue(b.join(LONG));
                assertEquals(OptionalInt.of(0), b.exitCode(), b.output());
            }
            assertTrue(bounded.tryAcquire(2, 5, TimeUnit.SECONDS), "a bounded semaphore's holds end with their process");
            bounded.release(2);
        }
    }
}
