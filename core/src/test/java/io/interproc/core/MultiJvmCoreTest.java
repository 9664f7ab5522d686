package io.interproc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.internal.memory.Futex;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Core behaviour between real, separately launched JVMs. */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(180)
class MultiJvmCoreTest {
    static final RegionType COUNTER = RegionType.of("counter", 1);
    static final Duration LONG = Duration.ofSeconds(90);
    static final long INCREMENTS = 1_000_000;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    static Region counter(String dir) {
        return RegionDirectory.of(Path.of(dir)).openOrCreate("counter", new RegionSpec(COUNTER, 256), r -> { });
    }

    /** Adds one to the shared counter {@code args[1]} times, by compare-and-set. */
    public static final class Incrementer implements JvmTask {
        @Override
        public void run(String[] args) {
            try (Region r = counter(args[0])) {
                MemoryAccess m = r.memory();
                long n = Long.parseLong(args[1]);
                for (long i = 0; i < n; i++) {
                    long v;
                    do {
                        v = m.getLongVolatile(0);
                    } while (!m.compareAndSetLong(0, v, v + 1));
                }
            }
        }
    }

    /** Sleeps on the wait word until the counter reaches 1, then prints how it ended. */
    public static final class Waiter implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            try (Region r = counter(args[0])) {
                long timeout = args[1].equals("forever") ? WaitStrategy.NO_TIMEOUT
                    : TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
                long start = System.nanoTime();
                System.out.println("WAITING " + ProcessHandle.current().pid() + " "
                    + Long.toHexString(r.body().address() + 64) + " ");
                // One slice longer than the test's patience: only a futex wake from the other JVM ends it early.
                WaitStrategy strategy = WaitStrategy.blocking(0, 0, Duration.ofSeconds(300));
                boolean ok = io.interproc.core.internal.wait.Waiter.of(strategy).await(r.waitWord(64), () -> r.memory().getLongVolatile(0) >= 1,
                    timeout, LivenessCheck.NONE);
                System.out.println((ok ? "WOKEN" : "TIMEOUT") + " after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
            }
        }
    }

    /** Races openOrCreate and says whether it created. */
    public static final class Racer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            Path go = Path.of(args[0], "go");
            while (!java.nio.file.Files.exists(go)) {
                Thread.onSpinWait();
            }
            try (Region r = counter(args[0])) {
                r.memory().getAndAddLong(8, 1);
                System.out.println(r.created() ? "CREATED" : "OPENED");
            }
        }
    }

    /** Opens the counter (twice, closing one handle) and holds it until killed. */
    public static final class Holder implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            Region keep = counter(args[0]);
            counter(args[0]).close(); // a second handle closed must not drop the first one's lock
            System.out.println("HOLDING " + keep.name());
            new CountDownLatch(1).await();
        }
    }

    /** Prints whether the counter is in use, as seen from another process. */
    public static final class InUseProbe {
        public static void main(String[] args) {
            System.out.println("IN_USE=" + RegionDirectory.of(Path.of(args[0])).isInUse("counter"));
        }
    }

    @Test
    void shouldCountExactlyWithFourJvmsIncrementing() throws Exception {
        try (Region r = counter(dir.toString())) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    children.add(ChildJvm.builder(Incrementer.class).args(dir.toString(), Long.toString(INCREMENTS)).start());
                }
                for (ChildJvm child : children) {
                    assertTrue(child.join(LONG), child + " finished");
                    assertEquals(OptionalInt.of(0), child.exitCode());
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            assertEquals(4 * INCREMENTS, r.memory().getLongVolatile(0));
        }
    }

    @Test
    void shouldWakeAJvmSleepingInTheKernel() throws Exception {
        try (Region r = counter(dir.toString());
             ChildJvm waiter = ChildJvm.builder(Waiter.class).args(dir.toString(), "forever").captureOutput().start()) {
            WaitWord word = r.waitWord(64);
            assertTrue(waiter.awaitOutput("WAITING", LONG), waiter.output());
            String[] words = waiter.output().substring(waiter.output().indexOf("WAITING")).split(" ");
            long childAddress = Long.parseUnsignedLong(words[2], 16);
            if (Futex.isSupported()) {
                assertTrue(Poll.until(() -> KernelWaits.sleepingOn(waiter.pid(), childAddress), LONG),
                    "the child sleeps in the kernel on the word");
                assertEquals(1, word.sleepers());
            }
            r.memory().putLongVolatile(0, 1);
            word.wakeAll();
            assertTrue(waiter.join(LONG));
            assertTrue(waiter.output().contains("WOKEN"), waiter.output());
            assertEquals(OptionalInt.of(0), waiter.exitCode());
            assertEquals(0, word.sleepers());
        }
    }

    @Test
    void shouldReturnFromATimedWaitInTime() throws Exception {
        try (ChildJvm waiter = ChildJvm.builder(Waiter.class).args(dir.toString(), "200").captureOutput().start()) {
            assertTrue(waiter.join(LONG));
            String out = waiter.output();
            assertTrue(out.contains("TIMEOUT after"), out);
            int at = out.indexOf("TIMEOUT after ") + "TIMEOUT after ".length();
            long millis = Long.parseLong(out.substring(at, out.indexOf(" ms", at)));
            assertTrue(millis >= 199 && millis < 5_000, "timed out after " + millis + " ms");
        }
    }

    @Test
    void shouldLetExactlyOneOfEightRacingJvmsCreate() throws Exception {
        List<ChildJvm> racers = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                racers.add(ChildJvm.builder(Racer.class).args(dir.toString()).captureOutput().start());
            }
            java.nio.file.Files.createFile(dir.resolve("go"));
            int created = 0;
            int opened = 0;
            for (ChildJvm racer : racers) {
                assertTrue(racer.join(LONG));
                assertEquals(OptionalInt.of(0), racer.exitCode(), racer.output());
                created += racer.output().contains("CREATED") ? 1 : 0;
                opened += racer.output().contains("OPENED") ? 1 : 0;
            }
            assertEquals(1, created);
            assertEquals(7, opened);
            try (Region r = counter(dir.toString())) {
                assertEquals(8, r.memory().getLongVolatile(8), "all eight attached to the same region");
            }
        } finally {
            racers.forEach(ChildJvm::close);
        }
    }

    @Test
    void shouldSeeARegionUnusedOnceItsHolderIsKilled() throws Exception {
        counter(dir.toString()).close();
        RegionDirectory directory = RegionDirectory.of(dir);
        assertFalse(directory.isInUse("counter"));
        try (ChildJvm holder = ChildJvm.builder(Holder.class).args(dir.toString()).captureOutput().start()) {
            assertTrue(holder.awaitOutput("HOLDING", LONG), holder.output());
            assertTrue(directory.isInUse("counter"));
            assertFalse(directory.unlinkIfUnused("counter"));
            try (ChildJvm probe = ChildJvm.builder(InUseProbe.class).args(dir.toString()).captureOutput().start()) {
                assertTrue(probe.join(LONG));
                assertTrue(probe.output().contains("IN_USE=true"), probe.output());
            }
            holder.kill();
            assertTrue(holder.join(LONG));
            assertTrue(Poll.until(() -> !directory.isInUse("counter"), LONG), "the dead holder's lock is gone");
            assertTrue(directory.unlinkIfUnused("counter"));
        }
    }
}
