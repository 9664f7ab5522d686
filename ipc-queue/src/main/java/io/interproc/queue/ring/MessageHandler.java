package io.interproc.queue.ring;

import java.lang.foreign.MemorySegment;

/**
 * Receives messages read from a ring, zero-copy: {@code buffer} is a read-only view of the ring's
 * mapped memory (a ring's data; a queue's or pipe's own copy) and the message is the {@code length}
 * bytes at {@code offset}. Valid only during the call: once it returns, the space may be reused by
 * producers, so copy out what must outlive it. Called on the reading thread; a handler that throws
 * has consumed its message (at most once).
 */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(int type, MemorySegment buffer, long offset, int length);
}
