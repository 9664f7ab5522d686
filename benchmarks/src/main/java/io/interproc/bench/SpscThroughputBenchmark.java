package io.interproc.bench;

import io.interproc.core.ChildJvm;
import java.nio.file.Path;
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
 * One producer (this JVM) and one consumer (a child JVM that drains as fast as it can) over a ring in a
 * mapped file: messages per second, interproc's ring against Agrona's OneToOneRingBuffer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m", BenchPeer.AGRONA_FLAG})
public class SpscThroughputBenchmark {
    @Param({"interproc", "agrona", "uds", "tcp"})
    public String impl;

    @Param({"64", "1024"})
    public int length;

    private Path dir;
    private BenchChannel channel;
    private ChildJvm consumer;
    private long seq;

    @Setup
    public void setUp() throws Exception {
        CpuPinning.pin(0);
        dir = BenchPeer.tempDirectory();
        channel = BenchChannel.open(impl, dir, "spsc", true);
        consumer = BenchPeer.launch("drain", impl, dir.toString(), "spsc");
    }

    @TearDown
    public void tearDown() throws Exception {
        consumer.close();
        channel.close();
        BenchPeer.delete(dir);
    }

    @Benchmark
    public void offer() {
        while (!channel.offer(seq, length)) {
            Thread.onSpinWait();
        }
        seq++;
    }
}
