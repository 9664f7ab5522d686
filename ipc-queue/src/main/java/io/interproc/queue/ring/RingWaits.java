package io.interproc.queue.ring;

import static io.interproc.queue.ring.RecordDescriptor.HEADER_LENGTH;
import static io.interproc.queue.ring.RecordDescriptor.align;
import static io.interproc.queue.ring.RingDescriptor.HEAD_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.TAIL_OFFSET;

import io.interproc.core.LivenessCheck;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import io.interproc.queue.MessageReceiver;
import io.interproc.queue.MessageSink;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The blocking calls of an {@link SpscRing}, as a layer over its non-blocking ones: each is {@link
 * WaitStrategy#retry} of the non-blocking call, re-tried when the ring's state says it may succeed
 * (checked before every sleep, so a wake-up is never missed), with the peer check of {@link
 * RingPeers} between waits. The producer sleeps on the Producer Wait Word, which the consumer wakes
 * after freeing space; the consumer on the Consumer Wait Word, which each commit wakes.
 */
final class RingWaits {
    private final SpscRing ring;
    private final MemoryAccess memory;
    private final WaitWord producerWord;
    private final WaitWord consumerWord;
    private final int capacity;
    private final LivenessCheck consumerAlive;
    private final LivenessCheck producerAlive;
    private volatile WaitStrategy strategy = WaitStrategy.blocking();

    RingWaits(SpscRing ring, MemoryAccess memory, WaitWord producerWord, WaitWord consumerWord, int capacity,
              RingPeers peers) {
        this.ring = ring;
        this.memory = memory;
        this.producerWord = producerWord;
        this.consumerWord = consumerWord;
        this.capacity = capacity;
        this.consumerAlive = peers::checkConsumer;
        this.producerAlive = () -> peers.checkProducer(readPosition());
    }

    void strategy(WaitStrategy waitStrategy) {
        this.strategy = Objects.requireNonNull(waitStrategy, "strategy");
    }

    /** {@link SpscRing#claim}: {@code tryClaim} until it succeeds or the time is up. */
    long claim(int type, int length, long timeoutNanos) throws InterruptedException {
        long[] result = {MessageSink.INSUFFICIENT_CAPACITY};
        int aligned = align(length + HEADER_LENGTH);
        Waiter.of(strategy).retry(producerWord, () -> (result[0] = ring.tryClaim(type, length)) >= 0, () -> canClaim(aligned),
            timeoutNanos, consumerAlive);
        return result[0];
    }

    /** {@link SpscRing#put}: {@code offer} of a checked {@code length} until it succeeds or the time is up. */
    boolean put(int type, MemorySegment message, int length, long timeoutNanos, LivenessCheck liveness)
        throws InterruptedException {
        int aligned = align(length + HEADER_LENGTH);
        return Waiter.of(strategy).retry(producerWord, () -> ring.offer(type, message, 0, length), () -> canClaim(aligned),
            timeoutNanos, both(consumerAlive, liveness));
    }

    /** {@link SpscRing#take}: a read of one message until one is handed or the time is up. */
    boolean take(MessageReceiver receiver, long timeoutNanos, LivenessCheck liveness) throws InterruptedException {
        return Waiter.of(strategy).retry(consumerWord, () -> ring.read(receiver, 1) > 0, this::readable, timeoutNanos,
            both(producerAlive, liveness));
    }

    /** {@link SpscRing#awaitReadable}. */
    boolean awaitReadable(long timeoutNanos, LivenessCheck liveness) throws InterruptedException {
        return Waiter.of(strategy).await(consumerWord, this::readable, timeoutNanos, both(producerAlive, liveness));
    }

    /** {@return true if a committed record lies beyond where the consumer reads next} */
    boolean readable() {
        return memory.getLongAcquire(TAIL_OFFSET) > readPosition();
    }

    /** {@return where the consumer reads next: its own position once registered, else Head Position} */
    private long readPosition() {
        return ring.consumerRegistered != 0 ? ring.consumerHead : memory.getLongVolatile(HEAD_OFFSET);
    }

    /** {@return true if a record of {@code aligned} bytes (wrap padding and the spare header too) fits now} */
    private boolean canClaim(int aligned) {
        long tail = memory.getLongVolatile(TAIL_OFFSET);
        long head = memory.getLongVolatile(HEAD_OFFSET);
        long toEnd = capacity - (tail & (capacity - 1));
        long padding = aligned > toEnd ? toEnd : 0;
        return padding + aligned + HEADER_LENGTH <= capacity - (tail - head);
    }

    private static LivenessCheck both(LivenessCheck mine, LivenessCheck caller) {
        return caller == LivenessCheck.NONE ? mine : () -> {
            mine.check();
            caller.check();
        };
    }
}
