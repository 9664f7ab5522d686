package io.interproc.queue.ring;

import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionType;
import io.interproc.core.internal.memory.MemoryAccess;

/**
 * Layout of an SPSC ring: its control block and data, the body of a ring region (or embedded in
 * another region, as a pipe holds two). The ABI between the processes that share the ring. Hot
 * fields that different processes write sit 128 bytes apart (two cache lines, against
 * adjacent-line prefetch). Records in the data are laid out as {@link RecordDescriptor} draws.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  Tail Position (64): bytes ever committed by the producer     |
 *   128  +---------------------------------------------------------------+
 *        |  Head Position (64): bytes ever consumed                      |
 *   256  +---------------------------------------------------------------+
 *        |  Consumer Heartbeat (64, ms since epoch, every 256 reads)     |
 *   264  |  Consumer Pid (64)             |  Consumer Start Time (64)    |
 *   280  |  Producer Pid (64)             |  Producer Start Time (64)    |
 *   296  |  Reserved (128): 0 (version 2's MPSC abandoned counters)      |
 *   312  |  Handed Position (64): end of the record last handed to the   |
 *        |  consumer's handler, written before the handler runs; 0 until |
 *        |  the first                                                    |
 *   384  +---------------------------------------------------------------+
 *        |  Consumer Wait Word (8): the consumer sleeps here when empty  |
 *   512  +---------------------------------------------------------------+
 *        |  Producer Wait Word (8): the producer sleeps here when full   |
 *  1024  +---------------------------------------------------------------+
 *        |  Data: capacity bytes of records, a power of two             ...
 *  1024 + capacity  ------------------------------------------------------+
 * </pre>
 *
 * Region parameters: capacity, max message length. Version 3 (this one) is SPSC only; version 2
 * also had many-producer rings with a producer slot table after the data, and its files are
 * refused by open with both versions in the message.
 *
 * <p><b>Protocol.</b> The producer claims at its tail: it zeroes the header slot after the record
 * (so the chain of headers always ends there), writes the claimed header (negative length), the
 * message, then the committed header with a release store and then Tail Position. The consumer
 * follows committed headers from Head Position and never needs the tail; it moves Head Position
 * after each read (a release store), and only the producer writes data, so consumed space needs no
 * zeroing. A producer that takes over after one died moves the tail past every complete record
 * and zeroes the free space (see {@code RingTakeover}).
 *
 * <p><b>Handed Position.</b> Written (a plain store that a store-store fence keeps before the
 * handler's stores; a process's death loses no store it made) with the end of each record before
 * that record is handed to the handler, so it may run ahead of Head Position by the record being
 * handled, never more. A consumer that registers while it is ahead of Head Position skips the
 * records up to it: the previous consumer died, or closed, with those in its hands.
 */
public final class RingDescriptor {
    /** Region type of rings: parameters capacity, max message length. */
    public static final RegionType TYPE = RegionType.of("ring", 3, "capacity", "maxMessageLength");

    /** Offset of the Tail field (see the drawing above). */
    public static final int TAIL_OFFSET = 0;
    /** Offset of the Head field (see the drawing above). */
    public static final int HEAD_OFFSET = 128;
    /** Offset of the Consumer Heartbeat field (see the drawing above). */
    public static final int CONSUMER_HEARTBEAT_OFFSET = 256;
    /** Offset of the Consumer Pid field (see the drawing above). */
    public static final int CONSUMER_PID_OFFSET = 264;
    /** Offset of the Consumer Start field (see the drawing above). */
    public static final int CONSUMER_START_OFFSET = 272;
    /** Offset of the Producer Pid field (see the drawing above). */
    public static final int PRODUCER_PID_OFFSET = 280;
    /** Offset of the Producer Start field (see the drawing above). */
    public static final int PRODUCER_START_OFFSET = 288;
    /**
     * The end position of the record the consumer last handed to its handler, stored before the
     * handler runs: a consumer that takes over from one that died starts there, so the message that
     * died in a handler is not delivered again (at most once).
     */
    public static final int HANDED_POSITION_OFFSET = 312;
    /** Offset of the Consumer Wait field (see the drawing above). */
    public static final int CONSUMER_WAIT_OFFSET = 384;
    /** Offset of the Producer Wait field (see the drawing above). */
    public static final int PRODUCER_WAIT_OFFSET = 512;
    /** Offset of the Data field (see the drawing above). */
    public static final int DATA_OFFSET = 1024;
    /** Smallest capacity. */
    public static final int MIN_CAPACITY = 64;
    /** Largest capacity. */
    public static final int MAX_CAPACITY = 1 << 30;

    private RingDescriptor() {
    }

    /**
     * Checks the sizes a ring's file (or the structure embedding it) states, before anything is read
     * by them.
     *
     * @throws RegionFormatException naming {@code what} and the size that cannot be
     */
    static void checkStored(String what, long capacity, long maxMessageLength) {
        try {
            RingOptions.checkSizes((int) Math.clamp(capacity, Integer.MIN_VALUE, Integer.MAX_VALUE),
                (int) Math.clamp(maxMessageLength, Integer.MIN_VALUE, Integer.MAX_VALUE));
        } catch (IllegalArgumentException e) {
            throw new RegionFormatException(what + " is corrupt: " + e.getMessage());
        }
    }

    /**
     * Reads Head Position consistently with Tail Position (others may be producing and consuming
     * meanwhile) and checks the two against each other: a producer that died between publishing a
     * record and moving the tail leaves the tail behind the head, by less than a capacity.
     *
     * @return Head Position
     * @throws RegionFormatException if the positions cannot be
     */
    static long checkPositions(String what, MemoryAccess memory, long capacity) {
        long head;
        long tail;
        int attempts = 0;
        do {
            head = memory.getLongVolatile(HEAD_OFFSET);
            tail = memory.getLongVolatile(TAIL_OFFSET);
        } while (head != memory.getLongVolatile(HEAD_OFFSET) && ++attempts < 1_000);
        boolean stable = attempts < 1_000; // a ring that never held still cannot be checked here
        long misaligned = (head | tail) & (RecordDescriptor.ALIGNMENT - 1);
        if ((stable && (head < 0 || tail < head - capacity || tail - head > capacity)) || misaligned != 0) {
            throw new RegionFormatException(what + " has corrupt positions: head " + head + ", tail " + tail
                + ", capacity " + capacity);
        }
        return head;
    }

    /**
     * {@return bytes a ring of {@code capacity} occupies: control block plus data}
     *
     * @param capacity capacity, a power of two
     */
    public static long footprint(int capacity) {
        return DATA_OFFSET + (long) capacity;
    }
}
