package io.interproc.bench;

import io.interproc.core.RegionDirectory;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.Copy;
import io.interproc.queue.ring.RingOptions;
import io.interproc.queue.ring.SpscRing;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * One message channel between two JVMs, as the benchmarks drive it: an interproc ring or a peer's
 * ring over the same kind of mapped file. Messages carry a long (sequence or echo value) in their
 * first 8 bytes; the rest is filler of the requested length.
 */
interface BenchChannel extends AutoCloseable {
    /**
     * Ring capacity used by every benchmark (bytes of data): 1 MiB, or the power of two in the system
     * property {@code interproc.bench.capacity} (pass it to the forks with {@code -jvmArgsPrepend}).
     * Peers opening a ring take its size from the file.
     */
    int CAPACITY = Integer.getInteger("interproc.bench.capacity", 1 << 20);
    /** Largest message benchmarked. */
    int MAX_MESSAGE = 4096;

    /** Offers one message; false when full. Never blocks. */
    boolean offer(long value, int length);

    /**
     * Writes one message in place, zero-copy: claims {@code length} bytes in the ring, writes the
     * filler and then the value straight into them, and commits; false when full. Never blocks.
     *
     * @throws UnsupportedOperationException for channels without a claim (all but the rings)
     */
    default boolean claim(long value, int length) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no zero-copy claim");
    }

    /** Reads at most {@code limit} messages; returns how many. Never blocks. */
    default int drain(int limit) {
        int n = 0;
        while (n < limit && poll() >= 0) {
            n++;
        }
        return n;
    }

    /** @return the value of the next message, or -1 when none is ready. Never blocks. */
    long poll();

    /** Waits for a message and returns its value (channels that cannot sleep spin). */
    default long take() throws InterruptedException {
        long v;
        while ((v = poll()) < 0) {
            Thread.onSpinWait();
        }
        return v;
    }

    /** Offers, waiting while full. */
    default void put(long value, int length) throws InterruptedException {
        while (!offer(value, length)) {
            Thread.onSpinWait();
        }
    }

    @Override
    void close();

    /**
     * Opens (or creates, when {@code create}) the channel {@code name} of kind {@code impl} in {@code dir}.
     *
     * @param impl {@code interproc} (spin waits), {@code interproc-blocking} (sleeps in the kernel at once),
     *             {@code interproc-mpsc} (the MPSC ring: an SPSC lane per producer), {@code interproc-mpmc}, {@code interproc-pipe} (both directions of one pipe), {@code agrona}, {@code agrona-mpsc}, {@code chronicle} (Chronicle
     *             Queue), {@code aeron} (Aeron IPC), {@code abq} (ArrayBlockingQueue, peer in this JVM), {@code uds} (Unix-domain
     *             socket), {@code tcp} (TCP on loopback)
     */
    static BenchChannel open(String impl, Path dir, String name, boolean create) {
        return switch (impl) {
            case "interproc" -> new Interproc(dir, name, create, null);
            case "interproc-mpsc" -> new LanesChannel(dir, name, create);
            case "interproc-blocking" -> new Interproc(dir, name, create,
                WaitStrategy.blocking(0, 0, Duration.ofMillis(100)));
            case "agrona" -> new Agrona(dir, name, create, false);
            case "agrona-mpsc" -> new Agrona(dir, name, create, true);
            case "interproc-pipe" -> new PipeChannel(dir, name, create);
            case "interproc-mpmc" -> new MpmcChannel(dir, name, create);
            case "chronicle" -> new ChronicleChannel(dir, name);
            case "aeron" -> new AeronChannel(dir, name, create);
            case "abq" -> new InJvmChannel(dir.toString(), name);
            case "uds" -> new SocketChannelPeer(true, dir, name, create);
            case "tcp" -> new SocketChannelPeer(false, dir, name, create);
            default -> throw new IllegalArgumentException("unknown channel kind '" + impl + "'");
        };
    }

    /** interproc's ring. */
    final class Interproc extends InterprocChannel {
        private final SpscRing ring;
        private final MemorySegment buffer;
        private final WaitStrategy blocking;

        Interproc(Path dir, String name, boolean create, WaitStrategy blocking) {
            RegionDirectory directory = RegionDirectory.of(dir);
            this.ring = create ? SpscRing.create(directory, name, RingOptions.of(CAPACITY, MAX_MESSAGE))
                : SpscRing.open(directory, name);
            this.buffer = ring.buffer();
            this.blocking = blocking;
            if (blocking != null) {
                ring.waitStrategy(blocking);
            }
        }

        @Override
        public boolean offer(long v, int length) {
            // As the Agrona peer does (its write): the value into the message, then the ring's
            // copying offer.
            message.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, v);
            return ring.offer(1, message, 0, length);
        }

        @Override
        public boolean claim(long v, int length) {
            long at = ring.tryClaim(1, length);
            if (at < 0) {
                return false;
            }
            // The filler from the message's constant tail (offer writes only its first 8 bytes).
            Copy.copy(message, Long.BYTES, buffer, at + Long.BYTES, length - Long.BYTES);
            buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, at, v);
            ring.commit(at);
            return true;
        }

        @Override
        public int drain(int limit) {
            return ring.read(capture, limit);
        }

        @Override
        public long take() throws InterruptedException {
            if (blocking == null) {
                return super.take();
            }
            value = -1;
            ring.take(capture, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            return value;
        }

        @Override
        public void put(long v, int length) throws InterruptedException {
            if (blocking == null) {
                super.put(v, length);
                return;
            }
            ring.put(1, message(v, length), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        }

        @Override
        public void close() {
            ring.close();
        }
    }

    /** Agrona's OneToOneRingBuffer / ManyToOneRingBuffer over a file mapped in /dev/shm, as its users share them. */
    final class Agrona implements BenchChannel {
        private final FileChannel channel;
        private final org.agrona.concurrent.ringbuffer.RingBuffer ring;
        private final UnsafeBuffer message = new UnsafeBuffer(new byte[MAX_MESSAGE]);
        private long value = -1;
        private final org.agrona.concurrent.MessageHandler capture =
            (type, buffer, index, length) -> value = buffer.getLong(index);

        Agrona(Path dir, String name, boolean create, boolean mpsc) {
            try {
                Path file = dir.resolve(name + ".agrona");
                channel = create
                    ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                long size = create ? CAPACITY + RingBufferDescriptor.TRAILER_LENGTH : channel.size();
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
                UnsafeBuffer buffer = new UnsafeBuffer(mapped);
                ring = mpsc ? new ManyToOneRingBuffer(buffer) : new OneToOneRingBuffer(buffer);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean offer(long v, int length) {
            message.putLong(0, v);
            return ring.write(1, message, 0, length);
        }

        @Override
        public boolean claim(long v, int length) {
            int index = ring.tryClaim(1, length);
            if (index < 0) {
                return false;
            }
            AtomicBuffer buffer = ring.buffer();
            buffer.putBytes(index + Long.BYTES, message, Long.BYTES, length - Long.BYTES);
            buffer.putLong(index, v);
            ring.commit(index);
            return true;
        }

        @Override
        public int drain(int limit) {
            return ring.read(capture, limit);
        }

        @Override
        public long poll() {
            value = -1;
            ring.read(capture, 1);
            return value;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the mapping stays valid until collected
            }
        }
    }
}
