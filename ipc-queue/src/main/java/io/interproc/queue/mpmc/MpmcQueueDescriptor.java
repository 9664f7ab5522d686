package io.interproc.queue.mpmc;

import io.interproc.core.RegionType;

/**
 * Layout of a bounded MPMC queue region's body: a ring of fixed-size slots, each with a sequence
 * word that says whose turn the slot is (after Dmitry Vyukov's bounded MPMC queue).
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  Tail Position (64): next enqueue position                    |
 *   128  +---------------------------------------------------------------+
 *        |  Head Position (64): next dequeue position                    |
 *   256  +---------------------------------------------------------------+
 *        |  Consumer Wait Word (8): consumers sleep here when empty      |
 *   384  +---------------------------------------------------------------+
 *        |  Producer Wait Word (8): producers sleep here when full       |
 *   512  +---------------------------------------------------------------+
 *        |  Abandoned Enqueues (64) | Abandoned Dequeues (64)            |
 *  1024  +---------------------------------------------------------------+
 *        |  Slots: capacity x slot length                               ...
 *        +---------------------------------------------------------------+
 *
 *  slot (slot length = 16 + max message length, rounded up to 64)
 *  +---------------------------------------------------------------+
 *  |  Sequence (64)                                                |
 *  +-------------------------------+-------------------------------+
 *  |  Length (32)                  |  Type (32)                    |
 *  +-------------------------------+-------------------------------+
 *  |  Message                                                     ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * For the slot used by position {@code p} (index {@code p mod capacity}): Sequence {@code p} — free
 * for the producer of {@code p}; {@code p + 1} — holds a committed message; {@code p + 1} with
 * {@link #SKIP_BIT} — its producer stalled past the unblock timeout and the consumer of {@code p}
 * skips it; {@code p + capacity} — consumed, free for the producer of {@code p + capacity}.
 */
public final class MpmcQueueDescriptor {
    /** Region type: parameters capacity (slots) and max message length. */
    public static final RegionType TYPE = RegionType.of("mpmc-queue", 1, "capacity", "maxMessageLength");

    public static final int TAIL_OFFSET = 0;
    public static final int HEAD_OFFSET = 128;
    public static final int CONSUMER_WAIT_OFFSET = 256;
    public static final int PRODUCER_WAIT_OFFSET = 384;
    public static final int ABANDONED_ENQUEUES_OFFSET = 512;
    public static final int ABANDONED_DEQUEUES_OFFSET = 520;
    public static final int SLOTS_OFFSET = 1024;

    public static final int SEQUENCE_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int TYPE_OFFSET = 12;
    public static final int MESSAGE_OFFSET = 16;
    /** Marks a slot whose stalled producer's message is skipped. */
    public static final long SKIP_BIT = 1L << 62;

    private MpmcQueueDescriptor() {
    }

    /** @return bytes per slot for messages of up to {@code maxMessageLength} */
    public static long slotLength(int maxMessageLength) {
        return (MESSAGE_OFFSET + (long) maxMessageLength + 63) & -64L;
    }
}
