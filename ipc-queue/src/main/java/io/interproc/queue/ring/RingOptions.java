package io.interproc.queue.ring;

import static io.interproc.queue.ring.RecordDescriptor.HEADER_LENGTH;
import static io.interproc.queue.ring.RecordDescriptor.align;
import static io.interproc.queue.ring.RingDescriptor.MAX_CAPACITY;
import static io.interproc.queue.ring.RingDescriptor.MIN_CAPACITY;

import io.interproc.core.WaitStrategy;
import java.util.Objects;

/**
 * The settings a ring is created with, checked when built: immutable, thread-safe.
 *
 * <pre>{@code
 * SpscRing orders = SpscRing.create(dir, "orders", RingOptions.of(1 << 20, 1024));
 * MpscRing results = MpscRing.create(dir, "results", RingOptions.of(1 << 16, 1024).withMaxLanes(8));
 * }</pre>
 *
 * @param capacity         data bytes of the ring (of each lane).withMaxLanes(for an {@link MpscRing})): a power
 *                         of two from {@value RingDescriptor#MIN_CAPACITY} to 2^30
 * @param maxMessageLength longest message; a record (8-byte header plus message) may take at most
 *                         half the capacity
 * @param maxLanes         {@link MpscRing} only: most producers attached at once, 1 to
 *                         {@value MpscRingDescriptor#MAX_LANES} (each lane is a file of its own,
 *                         created when a producer attaches)
 * @param waitStrategy     how the handle's blocking calls wait (a setting of the handle, not of the
 *                         shared ring)
 */
public record RingOptions(int capacity, int maxMessageLength, int maxLanes, WaitStrategy waitStrategy) {
    /** Lanes of an {@link MpscRing} when not set. */
    public static final int DEFAULT_MAX_LANES = 64;

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the setting that is impossible
     */
    public RingOptions {
        checkSizes(capacity, maxMessageLength);
        if (maxLanes < 1 || maxLanes > MpscRingDescriptor.MAX_LANES) {
            throw new IllegalArgumentException("max lanes must be 1 to " + MpscRingDescriptor.MAX_LANES + ", got "
                + maxLanes);
        }
        Objects.requireNonNull(waitStrategy, "waitStrategy");
    }

    /**
     * {@return options of this capacity and max message length, {@value #DEFAULT_MAX_LANES} lanes
     *    and the {@link WaitStrategy#blocking() blocking} wait strategy}
     *
     * @param capacity         data bytes of the ring (of each lane), a power of two
     * @param maxMessageLength longest message
     * @throws IllegalArgumentException naming the size that is impossible
     */
    public static RingOptions of(int capacity, int maxMessageLength) {
        return new RingOptions(capacity, maxMessageLength, DEFAULT_MAX_LANES, WaitStrategy.blocking());
    }

    /**
     * {@return these options with {@code lanes} as the max lanes}
     *
     * @param lanes most producers attached at once, 1 to {@value MpscRingDescriptor#MAX_LANES}
     */
    public RingOptions withMaxLanes(int lanes) {
        return new RingOptions(capacity, maxMessageLength, lanes, waitStrategy);
    }

    /**
     * {@return these options with {@code strategy}}
     *
     * @param strategy how the handle's blocking calls wait
     */
    public RingOptions withWaitStrategy(WaitStrategy strategy) {
        return new RingOptions(capacity, maxMessageLength, maxLanes, strategy);
    }

    /** @throws IllegalArgumentException if a ring cannot have these sizes */
    static void checkSizes(int capacity, int maxMessageLength) {
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("ring capacity " + capacity + " is not a power of two from "
                + MIN_CAPACITY + " to 2^30");
        }
        if (maxMessageLength < 0 || maxMessageLength > Integer.MAX_VALUE - 16
            || align(maxMessageLength + HEADER_LENGTH) > capacity / 2) {
            throw new IllegalArgumentException("max message length " + maxMessageLength + " is impossible for capacity "
                + capacity + ": a record (8-byte header plus message) may take at most half the capacity");
        }
    }
}
