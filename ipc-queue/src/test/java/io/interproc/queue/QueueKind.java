package io.interproc.queue;

import io.interproc.core.RegionDirectory;
import io.interproc.core.WaitStrategy;
import io.interproc.queue.pipe.Pipe;
import io.interproc.queue.ring.MpscRing;
import io.interproc.queue.ring.RingOptions;
import io.interproc.queue.ring.SpscRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * The queues the contract suite runs against, each as a {@link MessageSource} created by the test
 * and {@link MessageSink}s opened by name (in the test's JVM or another). A pipe carries no message
 * types and has no zero-copy claims: its adapter sends the type in a 4-byte prefix and the suite
 * leaves the claim tests out for it.
 */
public enum QueueKind {
    SPSC(false, true),
    LANES(true, true),
    PIPE(false, false);

    /** Bytes of the type prefix the pipe adapter adds to each message. */
    static final int TYPE_PREFIX = 4;

    final boolean manyProducers;
    final boolean zeroCopy;

    QueueKind(boolean manyProducers, boolean zeroCopy) {
        this.manyProducers = manyProducers;
        this.zeroCopy = zeroCopy;
    }

    /** Creates the queue {@code name} and returns its consuming side. */
    public MessageSource create(RegionDirectory directory, String name, int capacity, int maxMessageLength) {
        return switch (this) {
            case SPSC -> SpscRing.create(directory, name, RingOptions.of(capacity, maxMessageLength));
            case LANES -> MpscRing.create(directory, name, RingOptions.of(capacity, maxMessageLength).withMaxLanes(8));
            case PIPE -> new PipeSource(Pipe.create(directory, name, capacity, maxMessageLength + TYPE_PREFIX),
                maxMessageLength);
        };
    }

    /** Opens a producing side of the existing queue {@code name}; closing it closes all it opened. */
    public MessageSink openSink(RegionDirectory directory, String name) {
        switch (this) {
            case SPSC:
                return SpscRing.open(directory, name);
            case LANES:
                MpscRing ring = MpscRing.open(directory, name);
                try {
                    return new LaneSink(ring, ring.attach());
                } catch (RuntimeException e) {
                    ring.close();
                    throw e;
                }
            default:
                Pipe end = Pipe.open(directory, name, Pipe.End.B);
                return new PipeSink(end, end.maxMessageLength() - TYPE_PREFIX);
        }
    }

    /** A lane's producer together with the table handle it came from. */
    private record LaneSink(MpscRing ring, MpscRing.Producer producer) implements MessageSink {
        @Override
        public long tryClaim(int type, int length) {
            return producer.tryClaim(type, length);
        }

        @Override
        public long claim(int type, int length, long timeout, TimeUnit unit) throws InterruptedException {
            return producer.claim(type, length, timeout, unit);
        }

        @Override
        public MemorySegment buffer() {
            return producer.buffer();
        }

        @Override
        public void commit(long offset) {
            producer.commit(offset);
        }

        @Override
        public void abort(long offset) {
            producer.abort(offset);
        }

        @Override
        public boolean offer(int type, MemorySegment source, long offset, int length) {
            return producer.offer(type, source, offset, length);
        }

        @Override
        public boolean put(int type, MemorySegment message, long timeout, TimeUnit unit) throws InterruptedException {
            return producer.put(type, message, timeout, unit);
        }

        @Override
        public int maxMessageLength() {
            return producer.maxMessageLength();
        }

        @Override
        public MessageSink waitStrategy(WaitStrategy strategy) {
            producer.waitStrategy(strategy);
            return this;
        }

        @Override
        public void close() {
            producer.close();
            ring.close();
        }

        @Override
        public String toString() {
            return producer.toString();
        }
    }

    /** End B of a pipe as a sink: each message is sent with its type in a 4-byte prefix. */
    private static final class PipeSink implements MessageSink {
        private final Pipe end;
        private final int max;

        PipeSink(Pipe end, int max) {
            this.end = end;
            this.max = max;
        }

        @Override
        public long tryClaim(int type, int length) {
            throw new UnsupportedOperationException("a pipe has no zero-copy claims");
        }

        @Override
        public long claim(int type, int length, long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("a pipe has no zero-copy claims");
        }

        @Override
        public MemorySegment buffer() {
            throw new UnsupportedOperationException("a pipe has no zero-copy claims");
        }

        @Override
        public void commit(long offset) {
            throw new UnsupportedOperationException("a pipe has no zero-copy claims");
        }

        @Override
        public void abort(long offset) {
            throw new UnsupportedOperationException("a pipe has no zero-copy claims");
        }

        @Override
        public boolean offer(int type, MemorySegment source, long offset, int length) {
            try {
                return put(type, source.asSlice(offset, length), 0, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public boolean put(int type, MemorySegment message, long timeout, TimeUnit unit) throws InterruptedException {
            if (type < 0 || message.byteSize() > max) {
                throw new IllegalArgumentException("message of " + message.byteSize() + " bytes or type " + type
                    + " is not for the pipe adapter (maximum message length " + max + ")");
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment framed = arena.allocate(TYPE_PREFIX + message.byteSize());
                framed.set(ValueLayout.JAVA_INT_UNALIGNED, 0, type);
                MemorySegment.copy(message, 0, framed, TYPE_PREFIX, message.byteSize());
                return end.send(framed, timeout, unit);
            }
        }

        @Override
        public int maxMessageLength() {
            return max;
        }

        @Override
        public MessageSink waitStrategy(WaitStrategy strategy) {
            end.waitStrategy(strategy);
            return this;
        }

        @Override
        public void close() {
            end.close();
        }

        @Override
        public String toString() {
            return end.toString();
        }
    }

    /** End A of a pipe as a source: the type prefix is taken off before the receiver sees the message. */
    private static final class PipeSource implements MessageSource {
        private final Pipe end;
        private final int max;

        PipeSource(Pipe end, int max) {
            this.end = end;
            this.max = max;
        }

        private static MessageReceiver unframed(MessageReceiver receiver) {
            return (type, buffer, offset, length) -> receiver.onMessage(
                buffer.get(ValueLayout.JAVA_INT_UNALIGNED, offset), buffer, offset + TYPE_PREFIX, length - TYPE_PREFIX);
        }

        @Override
        public int read(MessageReceiver receiver, int limit) {
            MessageReceiver unframed = unframed(receiver);
            int n = 0;
            try {
                while (n < limit && end.receive(unframed, 0, TimeUnit.NANOSECONDS) == Pipe.RECEIVED) {
                    n++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return n;
        }

        @Override
        public boolean take(MessageReceiver receiver, long timeout, TimeUnit unit) throws InterruptedException {
            return end.receive(unframed(receiver), timeout, unit) == Pipe.RECEIVED;
        }

        @Override
        public int maxMessageLength() {
            return max;
        }

        @Override
        public MessageSource waitStrategy(WaitStrategy strategy) {
            end.waitStrategy(strategy);
            return this;
        }

        @Override
        public void close() {
            end.close();
        }

        @Override
        public String toString() {
            return end.toString();
        }
    }
}
