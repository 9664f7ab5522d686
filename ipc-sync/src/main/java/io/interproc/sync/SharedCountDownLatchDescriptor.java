package io.interproc.sync;

import io.interproc.core.RegionType;

/**
 * Layout of {@link SharedCountDownLatch}'s region body: the ABI between the processes that share the latch.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  Count (64)                                                   |
 *   128  +---------------------------------------------------------------+
 *        |  Wait Word (8)                                                |
 *   256  +---------------------------------------------------------------+
 * </pre>
 */
public final class SharedCountDownLatchDescriptor {
    /** Region type: parameter initial count. */
    public static final RegionType TYPE = RegionType.of("latch", 1, "count");
    /** Body offset of Count (see the drawing above). */
    public static final int COUNT_OFFSET = 0;
    /** Body offset of the Wait Word (see the drawing above). */
    public static final int WAIT_OFFSET = 128;
    /** Bytes of the body. */
    public static final int LENGTH = 256;

    private SharedCountDownLatchDescriptor() {
    }
}
