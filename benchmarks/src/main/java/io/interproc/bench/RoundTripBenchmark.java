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
 * Round trip of a 64-byte message to a child JVM and back, through two rings, against the floors
 * measured in the same run: a one-word spin ping-pong and a one-word futex ping-pong.
 * {@code interproc} and {@code agrona} spin on both sides; {@code interproc-blocking} sleeps in the
 * kernel on both sides between messages (no spin phase), the case to hold against {@code floor-futex}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m", BenchPeer.AGRONA_FLAG})
public class RoundTripBenchmark {
    @Param({"floor-spin", "interproc", "agrona", "floor-futex", "interproc-blocking", "uds", "tcp"})
    public String impl;

    @Param({"64"})
    public int length;

    private Path dir;
    private BenchChannel ping;
    private BenchChannel pong;
    private ChildJvm echo;
    private FloorPingPong.Session floor;
    private long seq;

    @Setup
    public void setUp() throws Exception {
        CpuPinning.pin(0);
        if (impl.startsWith("floor-")) {
            floor = new FloorPingPong.Session(impl.substring("floor-".length()), -1);
            return;
        }
        dir = BenchPeer.tempDirectory();
        ping = BenchChannel.open(impl, dir, "ping", true);
        pong = BenchChannel.open(impl, dir, "pong", true);
        echo = BenchPeer.launch("echo", impl, dir.toString(), "ping", "pong", Integer.toString(length));
    }

    @TearDown
    public void tearDown() throws Exception {
        if (floor != null) {
            floor.close();
            return;
        }
        echo.close();
        ping.close();
        pong.close();
        BenchPeer.delete(dir);
    }

    @Benchmark
    public long roundTrip() throws InterruptedException {
        if (floor != null) {
            floor.roundTrip();
            return 0;
        }
        ping.put(++seq, length);
        long answer = pong.take();
        if (answer != seq) {
            throw new IllegalStateException("echo answered " + answer + " to " + seq);
        }
        return answer;
    }
}
