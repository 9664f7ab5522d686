package io.interproc.sync;

import io.interproc.core.RegionType;

/**
 * Layout of {@link SharedEvent}'s region body: the ABI between the processes that share the event.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  State (32): 0 clear, 1 set      |  Sets (32): times set      |
 *   128  +---------------------------------------------------------------+
 *        |  Wait Word (8): waiters sleep here                            |
 *   256  +---------------------------------------------------------------+
 * </pre>
 */
public final class SharedEventDescriptor {
    /** Region type of events. */
    public static final RegionType TYPE = RegionType.of("event", 1);
    /** Body offset of State (see the drawing above). */
    public static final int STATE_OFFSET = 0;
    /** Body offset of Sets (see the drawing above). */
    public static final int SETS_OFFSET = 4;
    /** Body offset of the Wait Word (see the drawing above). */
    public static final int WAIT_OFFSET = 128;
    /** Bytes of the body. */
    public static final int LENGTH = 256;

    private SharedEventDescriptor() {
    }
}
