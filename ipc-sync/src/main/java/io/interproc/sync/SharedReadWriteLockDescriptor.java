package io.interproc.sync;

import io.interproc.core.RegionType;

/**
 * Layout of {@link SharedReadWriteLock}'s region body: the ABI between the processes that share the read-write lock.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |H|T| Writer (62): process stamp of the writer, 0 if none;      |
 *        |     H: held, T: tentative (deciding whether to hold)          |
 *     8  |  Writer Thread (64): the writer's thread id, 0 while unknown   |
 *    16  |  Recoveries (64): dead writers and dead readers' slots freed   |
 *   128  +---------------------------------------------------------------+
 *        |  Wait Word (8)                                                |
 *   256  +---------------------------------------------------------------+
 *        |  Reader slots: a {@link ProcessSlots} table of 64 slots,       |
 *        |  Held = the read holds of that process                        |
 *  1344  +---------------------------------------------------------------+
 * </pre>
 */
public final class SharedReadWriteLockDescriptor {
    /** Region type of read-write locks. Version 2: reader slots are the truth (version 1 kept a count). */
    public static final RegionType TYPE = RegionType.of("rwlock", 2);
    /** Body offset of Writer (see the drawing above). */
    public static final int WRITER_OFFSET = 0;
    /** Bit 63 of Writer: the writer holds the lock (without it, it has claimed it and waits for readers to leave). */
    public static final long HELD = Long.MIN_VALUE;
    /** Bit 62 of Writer: the writer found no reader and is checking once more before it sets {@link #HELD}. */
    public static final long TENTATIVE = 1L << 62;
    /** Body offset of Writer Thread (see the drawing above). */
    public static final int WRITER_THREAD_OFFSET = 8;
    /** Body offset of Recoveries (see the drawing above). */
    public static final int RECOVERIES_OFFSET = 16;
    /** Body offset of the Wait Word (see the drawing above). */
    public static final int WAIT_OFFSET = 128;
    /** Body offset of Readers (see the drawing above). */
    public static final int READERS_OFFSET = 256;
    /** Slots in the reader table (see the drawing above). */
    public static final int READERS = 64;
    /** Bytes of the body. */
    public static final int LENGTH = READERS_OFFSET + ProcessSlots.length(READERS);

    private SharedReadWriteLockDescriptor() {
    }
}
