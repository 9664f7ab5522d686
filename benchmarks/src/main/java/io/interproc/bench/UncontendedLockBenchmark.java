package io.interproc.bench;

import io.interproc.core.RegionDirectory;
import io.interproc.sync.SharedLock;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
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

/** Uncontended lock + unlock: interproc's shared lock against the JDK's ReentrantLock, in the same run. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m", BenchPeer.AGRONA_FLAG})
public class UncontendedLockBenchmark {
    @Param({"interproc", "interproc-reentrant", "ReentrantLock"})
    public String impl;

    private Path dir;
    private Lock lock;

    @Setup
    public void setUp() throws Exception {
        CpuPinning.pin(0);
        if (impl.equals("ReentrantLock")) {
            lock = new ReentrantLock();
            return;
        }
        dir = BenchPeer.tempDirectory();
        lock = SharedLock.create(RegionDirectory.of(dir), "lock", impl.endsWith("reentrant"));
    }

    @TearDown
    public void tearDown() throws Exception {
        if (lock instanceof SharedLock shared) {
            shared.close();
            BenchPeer.delete(dir);
        }
    }

    @Benchmark
    public void lockUnlock() {
        lock.lock();
        lock.unlock();
    }
}
