package io.interproc.queue.ring;

/**
 * Layout of one record in a ring's data (see {@link RingDescriptor} for where the data is). Each
 * record starts 8-byte aligned with a 64-bit header word, then the message, and never wraps around
 * the end of the buffer:
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  Length (low 32 bits)          |  Type (high 32 bits)         |
 *  +---------------------------------------------------------------+
 *  |  Message (Length - 8 bytes), then padding to 8-byte alignment ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Header states: 0 — free (the producer zeroes the header slot after each record it claims);
 * Length &lt; 0 — claimed and being written, {@code -Length} is the record length and Type the
 * message type, kept for the commit; Length &gt; 0 — committed, Length counts the header and the
 * message, Type &gt;= 0 is the message type or {@link #PADDING_TYPE} for the space skipped at the end
 * of the buffer (or an aborted claim). The records from Head Position form a chain of committed
 * headers that ends at a header that is not positive.
 */
public final class RecordDescriptor {
    /** Record header bytes. */
    public static final int HEADER_LENGTH = 8;
    /** Records start at multiples of this. */
    public static final int ALIGNMENT = 8;
    /** Type of padding records (never delivered). */
    public static final int PADDING_TYPE = -1;

    private RecordDescriptor() {
    }

    /**
     * {@return the Length field of {@code header}: negative while claimed, 0 when free}
     *
     * @param header a record header word
     */
    public static int recordLength(long header) {
        return (int) header;
    }

    /**
     * {@return the Type field of {@code header}}
     *
     * @param header a record header word
     */
    public static int type(long header) {
        return (int) (header >>> 32);
    }

    /**
     * {@return a header word of {@code length} (negative: claimed) and {@code type}}
     *
     * @param length the record's length, header included; negative while claimed
     * @param type   the message type, or {@link #PADDING_TYPE}
     */
    public static long header(int length, int type) {
        return ((long) type << 32) | (length & 0xFFFF_FFFFL);
    }

    /**
     * {@return {@code length} rounded up to {@link #ALIGNMENT}}
     *
     * @param length bytes
     */
    public static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
