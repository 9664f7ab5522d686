package io.interproc.bench;

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
 * mapped file: messages per second, interproc's ring against Agrona's OneToOneRingBuffer, Aeron IPC, sockets,
 * and (as an in-JVM reference) an ArrayBlockingQueue between two threads. Chronicle Queue runs in
 * {@link ChronicleBenchmark}, whose forks get its JVM flags.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m", BenchPeer.AGRONA_FLAG})
public class SpscThroughputBenchmark {
    @Param({"interproc", "agrona", "aeron", "abq", "uds", "tcp"})
    public String impl;

    @Param({"64", "1024"})
    public int length;

    private ChannelRig rig;

    @Setup
    public void setUp() throws Exception {
        rig = ChannelRig.throughput(impl, length);
    }

    @TearDown
    public void tearDown() throws Exception {
        rig.close();
    }

    @Benchmark
    public void offer() {
        rig.offer();
    }
}
