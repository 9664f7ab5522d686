package io.interproc.queue.ring;

import io.interproc.queue.MessageReceiver;
import java.lang.foreign.MemorySegment;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Agrona {@code DirectBuffer} views of ring memory, for SBE and other Agrona users: encode a
 * message straight into a claim, decode it straight from the mapped ring.
 *
 * <p>What it needs: Agrona on the class path ({@code org.agrona:agrona}, an optional dependency of
 * interproc: declare it yourself) and, on JDK
 * 24 and later, the flag Agrona's {@code UnsafeBuffer} needs,
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (interproc itself needs none).
 * The views are valid while the ring's region is open; a view used after {@code close()} reads
 * unmapped memory, which interproc's own accessors prevent but Agrona's cannot — close the ring
 * only when its views are no longer used.
 *
 * <p>Not thread-safe: a view or receiver adapter is for one thread.
 */
public final class AgronaBuffers {
    private AgronaBuffers() {
    }

    /**
     * {@return an {@link UnsafeBuffer} over the whole of {@code segment} (offsets as in the segment)}
     *
     * @param segment native memory of at most 2 GiB
     * @throws IllegalArgumentException if it is heap memory or larger
     */
    public static UnsafeBuffer wrap(MemorySegment segment) {
        if (!segment.isNative() || segment.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an Agrona view needs native memory of at most 2 GiB, got "
                + segment.byteSize() + " bytes" + (segment.isNative() ? "" : " on the heap"));
        }
        return new UnsafeBuffer(segment.address(), (int) segment.byteSize());
    }

    /**
     * Adapts an Agrona {@link org.agrona.concurrent.MessageHandler} to read any of the library's
     * queues: it receives the memory holding the message as a {@code DirectBuffer} (one view, moved
     * only when a message comes from other memory, as from another lane) and the message's index and
     * length.
     *
     * @param handler the Agrona handler
     * @return a receiver for {@link io.interproc.queue.MessageSource#read} and the like
     */
    public static MessageReceiver receiver(org.agrona.concurrent.MessageHandler handler) {
        UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        long[] wrapped = {-1, -1};
        return (type, buffer, offset, length) -> {
            if (buffer.address() != wrapped[0] || buffer.byteSize() != wrapped[1]) {
                UnsafeBuffer fresh = wrap(buffer);
                view.wrap(fresh.addressOffset(), fresh.capacity());
                wrapped[0] = buffer.address();
                wrapped[1] = buffer.byteSize();
            }
            handler.onMessage(type, view, (int) offset, length);
        };
    }
}
