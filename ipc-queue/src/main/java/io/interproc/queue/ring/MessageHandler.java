package io.interproc.queue.ring;

import java.lang.foreign.MemorySegment;

/**
 * Receives messages read from a ring, zero-copy: {@code buffer} is the ring's mapped memory and the
 * message is the {@code length} bytes at {@code offset}. Valid only during the call: once it
 * returns, the space may be reused by producers. Do not write to it.
 */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(int type, MemorySegment buffer, long offset, int length);
}
