package io.interproc.bench;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.internal.memory.Futex;
import io.interproc.core.internal.memory.MemoryAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The hardware's floor between two JVMs: round trips of a one-word ping-pong, either spinning on
 * the word or sleeping on it with a raw futex (no spin phase: every hand-off is a wake and a sleep).
 * The parent JVM measures; a child JVM launched with {@link ChildJvm} answers.
 *
 * <p>Run with {@code bin/pingpong [--mode spin|futex|both] [--iterations N] [--warmup N]}.
 */
public final class FloorPingPong {
    static final RegionType TYPE = RegionType.of("bench-pingpong", 1);
    /** Offset of the spin word (long), the futex word (int) and the child's ready flag, each on its own lines. */
    static final long SPIN_WORD = 0;
    static final long FUTEX_WORD = 128;
    static final long READY = 256;
    static final long BODY = 384;

    /** Percentiles of one run, in nanoseconds. */
    public record Result(String mode, long iterations, long p50, long p99, long p999, long max) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-6s round trip: median %s, p99 %s, p99.9 %s, max %s (%d round trips)",
                mode, format(p50), format(p99), format(p999), format(max), iterations);
        }
    }

    private FloorPingPong() {
    }

    public static void main(String[] args) throws Exception {
        String mode = "both";
        long iterations = -1;
        long warmup = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mode" -> mode = args[++i];
                case "--iterations" -> iterations = Long.parseLong(args[++i]);
                case "--warmup" -> warmup = Long.parseLong(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: bin/pingpong [--mode spin|futex|both] [--iterations N] [--warmup N]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "' (try --help)");
            }
        }
        CpuPinning.pin(0);
        List<String> modes = mode.equals("both") ? List.of("spin", "futex") : List.of(mode);
        System.out.println("one-word ping-pong between two JVMs; " + Runtime.getRuntime().availableProcessors()
            + " cpus, futex " + (Futex.isSupported() ? "supported" : "NOT supported (fallback polling)") + ", JDK "
            + Runtime.version());
        for (String m : modes) {
            long n = iterations > 0 ? iterations : (m.equals("spin") ? 2_000_000 : 50_000);
            long w = warmup >= 0 ? warmup : n / 4;
            System.out.println(run(m, n, w));
        }
    }

    /**
     * Runs a ping-pong against a freshly launched child JVM.
     *
     * @param mode       {@code spin} or {@code futex}
     * @param iterations measured round trips
     * @param warmup     round trips before measuring
     */
    public static Result run(String mode, long iterations, long warmup) throws Exception {
        long total = warmup + iterations;
        try (Session session = new Session(mode, total)) {
            Histogram histogram = new Histogram(3_600_000_000_000L, 3);
            for (long i = 0; i < total; i++) {
                long start = System.nanoTime();
                session.roundTrip();
                long elapsed = System.nanoTime() - start;
                if (i >= warmup) {
                    histogram.recordValue(elapsed);
                }
            }
            session.awaitChildExit();
            return new Result(mode, iterations, histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99),
                histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
        }
    }

    /** A one-word ping-pong partner in a child JVM; {@link #roundTrip()} pings it once. Not thread-safe. */
    public static final class Session implements AutoCloseable {
        private final boolean spin;
        /** A directory of its own, removed once both sides mapped the region: nothing is left behind. */
        private final Path dir;
        private final RegionDirectory directory;
        private final String name = "bench-pingpong-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        private final Region region;
        private final MemoryAccess m;
        private final ChildJvm child;
        private long i;

        /**
         * @param mode  {@code spin} or {@code futex}
         * @param total round trips the child answers before it exits, or -1 for until killed
         */
        public Session(String mode, long total) {
            if (!mode.equals("spin") && !mode.equals("futex")) {
                throw new IllegalArgumentException("mode must be spin or futex, got '" + mode + "'");
            }
            spin = mode.equals("spin");
            try {
                dir = BenchPeer.tempDirectory();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            directory = RegionDirectory.of(dir);
            region = directory.create(name, new RegionSpec(TYPE, BODY), r -> { });
            try {
                child = ChildJvm.builder(Echo.class).inheritJvmOptions(false).jvmOptions("-Xmx64m")
                    .args(directory.path().toString(), name, mode, Long.toString(total)).start();
                m = region.memory();
                while (m.getIntVolatile(READY) == 0) {
                    if (!child.isAlive()) {
                        throw new IllegalStateException("the echo JVM died before it was ready");
                    }
                    Thread.onSpinWait();
                }
            } finally {
                directory.unlink(name); // both sides have it mapped now; nothing is left to clean up
                try {
                    BenchPeer.delete(dir);
                } catch (IOException ignored) {
                    // removed at exit at the latest (BenchPeer.tempDirectory)
                }
            }
        }

        /** One ping and its answer. */
        public void roundTrip() {
            if (spin) {
                spinRoundTrip(m, i++);
            } else {
                futexRoundTrip(region, m, i++);
            }
        }

        void awaitChildExit() throws InterruptedException {
            if (!child.join(Duration.ofSeconds(30))) {
                throw new IllegalStateException("the echo JVM did not finish");
            }
        }

        @Override
        public void close() {
            child.close();
            region.close();
        }
    }

    private static void spinRoundTrip(MemoryAccess m, long i) {
        long reply = 2 * i + 2;
        m.putLongRelease(SPIN_WORD, 2 * i + 1);
        while (m.getLongAcquire(SPIN_WORD) != reply) {
            Thread.onSpinWait();
        }
    }

    private static void futexRoundTrip(Region region, MemoryAccess m, long i) {
        int reply = (int) (2 * i + 2);
        m.putIntVolatile(FUTEX_WORD, (int) (2 * i + 1));
        Futex.wake(region.body(), FUTEX_WORD, 1);
        int seen;
        while ((seen = m.getIntVolatile(FUTEX_WORD)) != reply) {
            Futex.await(region.body(), FUTEX_WORD, seen, 1_000_000_000L);
        }
    }

    /** The answering side, in its own JVM. */
    public static final class Echo implements JvmTask {
        @Override
        public void run(String[] args) {
            CpuPinning.pin(1);
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            boolean spin = args[2].equals("spin");
            long total = Long.parseLong(args[3]) < 0 ? Long.MAX_VALUE : Long.parseLong(args[3]);
            try (Region region = directory.open(args[1], TYPE)) {
                MemoryAccess m = region.memory();
                m.putIntVolatile(READY, 1);
                for (long i = 0; i < total; i++) {
                    if (spin) {
                        long ping = 2 * i + 1;
                        while (m.getLongAcquire(SPIN_WORD) != ping) {
                            Thread.onSpinWait();
                        }
                        m.putLongRelease(SPIN_WORD, ping + 1);
                    } else {
                        int ping = (int) (2 * i + 1);
                        int seen;
                        while ((seen = m.getIntVolatile(FUTEX_WORD)) != ping) {
                            Futex.await(region.body(), FUTEX_WORD, seen, 1_000_000_000L);
                        }
                        m.putIntVolatile(FUTEX_WORD, ping + 1);
                        Futex.wake(region.body(), FUTEX_WORD, 1);
                    }
                }
            }
        }
    }

    static String format(long nanos) {
        return nanos < 10_000 ? nanos + " ns" : String.format(Locale.ROOT, "%.1f us", nanos / 1000.0);
    }

}
