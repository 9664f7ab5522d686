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
 * Round trip of a 64-byte message to a child JVM and back, through two rings, against the floors
 * measured in the same run: a one-word spin ping-pong and a one-word futex ping-pong.
 * {@code interproc}, {@code agrona} and {@code aeron} (IPC, embedded driver) spin on both sides; {@code interproc-blocking} sleeps in the
 * kernel on both sides between messages (no spin phase), the case to hold against {@code floor-futex};
 * {@code interproc-pipe} goes through one duplex pipe with its default waits (spin, yield, sleep);
 * {@code abq} is the in-JVM reference: two threads and two ArrayBlockingQueues (blocking take).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m", BenchPeer.AGRONA_FLAG})
public class RoundTripBenchmark {
    @Param({"floor-spin", "interproc", "agrona", "aeron", "abq", "floor-futex", "interproc-blocking", "interproc-pipe", "uds", "tcp"})
    public String impl;

    @Param({"64"})
    public int length;

    private ChannelRig rig;
    private FloorPingPong.Session floor;

    @Setup
    public void setUp() throws Exception {
        if (impl.startsWith("floor-")) {
            CpuPinning.pin(0);
            floor = new FloorPingPong.Session(impl.substring("floor-".length()), -1);
            return;
        }
        rig = ChannelRig.roundTrip(impl, length);
    }

    @TearDown
    public void tearDown() throws Exception {
        if (floor != null) {
            floor.close();
            return;
        }
        rig.close();
    }

    @Benchmark
    public long roundTrip() throws InterruptedException {
        if (floor != null) {
            floor.roundTrip();
            return 0;
        }
        return rig.roundTrip();
    }
}
