package io.interproc.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The instructions of a ring's per-message paths, without the cache-line traffic between cores:
 * one thread offers a batch of 64-byte messages into a ring in a mapped file and drains them
 * through a second handle, and polls an empty ring. interproc's rings against Agrona's
 * OneToOneRingBuffer and ManyToOneRingBuffer in the same run. The cross-process benchmarks decide; this one explains.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m", BenchPeer.AGRONA_FLAG})
public class SingleThreadRingBenchmark {
    private static final int BATCH = 100;
    private static final int LENGTH = 64;

    /** The SPSC rings, and the MPSC rings (interproc's and Agrona's ManyToOneRingBuffer). */
    @Param({"interproc", "agrona", "interproc-mpsc", "agrona-mpsc"})
    public String impl;

    private Path dir;
    private BenchChannel producer;
    private BenchChannel consumer;
    private BenchChannel empty;
    private long sequence;

    @Setup
    public void setUp() throws Exception {
        CpuPinning.pin(0);
        dir = BenchPeer.tempDirectory();
        producer = BenchChannel.open(impl, dir, "ring", true);
        consumer = BenchChannel.open(impl, dir, "ring", false);
        empty = BenchChannel.open(impl, dir, "empty", true);
    }

    @TearDown
    public void tearDown() throws Exception {
        producer.close();
        consumer.close();
        empty.close();
        BenchPeer.delete(dir);
    }

    /** Per message: one offer of 64 bytes and its share of draining the batch. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int offerThenDrain() {
        offerBatch();
        int drained = 0;
        while (drained < BATCH) {
            drained += consumer.drain(BATCH - drained);
        }
        return drained;
    }

    /**
     * Per message: one offer of 64 bytes, and one read of at most one message (a batch of one, as
     * the consumer of {@link MpscThroughputBenchmark} reads).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int offerThenReadEach() {
        offerBatch();
        int drained = 0;
        while (drained < BATCH) {
            drained += consumer.drain(1);
        }
        return drained;
    }

    private void offerBatch() {
        for (int i = 0; i < BATCH; i++) {
            if (!producer.offer(sequence++, LENGTH)) {
                throw new IllegalStateException(impl + " ring full with " + i + " of " + BATCH + " messages in it");
            }
        }
    }

    /** One poll of a ring with nothing in it: what a spinning consumer pays per look. */
    @Benchmark
    public long emptyPoll() {
        return empty.poll();
    }
}
