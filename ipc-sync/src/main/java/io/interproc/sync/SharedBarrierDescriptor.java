package io.interproc.sync;

import io.interproc.core.RegionType;

/**
 * Layout of {@link SharedBarrier}'s region body: the ABI between the processes that share the barrier.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  State (64): Generation (bits 32-62) | B (bit 31) | Arrived (0-30)|
 *     8  |  Reserved (64)                                                |
 *    16  |  Broken Generation (64): the last generation that broke, -1    |
 *   128  +---------------------------------------------------------------+
 *        |  Wait Word (8)                                                |
 *   256  +---------------------------------------------------------------+
 *        |  Waiting parties: 64 entries of Pid (64) | Start Time (64)    ...
 *  1280  +---------------------------------------------------------------+
 * </pre>
 */
public final class SharedBarrierDescriptor {
    /** Region type: parameter parties. */
    public static final RegionType TYPE = RegionType.of("barrier", 2, "parties");
    /** Body offset of State (see the drawing above). */
    public static final int STATE_OFFSET = 0;
    /** Body offset of Broken (see the drawing above). */
    public static final int BROKEN_OFFSET = 16;
    /** Body offset of the Wait Word (see the drawing above). */
    public static final int WAIT_OFFSET = 128;
    /** Body offset of Waiters (see the drawing above). */
    public static final int WAITERS_OFFSET = 256;
    /** Slots in the waiter table (see the drawing above). */
    public static final int WAITERS = 64;
    /** Bytes of the body. */
    public static final int LENGTH = WAITERS_OFFSET + WAITERS * 16;

    private SharedBarrierDescriptor() {
    }
}
