package io.interproc.queue.ring;

/**
 * The mutable fields of an {@link SpscRing} handle, in two groups that different threads write
 * for every message: the producer's and the consumer's. A handle is often shared by a producing
 * and a consuming thread of one JVM (or sits next to one that is), so each group is kept on cache
 * lines of its own by 128 bytes of padding on either side (two lines, against adjacent-line
 * prefetch). HotSpot lays out a superclass's fields before its subclass's, which is what keeps
 * the groups apart. Every field of these classes is a {@code long} (flags too): HotSpot fills a gap
 * that a narrower field leaves in a superclass with a subclass's fields, and a gap at the end of a
 * group once put the handle's {@code capacity}, which the consumer reads for every message, on the
 * line of the producer's fields. The handle's own fields, read by both sides, come after.
 *
 * <p>With the groups apart, a ping-pong between two threads of one JVM through handles they share
 * costs what it costs with a handle per thread (figures in docs/bench/HISTORY.md, "Figures that
 * were in Javadoc").
 */
final class SpscRingFields {
    private SpscRingFields() {
    }

    /** 128 bytes of padding before the producer's fields. */
    abstract static class Padding {
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    /** Written by the producing thread only. */
    abstract static class ProducerFields extends Padding {
        /** Head Position as the producer last read it. */
        long headCache;
        /** Tail Position as this handle (the only producer) last wrote it. */
        long producerTail;
        /** End position of the pending claim, or -1 when there is none. */
        long pendingEnd = -1;
        long pendingOffset = -1;
        long pendingTail;
        long pendingHeader;
        /** 1 once this handle registered as the ring's producer, else 0 (again 0 once closed). */
        long producerRegistered;
    }

    /** Padding between the producer's and the consumer's fields. */
    abstract static class MiddlePadding extends ProducerFields {
        long p16, p17, p18, p19, p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p30, p31;
    }

    /** Written by the consuming thread only. */
    abstract static class ConsumerFields extends MiddlePadding {
        /** 1 once this handle registered as the ring's consumer, else 0 (again 0 once closed). */
        long consumerRegistered;
        /** The consumer's position, once registered. */
        long consumerHead;
        long reads;
        /**
         * Reads in a row that found nothing: the end of the records is checked against the tail
         * at every 256th of them, so never while messages keep coming.
         */
        long emptyReads;
    }

    /** Padding between the consumer's fields and the handle's final ones. */
    abstract static class TrailingPadding extends ConsumerFields {
        long p32, p33, p34, p35, p36, p37, p38, p39, p40, p41, p42, p43, p44, p45, p46, p47;
    }
}
