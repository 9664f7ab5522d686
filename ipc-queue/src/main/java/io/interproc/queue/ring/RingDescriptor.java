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
 *   296  |  Abandoned Records (64): records skipped after a stall         |
 *   304  |  Abandoned Bytes (64)                                         |
 *   312  |  Unblock Epoch (64): bumped before the consumer skips a gap   |
 *   384  +---------------------------------------------------------------+
 *        |  Consumer Wait Word (8): the consumer sleeps here when empty  |
 *   512  +---------------------------------------------------------------+
 *        |  Producer Wait Word (8): producers sleep here when full       |
 *  1024  +---------------------------------------------------------------+
 *        |  Data: capacity bytes of records, a power of two             ...
 *        +---------------------------------------------------------------+
 * </pre>
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
 * Header states: 0 — free (consumed space is zeroed); Length &lt; 0 — claimed and being written,
 * {@code -Length} is the record length and Type the message type, kept for the commit; Length &gt; 0 —
 * committed, Length counts the header and the message, Type &gt;= 0 is the message type or
 * {@link #PADDING_TYPE} for space skipped at the end of the buffer or after an abandoned record.
 * A record never wraps around the end of the buffer.
 */
public final class RingDescriptor {
    /** Region type of ring buffers: parameters capacity, max message length, multi-producer flag. */
    public static final RegionType TYPE = RegionType.of("ring", 1, "capacity", "maxMessageLength", "multiProducer");

    public static final int TAIL_OFFSET = 0;
    public static final int HEAD_OFFSET = 128;
    public static final int CONSUMER_HEARTBEAT_OFFSET = 256;
    public static final int CONSUMER_PID_OFFSET = 264;
    public static final int CONSUMER_START_OFFSET = 272;
    public static final int PRODUCER_PID_OFFSET = 280;
    public static final int PRODUCER_START_OFFSET = 288;
    public static final int ABANDONED_RECORDS_OFFSET = 296;
    public static final int ABANDONED_BYTES_OFFSET = 304;
    public static final int UNBLOCK_EPOCH_OFFSET = 312;
    public static final int CONSUMER_WAIT_OFFSET = 384;
    public static final int PRODUCER_WAIT_OFFSET = 512;
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
