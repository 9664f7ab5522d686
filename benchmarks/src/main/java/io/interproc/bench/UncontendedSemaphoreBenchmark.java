package io.interproc.bench;

import io.interproc.core.RegionDirectory;
import io.interproc.sync.SharedSemaphore;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Uncontended acquire + release of one permit: interproc's shared semaphore (which records its
 * holders so a dead process's permits come back) against the JDK's {@link Semaphore}, in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class UncontendedSemaphoreBenchmark {
    @Param({"interproc", "Semaphore"})
    public String impl;

    private Path dir;
    private SharedSemaphore shared;
    private Semaphore jdk;

    @Setup
    public void setUp() throws Exception {
        CpuPinning.pin(0);
        if (impl.equals("Semaphore")) {
            jdk = new Semaphore(4);
            return;
        }
        dir = BenchPeer.tempDirectory();
        shared = SharedSemaphore.create(RegionDirectory.of(dir), "semaphore", 4, true);
    }

    @TearDown
    public void tearDown() throws Exception {
        if (shared != null) {
            shared.close();
            BenchPeer.delete(dir);
        }
    }

    @Benchmark
    public void acquireRelease() throws InterruptedException {
        if (jdk != null) {
            jdk.acquire();
            jdk.release();
        } else {
            shared.acquire();
            shared.release();
        }
    }
}
