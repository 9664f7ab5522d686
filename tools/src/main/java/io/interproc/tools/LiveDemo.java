package io.interproc.tools;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.RegionDirectory;
import io.interproc.queue.ring.RingOptions;
import io.interproc.queue.ring.SpscRing;
import io.interproc.sync.SharedLock;
import io.interproc.sync.SharedLongArray;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The live demo: four separately launched JVMs at work on shared memory while this one watches.
 * A producer JVM streams timestamped messages (a steady {@value #RATE} a second) through an SPSC
 * ring to a consumer JVM, which measures each message's latency (send to receive, both on the
 * machine's monotonic clock); two more JVMs take turns on one {@link SharedLock} to increment a
 * shared counter, in bursts of 100. Every second this prints the ring's throughput and latency
 * percentiles and the lock's increments; at the end it stops the JVMs, checks that every message
 * arrived in order and that the counter equals the increments the lockers made, and removes
 * every region.
 *
 * <p>Stats layout (a {@link SharedLongArray}, padded): see the constants.
 */
public final class LiveDemo {
    static final int STOP = 0;
    static final int PRODUCED = 1;
    static final int CONSUMED = 2;
    static final int P50 = 3;
    static final int P99 = 4;
    static final int MAX = 5;
    static final int COUNTER = 6;
    static final int LOCKER_0 = 7;
    static final int STATS = 9;
    static final int MESSAGE = 64;
    /** Messages the producer offers per second: a steady stream, not a flood, so latency is the transport's. */
    static final long RATE = 200_000;

    private LiveDemo() {
    }

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 5, RegionDirectory.defaultDirectory(), System.out);
    }

    /**
     * Runs the demo for {@code seconds} in {@code directory}.
     *
     * @return the final counter (equal to the lockers' increments, or this throws)
     */
    public static long run(int seconds, RegionDirectory directory, PrintStream out) throws Exception {
        String prefix = "live-demo-" + ProcessHandle.current().pid();
        List<String> regions = List.of(prefix + "-ring", prefix + "-lock", prefix + "-stats");
        List<ChildJvm> children = new ArrayList<>();
        try (SpscRing ring = SpscRing.create(directory, regions.get(0), RingOptions.of(1 << 20, MESSAGE));
             SharedLock lock = SharedLock.create(directory, regions.get(1), false);
             SharedLongArray stats = SharedLongArray.create(directory, regions.get(2), STATS, true)) {
            String dir = directory.path().toString();
            children.add(launch(Consumer.class, dir, prefix));
            children.add(launch(Producer.class, dir, prefix));
            children.add(launch(Locker.class, dir, prefix, "0"));
            children.add(launch(Locker.class, dir, prefix, "1"));
            out.printf("live demo in %s: producer JVM %d -> SPSC ring -> consumer JVM %d; locker JVMs %d and %d share "
                + "lock '%s'%n", directory.path(), children.get(1).pid(), children.get(0).pid(), children.get(2).pid(),
                children.get(3).pid(), regions.get(1));
            out.println("(watch it from another shell: bin/interproc stat " + regions.get(0) + " --watch)");
            long lastConsumed = 0;
            long lastCounter = 0;
            long last = System.nanoTime();
            for (int s = 1; s <= seconds; s++) {
                Thread.sleep(1000);
                for (ChildJvm child : children) {
                    if (!child.isAlive()) {
                        throw new IllegalStateException("demo JVM " + child.pid() + " exited early with status "
                            + child.exitCode().orElse(-1));
                    }
                }
                long now = System.nanoTime();
                long consumed = stats.get(CONSUMED);
                long counter = stats.get(COUNTER);
                double elapsed = (now - last) / 1e9;
                out.printf(Locale.ROOT, "%3d s  ring %6.3f M msg/s (%4.0f MB/s), latency p50 %7.1f us p99 %8.1f us"
                        + " max %8.1f us | lock %5.3f M increments/s, counter %,d%n", s,
                    (consumed - lastConsumed) / elapsed / 1e6, (consumed - lastConsumed) * MESSAGE / elapsed / 1e6,
                    stats.get(P50) / 1e3, stats.get(P99) / 1e3, stats.get(MAX) / 1e3,
                    (counter - lastCounter) / elapsed / 1e6, counter);
                lastConsumed = consumed;
                lastCounter = counter;
                last = now;
            }
            stats.set(STOP, 1);
            for (ChildJvm child : children) {
                if (!child.join(Duration.ofSeconds(30)) || child.exitCode().orElse(-1) != 0) {
                    throw new IllegalStateException("demo JVM " + child.pid() + " did not stop cleanly (status "
                        + child.exitCode() + ")");
                }
            }
            long counter = stats.get(COUNTER);
            long increments = stats.get(LOCKER_0) + stats.get(LOCKER_0 + 1);
            if (counter != increments) {
                throw new IllegalStateException("the counter is " + counter + " but the lockers made " + increments
                    + " increments");
            }
            out.printf(Locale.ROOT, "stopped: %,d messages produced, %,d consumed in order; counter %,d = %,d + %,d "
                    + "increments under the lock; regions removed%n", stats.get(PRODUCED), stats.get(CONSUMED), counter,
                stats.get(LOCKER_0), stats.get(LOCKER_0 + 1));
            return counter;
        } finally {
            for (ChildJvm child : children) {
                child.close();
            }
            for (String region : regions) {
                directory.unlink(region);
            }
        }
    }

    private static ChildJvm launch(Class<? extends JvmTask> role, String... args) {
        return ChildJvm.builder(role).inheritJvmOptions(false).jvmOptions("-Xmx64m").args(args).start();
    }

    private static SharedLongArray stats(String[] args) {
        return SharedLongArray.open(RegionDirectory.of(Path.of(args[0])), args[1] + "-stats");
    }

    /** Offers timestamped messages at {@value #RATE} a second, in bursts, until told to stop. */
    public static final class Producer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            try (SharedLongArray stats = stats(args);
                 SpscRing ring = SpscRing.open(RegionDirectory.of(Path.of(args[0])), args[1] + "-ring")) {
                MemorySegment buffer = ring.buffer();
                long seq = 0;
                long start = System.nanoTime();
                while (stats.get(STOP) == 0) {
                    long due = (System.nanoTime() - start) * RATE / 1_000_000_000L;
                    while (seq < due) {
                        long offset = ring.tryClaim(1, MESSAGE);
                        if (offset < 0) {
                            Thread.onSpinWait();
                            continue;
                        }
                        buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, seq++);
                        buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8, System.nanoTime());
                        ring.commit(offset);
                    }
                    stats.set(PRODUCED, seq);
                    LockSupport.parkNanos(50_000);
                }
            }
        }
    }

    /** Takes every message, checks the sequence, and publishes throughput and latency percentiles every 200 ms. */
    public static final class Consumer implements JvmTask {
        private long expected;
        private int samples;
        private final long[] latencies = new long[1 << 16];
        private long tick;

        @Override
        public void run(String[] args) throws Exception {
            try (SharedLongArray stats = stats(args);
                 SpscRing ring = SpscRing.open(RegionDirectory.of(Path.of(args[0])), args[1] + "-ring")) {
                long publishAt = System.nanoTime();
                while (true) {
                    ring.read(this::onMessage, 256);
                    ring.take(this::onMessage, 10, TimeUnit.MILLISECONDS);
                    long now = System.nanoTime();
                    if (now - publishAt >= 200_000_000L) {
                        publish(stats);
                        publishAt = now;
                        if (stats.get(STOP) != 0 && ring.size() == 0 && stats.get(PRODUCED) == expected) {
                            return;
                        }
                    }
                }
            }
        }

        private void onMessage(int type, MemorySegment buffer, long offset, int length) {
            long seq = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            if (seq != expected) {
                throw new IllegalStateException("message " + seq + " arrived, expected " + expected);
            }
            expected++;
            // One message in 64 is timed (reading the clock costs more than moving a message).
            if ((++tick & 63) == 0 && samples < latencies.length) {
                latencies[samples++] = System.nanoTime() - buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8);
            }
        }

        private void publish(SharedLongArray stats) {
            stats.set(CONSUMED, expected);
            if (samples > 0) {
                Arrays.sort(latencies, 0, samples);
                stats.set(P50, latencies[samples / 2]);
                stats.set(P99, latencies[(int) Math.min(samples - 1, (long) samples * 99 / 100)]);
                stats.set(MAX, latencies[samples - 1]);
                samples = 0;
            }
        }
    }

    /** Increments the shared counter under the lock until told to stop; counts its own increments. */
    public static final class Locker implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            int index = Integer.parseInt(args[2]);
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            try (SharedLongArray stats = stats(args);
                 SharedLock lock = SharedLock.open(directory, args[1] + "-lock")) {
                long mine = 0;
                while (stats.get(STOP) == 0) {
                    for (int i = 0; i < 100; i++) {
                        lock.lock();
                        try {
                            stats.set(COUNTER, stats.get(COUNTER) + 1); // a plain read-modify-write: the lock makes it safe
                        } finally {
                            lock.unlock();
                        }
                    }
                    mine += 100;
                    stats.set(LOCKER_0 + index, mine);
                    LockSupport.parkNanos(20_000);
                }
            }
        }
    }
}
