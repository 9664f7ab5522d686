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
 * {@link SpscThroughputBenchmark}'s producer and consumer, but the producer writes each message in
 * place, zero-copy: a claim ({@code tryClaim}), the filler and then the value written straight into
 * the ring, and the commit. interproc's ring against Agrona's OneToOneRingBuffer (its {@code
 * tryClaim}/{@code commit}), the same bytes written per message in both.
 *
 * <p>Why apart from the copying {@code offer}: there the value is stored into the source message
 * just before the ring copies it, and on x86 the copy's wide loads cannot take that narrower store
 * from the store buffer. They wait until it is written to the cache, and it queues behind the
 * previous message's stores into lines the consumer holds, which wait for the other core. So each
 * copied message pays about one cross-core transfer (see the README's figures); a claimed message
 * does not.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m", BenchPeer.AGRONA_FLAG})
public class SpscClaimThroughputBenchmark {
    @Param({"interproc", "agrona"})
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
    public void claim() {
        rig.claim();
    }
}
