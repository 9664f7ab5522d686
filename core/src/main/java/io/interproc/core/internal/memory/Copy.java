package io.interproc.core.internal.memory;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Copying a message between segments, for the hot paths that copy one per call: the result of
 * {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}, faster for messages of
 * 8 to 64 bytes.
 *
 * <p>Why: on JDK 25 {@code MemorySegment.copy} moves fewer than 64 bytes with a loop of 8-byte moves
 * whose trip count depends on the length, and 64 bytes or more with a call to the VM's copy stub.
 * Here a message of 8 to 64 bytes is two copies of a fixed 8, 16 or 32 bytes, one from its start
 * and one ending at its end (overlapping in the middle unless the length is that size or twice it),
 * which the JIT compiles to straight-line moves: no loop, no call. Source and destination that may
 * overlap (judged by address) take {@code MemorySegment.copy}, so overlap gives its result too.
 * A ring's 64-byte offer on one thread measured faster with it than with {@code MemorySegment.copy}
 * (figures in docs/bench/HISTORY.md, "Figures that were in Javadoc").
 *
 * <p>Thread-safe (no state); plain accesses: ordering is the caller's. The checks and exceptions
 * are {@code MemorySegment.copy}'s: a range outside either segment throws
 * {@link IndexOutOfBoundsException}, a read-only destination {@link IllegalArgumentException}, a
 * closed segment {@link IllegalStateException}; a failed check writes nothing.
 */
public final class Copy {
    private Copy() {
    }

    /**
     * Copies {@code length} bytes from {@code src} at {@code srcOffset} to {@code dst} at
     * {@code dstOffset}, as {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)} does.
     *
     * @throws IndexOutOfBoundsException if either range is outside its segment or {@code length} is negative
     * @throws IllegalArgumentException  if {@code dst} is read-only
     */
    public static void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
        long from = src.address() + srcOffset;
        long to = dst.address() + dstOffset;
        if (length > 64 || length < 8 || from - to < length && to - from < length) {
            // Other lengths, and (by address, which may also match a heap segment's: then this
            // path is merely slower) source and destination that may overlap.
            MemorySegment.copy(src, srcOffset, dst, dstOffset, length);
        } else {
            // Both ranges checked first, so that a range that is out of bounds writes nothing.
            Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
            Objects.checkFromIndexSize(dstOffset, length, dst.byteSize());
            long run = length > 32 ? 32 : length > 16 ? 16 : 8;
            MemorySegment.copy(src, srcOffset, dst, dstOffset, run);
            MemorySegment.copy(src, srcOffset + length - run, dst, dstOffset + length - run, run);
        }
    }
}
