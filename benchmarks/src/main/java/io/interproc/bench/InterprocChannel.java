package io.interproc.bench;

import io.interproc.queue.MessageReceiver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** What interproc's channels (ring, MPMC queue, pipe) share: the message to send and the value last received. */
abstract class InterprocChannel implements BenchChannel {
    /** The outgoing message: the value in its first 8 bytes, filler after. */
    final MemorySegment message = Arena.ofAuto().allocate(MAX_MESSAGE, 64);
    /** The value of the last message {@link #capture} saw, or -1. */
    long value = -1;
    /** Reads a received message's value into {@link #value}. */
    final MessageReceiver capture = (type, buffer, offset, length) -> value = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);

    /**
     * The next message's value through {@link #drain}{@code (1)}: for the channels read with a
     * handler in batches (rings, lanes), which override {@code drain}; the others override this.
     */
    @Override
    public long poll() {
        value = -1;
        drain(1);
        return value;
    }

    /** @return the first {@code length} bytes of {@link #message}, carrying {@code v} */
    MemorySegment message(long v, int length) {
        message.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, v);
        return message.asSlice(0, length);
    }
}
