package io.interproc.queue.ring;

import io.interproc.core.RegionType;

/**
 * Layout of a ring buffer region's body (after the region header): the ABI between the processes
 * that share the ring. Hot fields that different processes write sit 128 bytes apart (two cache
 * lines, against adjacent-line prefetch).
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  Tail Position (64): bytes ever claimed by producers          |
 *   128  +---------------------------------------------------------------+
 *        |  Head Position (64): bytes ever consumed                      |
 *   256  +---------------------------------------------------------------+
 *        |  Consumer Heartbeat (64, ms since epoch, at every read)       |
 *   264  |  Consumer Pid (64)             |  Consumer Start Time (64)    |
 *   280  |  Producer Pid (64)             |  Producer Start Time (64)    |
 *   296  |  Abandoned Records (64): records skipped after a stall        |
 *   304  |  Abandoned Bytes (64)                                         |
 *   312  |  Handed Position (64): end of the record last handed to the   |
 *        |  consumer's handler, written before the handler runs; 0 until |
 *        |  the first (version 1's Unblock Epoch, always 0, was here)    |
 *   384  +---------------------------------------------------------------+
 *        |  Consumer Wait Word (8): the consumer sleeps here when empty  |
 *   512  +---------------------------------------------------------------+
 *        |  Producer Wait Word (8): producers sleep here when full       |
 *  1024  +---------------------------------------------------------------+
 *        |  Data: capacity bytes of records, a power of two             ...
 *  1024 + capacity  ------------------------------------------------------+
 *        |  Producer Slot 0 (128), MPSC only: one per producing thread   |
 *        |    +0 Pid (64), 0 if free | +8 Start Time (64) | +16 Claim (64)|
 *        +---------------------------------------------------------------+
 *        |  Producer Slots 1 to producerSlots - 1, 128 bytes each       ...
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * Parameters: capacity, max message length, and producerSlots: 0 for a single-producer (SPSC)
 * ring, else the number of Producer Slots, the most threads that may produce into the MPSC ring
 * at a time.
 *
 * Each record starts 8-byte aligned with a 64-bit header word, then the message:
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  Length (low 32 bits)          |  Type (high 32 bits)         |
 *  +---------------------------------------------------------------+
 *  |  Message (Length - 8 bytes), then padding to 8-byte alignment ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Handed Position.</b> Written (a plain store that a store-store fence keeps before the
 * handler's stores; a process's death loses no store it made) with the end of each record before that record is
 * handed to the handler, so it may run ahead of Head Position by what the consumer has read and
 * not yet freed, never by more than the record being handled. A consumer that registers while it
 * is ahead of Head Position skips the records up to it: the previous consumer died, or closed,
 * with those in its hands. Files from before this field hold 0 there, which is never ahead.
 *
 * <p>Header states: 0 — free (consumed space is zeroed); Length &lt; 0 — claimed and being written,
 * {@code -Length} is the record length and Type the message type, kept for the commit; Length &gt; 0 —
 * committed, Length counts the header and the message, Type &gt;= 0 is the message type or
 * {@link #PADDING_TYPE} for space skipped at the end of the buffer or after an abandoned record.
 * A record never wraps around the end of the buffer.
 *
 * <p><b>MPSC claims.</b> Each producing thread owns a Producer Slot (taken by compare-and-set of
 * Pid from 0, or from a dead process's pid). Its Claim word says where the thread is claiming:
 * {@code position | 1} (CLAIMING, bit 0 set) is written before the thread's compare-and-set of Tail
 * Position from {@code position} (which publishes it) and stays when that succeeds, naming the
 * record the thread now holds; only a record placed after wrap padding is named again, as
 * {@code position} of the record (bit 0 clear: positions are 8-byte aligned). A thread that loses
 * the compare-and-set writes back what the word said before. -1 before the first claim. The
 * consumer reads {@code Claim & ~1} as the position. Then the thread writes the claimed header,
 * and commit is a release store of the committed header: the only atomic instruction per message
 * is the Tail compare-and-set, and the one store to the slot is plain. The consumer never skips a
 * position that a live slot names: when the record at
 * the head has stayed uncommitted (or its space unwritten, header 0) past the unblock timeout, it
 * reads the slots; if a slot of a live process names the head position it keeps waiting, else it
 * skips the record (compare-and-set of the claimed header to padding) or the unwritten space up to
 * the next written header or the lowest position a live slot names, whichever is first. So only a
 * dead producer's records are ever skipped, and a live producer's plain commit can never land in
 * space the consumer gave away. A thread with several claims outstanding names only its last: its
 * earlier claims commit by compare-and-set of the header (as a commit from another thread does),
 * and the consumer may skip them after the timeout, which that compare-and-set then reports.
 */
public final class RingDescriptor {
    /** Region type of ring buffers: parameters capacity, max message length, producer slots (0: SPSC). */
    public static final RegionType TYPE = RegionType.of("ring", 2, "capacity", "maxMessageLength", "producerSlots");

    public static final int TAIL_OFFSET = 0;
    public static final int HEAD_OFFSET = 128;
    public static final int CONSUMER_HEARTBEAT_OFFSET = 256;
    public static final int CONSUMER_PID_OFFSET = 264;
    public static final int CONSUMER_START_OFFSET = 272;
    public static final int PRODUCER_PID_OFFSET = 280;
    public static final int PRODUCER_START_OFFSET = 288;
    public static final int ABANDONED_RECORDS_OFFSET = 296;
    public static final int ABANDONED_BYTES_OFFSET = 304;
    /**
     * The end position of the record the consumer last handed to its handler (or skipped as
     * padding), stored before the handler runs: a consumer that takes over from one that died
     * starts there, so the message that died in a handler is not delivered again (at most once).
     */
    public static final int HANDED_POSITION_OFFSET = 312;
    public static final int CONSUMER_WAIT_OFFSET = 384;
    public static final int PRODUCER_WAIT_OFFSET = 512;
    /** Producer slots of an MPSC ring made with {@code create(..., true)}. */
    public static final int DEFAULT_PRODUCER_SLOTS = 64;
    /** Most producer slots a ring may have. */
    public static final int MAX_PRODUCER_SLOTS = 1 << 16;
    public static final int SLOT_LENGTH = 128;
    public static final int SLOT_PID = 0;
    public static final int SLOT_START = 8;
    public static final int SLOT_CLAIM = 16;
    /** Claim word of a slot that has not claimed yet. */
    public static final long NO_CLAIM = -1;
    /** Bit 0 of a Claim word: the thread is about to compare-and-set the tail from that position. */
    public static final long CLAIMING = 1;
    public static final int DATA_OFFSET = 1024;

    /** Record header bytes. */
    public static final int HEADER_LENGTH = 8;
    /** Records start at multiples of this. */
    public static final int ALIGNMENT = 8;
    /** Type of padding records (never delivered). */
    public static final int PADDING_TYPE = -1;
    /** Smallest capacity. */
    public static final int MIN_CAPACITY = 64;

    private RingDescriptor() {
    }

    static int recordLength(long header) {
        return (int) header;
    }

    static int type(long header) {
        return (int) (header >>> 32);
    }

    static long header(int length, int type) {
        return ((long) type << 32) | (length & 0xFFFF_FFFFL);
    }

    static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
