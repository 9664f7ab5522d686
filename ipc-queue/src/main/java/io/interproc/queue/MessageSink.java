package io.interproc.queue;

import io.interproc.core.WaitStrategy;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The producing side of a queue of typed, variable-length messages: an {@link
 * io.interproc.queue.ring.SpscRing}, or a producer's lane of an {@link io.interproc.queue.ring.MpscRing}.
 *
 * <p><b>Zero-copy:</b> {@link #tryClaim} (or {@link #claim}, which waits) reserves room for a
 * message and returns its offset in {@link #buffer()}; write the message there, then {@link
 * #commit} or {@link #abort} it, in a {@code finally}. One claim at a time. <b>Copying:</b>
 * {@link #offer} (never blocks; false when full) and {@link #put} (waits for room).
 *
 * <p><b>Threads.</b> One thread produces through a sink at a time. <b>Faults.</b> A producer that
 * dies between claim and commit never exposes the message; what it committed before is delivered.
 * A producer waiting for room whose consumer died gets {@link io.interproc.core.PeerDiedException}.
 * Using a sink after {@link #close()} throws {@link IllegalStateException} naming it.
 */
public interface MessageSink extends AutoCloseable {
    /** {@link #tryClaim} and {@link #claim} result: not enough free space (back-pressure). */
    long INSUFFICIENT_CAPACITY = -2;

    /**
     * Claims room for a message of {@code length} bytes. Never blocks.
     *
     * @param type   message type, &gt;= 0
     * @param length message bytes, 0 to {@link #maxMessageLength()}
     * @return the offset of the message in {@link #buffer()}, or {@link #INSUFFICIENT_CAPACITY}
     * @throws IllegalArgumentException naming both lengths if {@code length} exceeds {@link
     *     #maxMessageLength()}, or if {@code length} or {@code type} is negative
     * @throws IllegalStateException    if a claim is pending (commit or abort it first), or the sink is closed
     */
    long tryClaim(int type, int length);

    /**
     * Claims room for a message, waiting while the queue is full: the blocking {@link #tryClaim},
     * for a producer that would otherwise spin. Sleeps as {@link #put} does.
     *
     * @param type    message type, &gt;= 0
     * @param length  message bytes, 0 to {@link #maxMessageLength()}
     * @param timeout longest wait
     * @param unit    unit of {@code timeout}
     * @return the offset of the message in {@link #buffer()}, or {@link #INSUFFICIENT_CAPACITY} if
     *     {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    long claim(int type, int length, long timeout, TimeUnit unit) throws InterruptedException;

    /** {@return the memory claimed offsets point into} */
    MemorySegment buffer();

    /**
     * Publishes the pending claim at {@code offset}. A commit cannot be dropped.
     *
     * @param offset what {@link #tryClaim} or {@link #claim} returned
     * @throws IllegalStateException if there is no pending claim at {@code offset}
     */
    void commit(long offset);

    /**
     * Gives up the pending claim at {@code offset}: nothing is delivered for it.
     *
     * @param offset what {@link #tryClaim} or {@link #claim} returned
     * @throws IllegalStateException if there is no pending claim at {@code offset}
     */
    void abort(long offset);

    /**
     * Copies the {@code length} bytes of {@code source} at {@code offset} in as one message of
     * {@code type}. Never blocks.
     *
     * @param type   message type, &gt;= 0
     * @param source memory holding the message
     * @param offset where the message starts in {@code source}
     * @param length message bytes
     * @return false if the queue is full
     * @throws IllegalArgumentException  as {@link #tryClaim}
     * @throws IndexOutOfBoundsException if the bytes are not all inside {@code source} (nothing is offered)
     */
    boolean offer(int type, MemorySegment source, long offset, int length);

    /**
     * Copies {@code message} in as one message. Never blocks.
     *
     * @param type    message type, &gt;= 0
     * @param message the message
     * @return false if the queue is full
     */
    default boolean offer(int type, byte[] message) {
        return offer(type, MemorySegment.ofArray(message), 0, message.length);
    }

    /**
     * Copies the whole of {@code message} in as one message. Never blocks.
     *
     * @param type    message type, &gt;= 0
     * @param message the message
     * @return false if the queue is full
     */
    default boolean offer(int type, MemorySegment message) {
        return offer(type, message, 0, lengthOf(message.byteSize()));
    }

    /**
     * Copies {@code message}'s remaining bytes in as one message (its position is not changed).
     * Never blocks.
     *
     * @param type    message type, &gt;= 0
     * @param message the message, from its position to its limit
     * @return false if the queue is full
     */
    default boolean offer(int type, ByteBuffer message) {
        return offer(type, MemorySegment.ofBuffer(message));
    }

    /**
     * Copies {@code message} in, waiting while the queue is full.
     *
     * @param type    message type, &gt;= 0
     * @param message the message
     * @param timeout longest wait
     * @param unit    unit of {@code timeout}
     * @return true once offered, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     * @throws io.interproc.core.PeerDiedException if the queue's consumer died while this waited
     */
    boolean put(int type, MemorySegment message, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * {@link #put(int, MemorySegment, long, TimeUnit)} of an array.
     *
     * @param type    message type, &gt;= 0
     * @param message the message
     * @param timeout longest wait
     * @param unit    unit of {@code timeout}
     * @return true once offered, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    default boolean put(int type, byte[] message, long timeout, TimeUnit unit) throws InterruptedException {
        return put(type, MemorySegment.ofArray(message), timeout, unit);
    }

    /**
     * Puts without a timeout (still interruptible, and ended by a dead consumer).
     *
     * @param type    message type, &gt;= 0
     * @param message the message
     * @throws InterruptedException if interrupted while waiting
     */
    default void put(int type, byte[] message) throws InterruptedException {
        put(type, MemorySegment.ofArray(message), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** {@return the longest message accepted} */
    int maxMessageLength();

    /**
     * Sets how this sink's blocking calls wait (default {@link WaitStrategy#blocking()}).
     *
     * @param strategy how to wait
     * @return this sink
     */
    MessageSink waitStrategy(WaitStrategy strategy);

    /** Stops producing through this sink; see the implementation for what its consumer sees. */
    @Override
    void close();

    private int lengthOf(long length) {
        if (length > maxMessageLength()) {
            throw new IllegalArgumentException("message of " + length + " bytes exceeds the maximum message length "
                + maxMessageLength() + " of " + this);
        }
        return (int) length;
    }
}
