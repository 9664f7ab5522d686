package io.interproc.queue;

import io.interproc.core.WaitStrategy;
import java.util.concurrent.TimeUnit;

/**
 * The consuming side of a queue of typed, variable-length messages: an {@link
 * io.interproc.queue.ring.SpscRing} or an {@link io.interproc.queue.ring.MpscRing}. Messages are
 * handed to a {@link MessageReceiver} zero-copy, valid during the call.
 *
 * <p><b>Threads.</b> One thread (of one process) consumes at a time. <b>Delivery</b> is at most
 * once: a message whose receiver throws is consumed, and a consumer that dies loses only what its
 * last read had handed to its receiver; the next consumer continues after it.
 */
public interface MessageSource extends AutoCloseable {
    /**
     * Hands up to {@code limit} messages to {@code receiver}. Never blocks.
     *
     * @param receiver gets each message, zero-copy, on this thread
     * @param limit    most messages to hand; 0 hands none
     * @return the number of messages handed (0 when none is ready)
     * @throws io.interproc.core.RegionFormatException if the queue's memory holds a corrupt record
     */
    int read(MessageReceiver receiver, int limit);

    /**
     * Hands at most one message to {@code receiver}; see {@link #read}.
     *
     * @param receiver gets the message, zero-copy, on this thread
     * @return 1 if a message was handed, else 0
     */
    default int poll(MessageReceiver receiver) {
        return read(receiver, 1);
    }

    /**
     * Waits for one message and hands it to {@code receiver}.
     *
     * @param receiver gets the message, zero-copy, on this thread
     * @param timeout  longest wait
     * @param unit     unit of {@code timeout}
     * @return true once a message was handed, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    boolean take(MessageReceiver receiver, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Takes without a timeout (interruptible).
     *
     * @param receiver gets the message, zero-copy, on this thread
     * @throws InterruptedException if interrupted while waiting
     */
    default void take(MessageReceiver receiver) throws InterruptedException {
        take(receiver, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** {@return the longest message the queue carries} */
    int maxMessageLength();

    /**
     * Sets how this source's blocking calls wait (default {@link WaitStrategy#blocking()}).
     *
     * @param strategy how to wait
     * @return this source
     */
    MessageSource waitStrategy(WaitStrategy strategy);

    /** Stops consuming through this source; the queue stays for other processes. */
    @Override
    void close();
}
