package io.interproc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs every JMH benchmark, every parameter, for a moment: none may rot unnoticed. */
class BenchmarkSmokeTest {
    /** The forks' default region directory (the floors use it): the test leaves nothing in the shared one. */
    @TempDir
    Path dir;

    /**
     * Another JMH run on the machine (a user's bin/bench) holds /tmp/jmh.lock; the smoke test's
     * numbers mean nothing anyway, so it does not wait for or fail on that lock.
     */
    @BeforeAll
    static void ignoreJmhLock() {
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    @Timeout(600)
    void shouldRunEveryBenchmarkBriefly() throws Exception {
        Options options = new OptionsBuilder()
            .include("io\\.interproc\\.bench\\..*")
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .forks(1)
            .jvmArgsPrepend("-D" + RegionDirectory.DIRECTORY_PROPERTY + "=" + dir)
            .shouldFailOnError(true)
            .build();
        Collection<RunResult> results = new Runner(options).run();
        Set<String> ran = new TreeSet<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark().replaceAll(".*\\.(\\w+Benchmark)\\..*", "$1");
            String impl = result.getParams().getParam("impl");
            double score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && !Double.isNaN(score), name + " " + impl + " scored " + score);
            ran.add(name + ":" + impl);
        }
        assertEquals(Set.of(
            "MpscThroughputBenchmark:agrona-mpsc", "MpscThroughputBenchmark:interproc-mpsc",
            "RoundTripBenchmark:agrona", "RoundTripBenchmark:aeron", "SpscThroughputBenchmark:aeron", "RoundTripBenchmark:floor-futex", "RoundTripBenchmark:floor-spin",
            "RoundTripBenchmark:interproc", "RoundTripBenchmark:interproc-blocking",
            "RoundTripBenchmark:uds", "RoundTripBenchmark:tcp", "SpscThroughputBenchmark:uds", "SpscThroughputBenchmark:tcp",
            "SpscThroughputBenchmark:agrona", "SpscThroughputBenchmark:interproc",
            "SyncRoundTripBenchmark:interproc-event", "SyncRoundTripBenchmark:floor-futex",
            "SyncRoundTripBenchmark:interproc-lock", "SyncRoundTripBenchmark:filelock",
            "UncontendedLockBenchmark:ReentrantLock", "UncontendedLockBenchmark:interproc",
            "UncontendedLockBenchmark:interproc-reentrant",
            "SpscThroughputBenchmark:abq", "RoundTripBenchmark:abq", "RoundTripBenchmark:interproc-pipe",
            "ChronicleBenchmark:chronicle", "MpscThroughputBenchmark:interproc-mpmc",
            "UncontendedSemaphoreBenchmark:interproc", "UncontendedSemaphoreBenchmark:Semaphore",
            "SingleThreadRingBenchmark:interproc", "SingleThreadRingBenchmark:agrona",
            "SingleThreadRingBenchmark:interproc-mpsc", "SingleThreadRingBenchmark:agrona-mpsc",
            "SpscClaimThroughputBenchmark:interproc", "SpscClaimThroughputBenchmark:agrona"), ran);
    }

    @Test
    @Timeout(300)
    void shouldMeasureTheFloorsAndPythonOrSayWhyNot(@TempDir Path tmp) {
        for (int length : External.LENGTHS) {
            External.Outcome ring = External.cFloor("ring", length, 0.2);
            if (ring.skipped() != null) { // no C compiler where the build ran
                assertTrue(ring.skipped().contains("cc"), ring.skipped());
                assertTrue(!Files.exists(External.floorBinary()), "skipped although the binary is there: " + ring.skipped());
                continue;
            }
            BenchReport.Row r = ring.rows().get(0);
            assertEquals(new BenchReport.Row("SpscThroughput " + length + " B", "floor-c-ring", "throughput", "ops/s", r.value()), r);
            assertTrue(r.value() > 1000, "C ring: " + r.value() + " msg/s");
            External.Outcome copy = External.cFloor("memcpy", length, 0.2);
            assertTrue(copy.rows().get(0).value() > r.value() / 100, "memcpy: " + copy.rows().get(0));
        }
        String saved = System.getProperty("interproc.bench.floorBinary");
        System.setProperty("interproc.bench.floorBinary", tmp.resolve("absent").toString());
        try {
            External.Outcome none = External.cFloor("ring", 64, 0.2);
            assertTrue(none.rows().isEmpty() && none.skipped().contains("no binary at " + tmp.resolve("absent")), none.skipped());
        } finally {
            restore("interproc.bench.floorBinary", saved);
        }
        External.Outcome python = External.python(0.3);
        if (python.skipped() == null) {
            Set<String> rows = new TreeSet<>();
            python.rows().forEach(r -> rows.add(r.benchmark() + ":" + r.implementation() + ":" + r.metric()));
            assertTrue(rows.containsAll(Set.of("RoundTrip 64 B:python-queue:median", "RoundTrip 64 B:python-pipe:p99",
                "SyncRoundTrip:python-event:median", "SpscThroughput 64 B:python-queue:throughput")), rows.toString());
            assertTrue(python.rows().stream().allMatch(r -> r.value() > 0), python.rows().toString());
        }
        System.setProperty("interproc.bench.python", tmp.resolve("no-python3").toString());
        try {
            External.Outcome none = External.python(0.3);
            assertTrue(none.rows().isEmpty() && none.skipped().startsWith("Python multiprocessing: cannot run")
                && none.skipped().contains("no-python3"), none.skipped());
        } finally {
            System.clearProperty("interproc.bench.python");
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    @Test
    @Timeout(300)
    void shouldRunPairsAndGiveVerdicts(@TempDir Path out) throws Exception {
        Pairs.main(new String[] {"3", out.toString(), "-wi", "0", "-i", "1", "-r", "100ms", "-p", "impl=interproc,ReentrantLock",
            "-jvmArgsPrepend", "-D" + RegionDirectory.DIRECTORY_PROPERTY + "=" + dir, "UncontendedLock"});
        List<Pairs.Measured> measured = Pairs.read(out.resolve("pairs.csv"));
        assertEquals(6, measured.size(), measured.toString());
        for (int round = 1; round <= 3; round++) {
            final int r = round;
            assertEquals(Set.of("interproc", "ReentrantLock"), measured.stream().filter(m -> m.round() == r)
                .map(Pairs.Measured::implementation).collect(java.util.stream.Collectors.toSet()));
        }
        assertTrue(measured.stream().allMatch(m -> m.value() > 0 && m.probeBefore() > 0 && m.probeAfter() > 0), measured.toString());
        BenchReport.main(new String[] {"-", out.toString()});
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("## Verdicts (3 rounds)") && report.contains("| UncontendedLock | ReentrantLock |"), report);
        assertTrue(Files.readString(out.resolve("readme-table.md")).contains("| UncontendedLock |"));
    }
}
