package io.interproc.queue.ring;

import io.interproc.core.Region;

/** For structures built of rings (pipes): SPSC rings embedded in a region of their own layout. */
public final class EmbeddedRings {
    private EmbeddedRings() {
    }

    /** {@return bytes an embedded ring of {@code capacity} occupies (control block plus data)} */
    public static long footprint(int capacity) {
        return RingDescriptor.footprint(capacity);
    }

    /** @throws IllegalArgumentException if a ring cannot have these sizes */
    public static void checkSizes(int capacity, int maxMessageLength) {
        RingOptions.checkSizes(capacity, maxMessageLength);
    }

    /** An SPSC ring laid out at {@code base} (a multiple of 128) in the body of {@code region}. */
    public static SpscRing embedded(Region region, long base, int capacity, int maxMessageLength, String what) {
        return new SpscRing(region, base, capacity, maxMessageLength, what);
    }
}
