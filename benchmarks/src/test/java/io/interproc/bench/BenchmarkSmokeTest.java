package io.interproc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionDirectory;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
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
            "RoundTripBenchmark:agrona", "RoundTripBenchmark:floor-futex", "RoundTripBenchmark:floor-spin",
            "RoundTripBenchmark:interproc", "RoundTripBenchmark:interproc-blocking",
            "RoundTripBenchmark:uds", "RoundTripBenchmark:tcp", "SpscThroughputBenchmark:uds", "SpscThroughputBenchmark:tcp",
            "SpscThroughputBenchmark:agrona", "SpscThroughputBenchmark:interproc",
            "SyncRoundTripBenchmark:event-wakeup", "SyncRoundTripBenchmark:floor-futex",
            "SyncRoundTripBenchmark:lock-handoff", "SyncRoundTripBenchmark:filelock-handoff",
            "UncontendedLockBenchmark:ReentrantLock", "UncontendedLockBenchmark:interproc",
            "UncontendedLockBenchmark:interproc-reentrant",
            "SpscThroughputBenchmark:abq", "RoundTripBenchmark:abq", "RoundTripBenchmark:interproc-pipe",
            "ChronicleBenchmark:chronicle", "MpscThroughputBenchmark:interproc-mpmc", "MpscThroughputBenchmark:interproc-fanin",
            "UncontendedSemaphoreBenchmark:interproc", "UncontendedSemaphoreBenchmark:Semaphore",
            "SingleThreadRingBenchmark:interproc", "SingleThreadRingBenchmark:agrona",
            "SingleThreadRingBenchmark:interproc-mpsc", "SingleThreadRingBenchmark:agrona-mpsc",
            "SpscClaimThroughputBenchmark:interproc", "SpscClaimThroughputBenchmark:agrona"), ran);
    }
}
