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
 *        |  Claims Used (64): 1 + the highest claim entry ever taken     |
 *  1088  +---------------------------------------------------------------+
 *        |  Claim entries: 64 x (Owner Stamp (64) | Claim Position (64)) |
 *  2112  +---------------------------------------------------------------+
 *  2176  |  Slots: capacity x slot length                               ...
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
 *
 * <p><b>Claims.</b> Every thread that puts or takes owns a claim entry: Owner Stamp is its
 * process's {@link io.interproc.core.ProcessIdentity#stamp() stamp}, Claim Position the position it
 * is claiming ({@link #NO_CLAIM} when none; a consumer's with {@link #CONSUMER_CLAIM}). A producer
 * stores its Claim Position before its compare-and-set of Tail Position, a consumer before its
 * compare-and-set of Head Position, and each clears it once the slot is published or freed. A slot
 * left claimed (a producer's unpublished position behind the tail, a consumer's unfreed position
 * behind the head) is skipped or reclaimed only when no entry of a live process names that
 * position: a slow peer is waited for, never overtaken, so no late write of a slow peer lands in a
 * slot given to someone else. Layout version 2 (version 1 took slots over after a timeout, and a
 * peer stopped past it lost, duplicated or tore messages).
 */
public final class MpmcQueueDescriptor {
    /** Region type: parameters capacity (slots) and max message length. */
    public static final RegionType TYPE = RegionType.of("mpmc-queue", 2, "capacity", "maxMessageLength");

    /** Offset of the Tail field (see the drawing above). */
    public static final int TAIL_OFFSET = 0;
    /** Offset of the Head field (see the drawing above). */
    public static final int HEAD_OFFSET = 128;
    /** Offset of the Consumer Wait field (see the drawing above). */
    public static final int CONSUMER_WAIT_OFFSET = 256;
    /** Offset of the Producer Wait field (see the drawing above). */
    public static final int PRODUCER_WAIT_OFFSET = 384;
    /** Offset of the Abandoned Enqueues field (see the drawing above). */
    public static final int ABANDONED_ENQUEUES_OFFSET = 512;
    /** Offset of the Abandoned Dequeues field (see the drawing above). */
    public static final int ABANDONED_DEQUEUES_OFFSET = 520;
    /** Offset of the Claims Used field (see the drawing above). */
    public static final int CLAIMS_USED_OFFSET = 1024;
    /** Offset of the Claims field (see the drawing above). */
    public static final int CLAIMS_OFFSET = 1088;
    /** Claim entries a queue has: threads that put or take at once, over all processes. */
    public static final int CLAIMS = 64;
    /** Bytes of a claim entry. */
    public static final int CLAIM_LENGTH = 16;
    /** Offset of Owner Stamp in a claim entry. */
    public static final int CLAIM_OWNER = 0;
    /** Offset of Claim Position in a claim entry. */
    public static final int CLAIM_POSITION = 8;
    /** Claim Position of an entry that claims nothing. */
    public static final long NO_CLAIM = -1;
    /** Marks a consumer's Claim Position. */
    public static final long CONSUMER_CLAIM = 1L << 62;
    /** Offset of the Slots field (see the drawing above). */
    public static final int SLOTS_OFFSET = 2176;

    /** Offset of the Sequence field (see the drawing above). */
    public static final int SEQUENCE_OFFSET = 0;
    /** Offset of the Length field (see the drawing above). */
    public static final int LENGTH_OFFSET = 8;
    /** Offset of the Type field (see the drawing above). */
    public static final int TYPE_OFFSET = 12;
    /** Offset of the Message field (see the drawing above). */
    public static final int MESSAGE_OFFSET = 16;
    /** Marks a slot whose stalled producer's message is skipped. */
    public static final long SKIP_BIT = 1L << 62;

    private MpmcQueueDescriptor() {
    }

    /**
     * {@return bytes per slot for messages of up to {@code maxMessageLength}}
     *
     * @param maxMessageLength longest message
     */
    public static long slotLength(int maxMessageLength) {
        return (MESSAGE_OFFSET + (long) maxMessageLength + 63) & -64L;
    }
}
