package io.interproc.queue.ring;

import io.interproc.core.RegionType;

/**
 * Layout of an {@link MpscRing}'s lane table, the region named as the ring. Each producer's lane
 * is an SPSC ring ({@link RingDescriptor}) in a region file of its own, named by
 * {@link #laneName}, created when the producer attaches and removed by the consumer once the
 * producer has left and the lane is drained.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  Consumer Wait (wait word, 64 bits): every lane's commit wakes |
 *   128  +---------------------------------------------------------------+
 *        |  Lanes Version (64): changes with every attach, leave, recycle |
 *   136  +---------------------------------------------------------------+
 *        |  Next Generation (64): names each attached lane's file        |
 *   256  +---------------------------------------------------------------+
 *        |  Lane 0: Owner (64) | Generation (64) | (48 bytes unused)       |
 *   320  +---------------------------------------------------------------+
 *        |  Lane 1 ...  (max lanes entries of 64 bytes)                  ...
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Owner is the producing process's stamp ({@link io.interproc.core.ProcessIdentity#stamp()})
 * with the lane's state in bits 62 and 63: {@link #ATTACHING} while the producer creates the
 * lane file, {@link #ACTIVE} while it produces, {@link #LEFT} once it closed its lane; 0 is a free
 * entry. Attaching is a compare-and-set from 0; only the consumer frees an entry, after the lane
 * is drained, for a producer that left or whose process is dead.
 */
public final class MpscRingDescriptor {
    /** Region type: parameters lane capacity, max message length, max lanes. */
    public static final RegionType TYPE = RegionType.of("mpsc-ring", 2, "laneCapacity", "maxMessageLength", "maxLanes");

    /** Offset of the Consumer Wait field (see the drawing above). */
    public static final int CONSUMER_WAIT_OFFSET = 0;
    /** Offset of the Version field (see the drawing above). */
    public static final int VERSION_OFFSET = 128;
    /** Offset of the Next Generation field (see the drawing above). */
    public static final int NEXT_GENERATION_OFFSET = 136;
    /** Offset of the Lanes field (see the drawing above). */
    public static final int LANES_OFFSET = 256;
    /** Bytes of a lane entry. */
    public static final int LANE_LENGTH = 64;
    /** Offset of the Owner field (see the drawing above). */
    public static final int OWNER_OFFSET = 0;
    /** Offset of the Generation field (see the drawing above). */
    public static final int GENERATION_OFFSET = 8;

    /** Most lanes one ring may have. */
    public static final int MAX_LANES = 4096;

    /** Owner state bits (62 and 63; a process stamp leaves them clear). */
    public static final long STATE_MASK = 3L << 62;
    /** Owner state: the producer is creating its lane file. */
    public static final long ATTACHING = 1L << 62;
    /** Owner state: the producer produces. */
    public static final long ACTIVE = 2L << 62;
    /** Owner state: the producer closed its lane; the consumer drains it, then frees the entry. */
    public static final long LEFT = 3L << 62;

    private MpscRingDescriptor() {
    }

    /** {@return the body length of a lane table with {@code maxLanes} entries} */
    public static long bodyLength(int maxLanes) {
        return LANES_OFFSET + (long) maxLanes * LANE_LENGTH;
    }

    /**
     * {@return the offset of lane {@code index}'s entry in the body}
     *
     * @param index the index, from 0
     */
    public static long laneOffset(int index) {
        return LANES_OFFSET + (long) index * LANE_LENGTH;
    }

    /**
     * {@return the region name of the lane file of ring {@code name}, entry {@code index}, generation {@code generation}}
     *
     * @param name the name, a file name in the directory
     * @param index the index, from 0
     */
    public static String laneName(String name, int index, long generation) {
        return name + ".lane" + index + "." + generation;
    }
}
