package io.interproc.queue.ring;

import io.interproc.core.Region;

/** For structures built of rings (pipes): SPSC rings embedded in a region of their own layout. */
public final class EmbeddedRings {
    private EmbeddedRings() {
    }

    /**
     * {@return bytes an embedded ring of {@code capacity} occupies (control block plus data)}
     *
     * @param capacity the ring's data bytes
     */
    public static long footprint(int capacity) {
        return RingDescriptor.footprint(capacity);
    }

    /**
     * Checks the sizes of a ring to embed.
     *
     * @param capacity         the ring's data bytes
     * @param maxMessageLength its longest message
     * @throws IllegalArgumentException if a ring cannot have these sizes
     */
    public static void checkSizes(int capacity, int maxMessageLength) {
        RingOptions.checkSizes(capacity, maxMessageLength);
    }

    /**
     * {@return an SPSC ring laid out at {@code base} (a multiple of 128) in the body of {@code region}}
     *
     * @param region           the region holding the ring
     * @param base             where the ring's control block starts in the body
     * @param capacity         the ring's data bytes
     * @param maxMessageLength its longest message
     * @param what             how messages name the ring ("pipe 'x' (A to B)")
     */
    public static SpscRing embedded(Region region, long base, int capacity, int maxMessageLength, String what) {
        return new SpscRing(region, base, capacity, maxMessageLength, what);
    }
}
