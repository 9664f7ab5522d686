package io.interproc.queue.pipe;

import io.interproc.core.RegionType;

/**
 * Layout of a pipe region's body: the two ends' state, then one SPSC ring each way, each laid out
 * as {@link io.interproc.queue.ring.RingDescriptor} describes.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  End A: Pid (64) | Start Time (64) | Closed (64)              |
 *   128  +---------------------------------------------------------------+
 *        |  End B: Pid (64) | Start Time (64) | Closed (64)              |
 *  1024  +---------------------------------------------------------------+
 *        |  Ring A to B (1024 + capacity bytes)                         ...
 *        +---------------------------------------------------------------+
 *        |  Ring B to A (1024 + capacity bytes)                         ...
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * An end that closes sends a message of type {@link #END_OF_STREAM_TYPE} and sets its Closed word;
 * the other end reads everything sent before it, then sees the end of the stream.
 */
public final class PipeDescriptor {
    /** Region type: parameters capacity (of each ring) and max message length. */
    public static final RegionType TYPE = RegionType.of("pipe", 1, "capacity", "maxMessageLength");

    /** Offset of the End A field (see the drawing above). */
    public static final int END_A_OFFSET = 0;
    /** Offset of the End B field (see the drawing above). */
    public static final int END_B_OFFSET = 128;
    /** Offset of the Pid field (see the drawing above). */
    public static final int PID_OFFSET = 0;
    /** Offset of the Start field (see the drawing above). */
    public static final int START_OFFSET = 8;
    /** Offset of the Closed field (see the drawing above). */
    public static final int CLOSED_OFFSET = 16;
    /** Offset of the Rings field (see the drawing above). */
    public static final int RINGS_OFFSET = 1024;
    /** In-band end-of-stream marker; user message types are below it. */
    public static final int END_OF_STREAM_TYPE = Integer.MAX_VALUE;

    private PipeDescriptor() {
    }
}
