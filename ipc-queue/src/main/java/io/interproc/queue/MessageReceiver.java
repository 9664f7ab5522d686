package io.interproc.queue;

import java.lang.foreign.MemorySegment;

/**
 * Receives messages read from a queue, zero-copy: {@code buffer} is a read-only view of mapped
 * memory (a ring's data, or a queue's own copy) and the message is the {@code length} bytes at
 * {@code offset}. Valid only during the call: once it returns, the space may be reused by
 * producers, so copy out what must outlive it. Called on the reading thread; a receiver that throws
 * has consumed its message (delivery is at most once), and the exception reaches the reader's caller.
 */
@FunctionalInterface
public interface MessageReceiver {
    /**
     * Receives one message.
     *
     * @param type   the message type the producer gave, &gt;= 0
     * @param buffer read-only memory holding the message
     * @param offset where the message starts in {@code buffer}
     * @param length message bytes
     */
    void onMessage(int type, MemorySegment buffer, long offset, int length);
}
