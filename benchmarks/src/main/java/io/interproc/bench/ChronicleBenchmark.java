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
 * Chronicle Queue (appender in this JVM, tailer in a peer JVM) on the workloads of
 * {@link SpscThroughputBenchmark} ({@link #offer}) and {@link RoundTripBenchmark} ({@link #roundTrip}),
 * with the same code ({@link ChannelRig}). A class of its own so that the JVM flags Chronicle needs
 * on JDK 25 ({@link ChronicleChannel#FLAGS}, repeated below because annotations take only constants)
 * go to its forks alone. The report files its results under those two benchmarks.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true"})
public class ChronicleBenchmark {
    /** A workload's state: the rig, torn down the same way for both. */
    public abstract static class Rigged {
        ChannelRig rig;

        @TearDown
        public void tearDown() throws Exception {
            rig.close();
        }
    }

    /** The throughput workload's state. */
    @State(Scope.Benchmark)
    public static class Throughput extends Rigged {
        @Param({"chronicle"})
        public String impl;

        @Param({"64", "1024"})
        public int length;

        @Setup
        public void setUp() throws Exception {
            rig = ChannelRig.throughput(impl, length);
        }
    }

    /** The round-trip workload's state. */
    @State(Scope.Benchmark)
    public static class RoundTrip extends Rigged {
        @Param({"chronicle"})
        public String impl;

        @Param({"64"})
        public int length;

        @Setup
        public void setUp() throws Exception {
            rig = ChannelRig.roundTrip(impl, length);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void offer(Throughput state) {
        state.rig.offer();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long roundTrip(RoundTrip state) throws InterruptedException {
        return state.rig.roundTrip();
    }
}
