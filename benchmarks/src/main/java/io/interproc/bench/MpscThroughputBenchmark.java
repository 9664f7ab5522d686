package io.interproc.bench;

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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Producer JVMs (two; {@code -p producers=N}) into one ring, consumed here: messages per second at the consumer, interproc's
 * MPSC ring (an SPSC lane per producer, half the capacity each) against Agrona's ManyToOneRingBuffer.
 * {@code interproc-mpmc} is the MPMC queue with two producer JVMs and two competing consumers (this
 * JVM and a peer): the score is this consumer's share, about half the total. On a 2-core
 * machine the processes share two cores, so this measures contention as much as the queue. With {@code bin/bench --pin} (CPUs 0,1) the consumer
 * has CPU 0 to itself and both producer JVMs' working threads take turns on CPU 1 (every other
 * thread of a peer stays on CPU 0, where the consumer's thread launched it: JIT and GC threads, idle
 * once warmed up). Up to 11244a9 the second producer shared CPU 0 with the consumer, and the
 * score followed how the scheduler split that CPU: see the README ({@link #work} probes which side
 * bounds the score).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m", BenchPeer.AGRONA_FLAG})
public class MpscThroughputBenchmark {
    @Param({"interproc-mpsc", "agrona-mpsc", "interproc-mpmc"})
    public String impl;

    @Param({"64"})
    public int length;

    /** Producer JVMs: 2 in the suite; {@code -p producers=4} for more producers than CPUs. */
    @Param({"2"})
    public int producers;

    /**
     * Work the consumer does per message besides reading it, in {@link Blackhole#consumeCPU} tokens
     * (about 1 ns each here): 0 in the suite; {@code -p work=12} stands for a handler that does
     * something with each message.
     */
    @Param({"0"})
    public int work;

    /**
     * How each producer waits while the ring is full: {@code yield} (the suite: {@link Thread#yield}, the
     * second phase of Agrona's {@code BackoffIdleStrategy}) or {@code spin} ({@link Thread#onSpinWait}).
     * With {@code --pin} on 2 CPUs both producers take turns on one CPU, and one preempted between its
     * claim and its commit holds the consumer at its record until it runs again: a producer that spins
     * on the full ring meanwhile keeps it off the CPU for the rest of its time slice, so with
     * {@code spin} the score follows the scheduler's slices (on the Intel VM of 2026-12-05, interproc
     * 18.0-25.5 M msg/s and Agrona 14.4-33.1 M in 6 pairs with {@code spin}, 27.4-41.8 M and
     * 34.9-56.0 M in 12 pairs with {@code yield}; see the README and docs/bench/2026-12-05).
     */
    @Param({"yield"})
    public String producerWait;

    private Path dir;
    private BenchChannel channel;
    private final java.util.List<BenchPeer.Peer> peers = new java.util.ArrayList<>();

    @Setup
    public void setUp() throws Exception {
        CpuPinning.pin(0);
        dir = BenchPeer.tempDirectory();
        if (producers < 1) {
            throw new IllegalArgumentException("producers must be at least 1, got " + producers);
        }
        channel = BenchChannel.open(impl, dir, "mpsc", true);
        BenchPeer.parseWait(producerWait); // a bad value fails here, not in the peers
        String size = Integer.toString(length);
        for (int i = 0; i < producers; i++) {
            peers.add(BenchPeer.launch("produce", impl, dir.toString(),
                "mpsc", size, producerWait));
        }
        if (impl.equals("interproc-mpmc")) {
            peers.add(BenchPeer.launch("drain", impl, dir.toString(), "mpsc"));
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        for (BenchPeer.Peer peer : peers) {
            peer.close();
        }
        peers.clear();
        channel.close();
        BenchPeer.delete(dir);
    }

    @Benchmark
    public int consume() {
        if (work > 0) {
            Blackhole.consumeCPU(work);
        }
        int n;
        while ((n = channel.drain(1)) == 0) {
            Thread.onSpinWait();
        }
        return n;
    }
}
