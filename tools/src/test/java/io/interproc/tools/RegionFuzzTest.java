package io.interproc.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.PeerDiedException;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionException;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.ShmTempDir;
import io.interproc.queue.mpmc.MpmcQueue;
import io.interproc.queue.pipe.Pipe;
import io.interproc.queue.ring.MpscRing;
import io.interproc.queue.ring.RingOptions;
import io.interproc.queue.ring.SpscRing;
import io.interproc.sync.SharedBarrier;
import io.interproc.sync.SharedCountDownLatch;
import io.interproc.sync.SharedEvent;
import io.interproc.sync.SharedLock;
import io.interproc.sync.SharedLongArray;
import io.interproc.sync.SharedReadWriteLock;
import io.interproc.sync.SharedSemaphore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzzer over every region type: a valid region of each type is made, then copies of its
 * file with header and body bytes mutated (random bytes, and interesting words such as -1, 0 and
 * 4096 at aligned offsets) are opened and exercised, every call with a short timeout, in a child
 * JVM (so that a crash is a failure with the case that caused it, not a lost test JVM), after
 * {@code interproc stat} has read it. Only clean
 * outcomes are accepted: success, a {@link RegionException} (corrupt region), a peer that died,
 * a timeout, a broken barrier, or an {@link IllegalStateException} or
 * {@link IllegalMonitorStateException} that names the region. Anything else — an index out of
 * bounds, an {@link IllegalArgumentException} for a legal call, a call that does not return within
 * 5 s, a JVM crash — fails with the seed and the case. {@code -Dinterproc.test.fuzzCases=N} per type
 * (default 25); {@code -Dinterproc.test.seed=S} replays.
 */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(1200)
class RegionFuzzTest {
    static final int CASES = Integer.getInteger("interproc.test.fuzzCases", 25);
    static final long SEED = Long.getLong("interproc.test.seed", System.nanoTime());
    static final long[] INTERESTING = {-1, 0, 1, 2, 7, 64, 4096, Integer.MAX_VALUE, 1L << 31, Long.MAX_VALUE, Long.MIN_VALUE,
        1L << 62, 0x4000_0000_0000_0000L, -2};
    static final long SHORT_MILLIS = 5;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** The region types: how to make a valid one, and how to exercise one opened from a mutated file. */
    interface Kind {
        void create(RegionDirectory d, String name) throws Exception;

        void exercise(RegionDirectory d, String name) throws Exception;
    }

    static Map<String, Kind> kinds() {
        Map<String, Kind> kinds = new LinkedHashMap<>();
        kinds.put("lock", kind((d, n) -> SharedLock.create(d, n, true).close(), (d, n) -> {
            try (SharedLock lock = SharedLock.open(d, n)) {
                if (lock.tryLock(SHORT_MILLIS, TimeUnit.MILLISECONDS)) {
                    lock.condition(0).signalAll();
                    lock.condition(1).await(SHORT_MILLIS, TimeUnit.MILLISECONDS);
                    lock.unlock();
                }
            }
        }));
        kinds.put("rwlock", kind((d, n) -> SharedReadWriteLock.create(d, n).close(), (d, n) -> {
            try (SharedReadWriteLock rw = SharedReadWriteLock.open(d, n)) {
                if (rw.readLock().tryLock(SHORT_MILLIS, TimeUnit.MILLISECONDS)) {
                    rw.readLock().unlock();
                }
                if (rw.writeLock().tryLock(SHORT_MILLIS, TimeUnit.MILLISECONDS)) {
                    rw.writeLock().unlock();
                }
                rw.getReadLockCount();
            }
        }));
        kinds.put("semaphore", kind((d, n) -> SharedSemaphore.create(d, n, 3, true).close(), (d, n) -> {
            try (SharedSemaphore s = SharedSemaphore.open(d, n)) {
                if (s.tryAcquire(1, SHORT_MILLIS, TimeUnit.MILLISECONDS)) {
                    s.release();
                }
                s.availablePermits();
            }
        }));
        kinds.put("counting-semaphore", kind((d, n) -> SharedSemaphore.create(d, n, 3, false).close(), (d, n) -> {
            try (SharedSemaphore s = SharedSemaphore.open(d, n)) {
                if (s.tryAcquire(1, SHORT_MILLIS, TimeUnit.MILLISECONDS)) {
                    s.release();
                }
            }
        }));
        kinds.put("event", kind((d, n) -> SharedEvent.create(d, n).close(), (d, n) -> {
            try (SharedEvent e = SharedEvent.open(d, n)) {
                e.await(SHORT_MILLIS, TimeUnit.MILLISECONDS);
                e.set();
                e.clear();
            }
        }));
        kinds.put("latch", kind((d, n) -> SharedCountDownLatch.create(d, n, 2).close(), (d, n) -> {
            try (SharedCountDownLatch l = SharedCountDownLatch.open(d, n)) {
                l.countDown();
                l.await(SHORT_MILLIS, TimeUnit.MILLISECONDS);
            }
        }));
        kinds.put("barrier", kind((d, n) -> SharedBarrier.create(d, n, 2).close(), (d, n) -> {
            try (SharedBarrier b = SharedBarrier.open(d, n)) {
                try {
                    b.await(SHORT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | BrokenBarrierException expected) {
                    // a lone party times out, or finds it broken
                }
                b.reset();
            }
        }));
        kinds.put("long-array", kind((d, n) -> SharedLongArray.create(d, n, 4, true).close(), (d, n) -> {
            try (SharedLongArray a = SharedLongArray.open(d, n)) {
                a.getAndAdd(a.length() - 1, 1);
                a.compareAndSet(0, a.get(0), 5);
            }
        }));
        kinds.put("spsc-ring", kind((d, n) -> SpscRing.create(d, n, RingOptions.of(4096, 64)).close(), (d, n) -> ring(d, n)));
        kinds.put("mpsc-ring", kind((d, n) -> {
            try (MpscRing ring = MpscRing.create(d, n, RingOptions.of(4096, 64).withMaxLanes(4))) {
                ring.attach().offer(1, new byte[8]); // a lane that left with a message in it
            }
        }, (d, n) -> {
            try (MpscRing ring = MpscRing.open(d, n)) {
                ring.lanes();
                try (MpscRing.Producer p = ring.attach()) {
                    p.offer(1, new byte[8]);
                    ring.poll((t, b, o, l) -> { });
                    ring.take((t, b, o, l) -> { }, SHORT_MILLIS, TimeUnit.MILLISECONDS);
                }
            } finally {
                MpscRing.remove(d, n);
            }
        }));
        kinds.put("mpmc-queue", kind((d, n) -> MpmcQueue.create(d, n, 8, 64).close(), (d, n) -> {
            try (MpmcQueue q = MpmcQueue.open(d, n)) {
                q.offer(1, new byte[8]);
                q.poll((t, b, o, l) -> { });
                q.take((t, b, o, l) -> { }, SHORT_MILLIS, TimeUnit.MILLISECONDS);
                q.put(1, new byte[8], SHORT_MILLIS, TimeUnit.MILLISECONDS);
            }
        }));
        kinds.put("pipe", kind((d, n) -> Pipe.create(d, n, 4096, 64).close(), (d, n) -> {
            try (Pipe a = Pipe.open(d, n, Pipe.End.A)) {
                a.send(java.lang.foreign.MemorySegment.ofArray(new byte[8]), SHORT_MILLIS, TimeUnit.MILLISECONDS);
                a.receive((t, b, o, l) -> { }, SHORT_MILLIS, TimeUnit.MILLISECONDS);
            }
        }));
        return kinds;
    }

    private static void ring(RegionDirectory d, String n) throws Exception {
        try (SpscRing r = SpscRing.open(d, n)) {
            r.offer(1, new byte[8]);
            r.poll((t, b, o, l) -> { });
            r.take((t, b, o, l) -> { }, SHORT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    interface Step {
        void run(RegionDirectory d, String name) throws Exception;
    }

    static Kind kind(Step create, Step exercise) {
        return new Kind() {
            @Override
            public void create(RegionDirectory d, String name) throws Exception {
                create.run(d, name);
            }

            @Override
            public void exercise(RegionDirectory d, String name) throws Exception {
                exercise.run(d, name);
            }
        };
    }

    /** args: dir, seed, cases per type. Prints CASE before each case and one line per unclean outcome. */
    public static final class Runner implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            Path root = Path.of(args[0]);
            RegionDirectory d = RegionDirectory.of(root);
            long seed = Long.parseLong(args[1]);
            int cases = Integer.parseInt(args[2]);
            SplittableRandom random = new SplittableRandom(seed);
            int clean = 0;
            int refused = 0;
            for (Map.Entry<String, Kind> kind : kinds().entrySet()) {
                String valid = "valid-" + kind.getKey();
                kind.getValue().create(d, valid);
                byte[] original = Files.readAllBytes(root.resolve(valid));
                for (int c = 0; c < cases; c++) {
                    String name = kind.getKey() + "-" + c;
                    byte[] mutated = mutate(original, random);
                    Path file = root.resolve(name);
                    Files.write(file, mutated);
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    System.out.println("CASE " + name);
                    System.out.flush();
                    CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
                        try {
                            // What an operator sees first: `interproc stat` reads every field it shows.
                            java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
                            int status = Interproc.run(new String[] {"stat", name, "--dir", root.toString()}, quiet, quiet);
                            if (status != 0 && status != 1) {
                                return new AssertionError("interproc stat " + name + " exited with " + status);
                            }
                            kind.getValue().exercise(d, name);
                            return null;
                        } catch (Throwable t) {
                            return t;
                        }
                    }, r -> Thread.ofPlatform().daemon().start(r));
                    Throwable t;
                    try {
                        t = outcome.get(5, TimeUnit.SECONDS);
                    } catch (TimeoutException hang) {
                        System.out.println("HANG " + name);
                        System.out.flush();
                        Runtime.getRuntime().halt(5);
                        return;
                    } catch (ExecutionException impossible) {
                        t = impossible.getCause();
                    }
                    if (t == null) {
                        clean++;
                    } else if (acceptable(t, name)) {
                        refused++;
                    } else {
                        java.io.StringWriter trace = new java.io.StringWriter();
                        t.printStackTrace(new java.io.PrintWriter(trace));
                        System.out.println("UNCLEAN " + name + ": " + trace.toString().lines().limit(6)
                            .reduce((a, b) -> a + " | " + b).orElse(""));
                    }
                    Files.deleteIfExists(file);
                }
            }
            System.out.println("DONE " + clean + " ran cleanly, " + refused + " refused cleanly");
        }

        static boolean acceptable(Throwable t, String name) {
            return t instanceof RegionException || t instanceof PeerDiedException || t instanceof TimeoutException
                || t instanceof BrokenBarrierException
                || ((t instanceof IllegalStateException || t instanceof IllegalMonitorStateException)
                    && t.getMessage() != null && t.getMessage().contains(name));
        }

        static byte[] mutate(byte[] original, SplittableRandom random) {
            byte[] bytes = original.clone();
            int mutations = 1 + random.nextInt(3);
            for (int i = 0; i < mutations; i++) {
                boolean header = random.nextBoolean();
                int limit = header ? Math.min(256, bytes.length) : bytes.length;
                int from = header ? 0 : Math.min(256, bytes.length - 8);
                if (random.nextBoolean()) {
                    bytes[from + random.nextInt(limit - from)] = (byte) random.nextInt(256);
                } else {
                    int at = (from + random.nextInt(Math.max(1, limit - from - 8))) & ~7;
                    long value = INTERESTING[random.nextInt(INTERESTING.length)];
                    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder()).putLong(at, value);
                }
            }
            return bytes;
        }
    }

    @Test
    void shouldOpenEveryMutatedRegionCleanlyOrRefuseItWithinBoundedTime() throws Exception {
        try (ChildJvm runner = ChildJvm.builder(Runner.class).jvmOptions("-Xmx256m").captureOutput()
            .args(dir.toString(), Long.toString(SEED), Integer.toString(CASES)).start()) {
            boolean finished = runner.join(Duration.ofMinutes(15));
            String output = runner.output();
            String last = output.lines().filter(l -> l.startsWith("CASE ")).reduce((a, b) -> b).orElse("none");
            assertTrue(finished, "fuzzer did not finish (seed " + SEED + ", last " + last + "): " + output);
            assertEquals(java.util.OptionalInt.of(0), runner.exitCode(),
                "fuzzer died (seed " + SEED + ", last " + last + "): " + tail(output));
            String unclean = output.lines().filter(l -> l.startsWith("UNCLEAN")).reduce((a, b) -> a + "\n" + b).orElse("");
            assertEquals("", unclean, "seed " + SEED);
            System.out.println("fuzz (seed " + SEED + ", " + CASES + " cases per type): "
                + output.lines().filter(l -> l.startsWith("DONE")).findFirst().orElse("?"));
        }
    }

    private static String tail(String output) {
        String[] lines = output.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 15), lines.length));
    }
}
