package io.interproc.sync;

import io.interproc.core.RegionType;

/**
 * Layout of {@link SharedSemaphore}'s region body: the ABI between the processes that share the semaphore.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  Available Permits (64): unbounded only; 0 when bounded        |
 *   128  +---------------------------------------------------------------+
 *        |  Wait Word (8)                                                |
 *   192  |  Recovered Permits (64): permits returned from dead holders    |
 *   256  +---------------------------------------------------------------+
 *        |  Holder slots: a {@link ProcessSlots} table of 64 slots,       |
 *        |  Held = the permits that process holds (bounded only)          |
 *  1344  +---------------------------------------------------------------+
 * </pre>
 */
public final class SharedSemaphoreDescriptor {
    /** Region type: parameters initial permits and bounded (0 or 1). Version 2: holder slots are the truth. */
    public static final RegionType TYPE = RegionType.of("semaphore", 2, "permits", "bounded");
    /** Body offset of Permits (see the drawing above). */
    public static final int PERMITS_OFFSET = 0;
    /** Body offset of the Wait Word (see the drawing above). */
    public static final int WAIT_OFFSET = 128;
    /** Body offset of Recovered (see the drawing above). */
    public static final int RECOVERED_OFFSET = 192;
    /** Body offset of Holders (see the drawing above). */
    public static final int HOLDERS_OFFSET = 256;
    /** Slots in the holder table (see the drawing above). */
    public static final int HOLDERS = 64;
    /** Bytes of the body. */
    public static final int LENGTH = HOLDERS_OFFSET + ProcessSlots.length(HOLDERS);

    private SharedSemaphoreDescriptor() {
    }
}
