package io.interproc.core.internal.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.interproc.core.internal.memory.Copy;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class CopyTest {
    private static final int SPAN = 160;

    /** Distinct bytes, so that a byte copied from the wrong place shows. */
    private static MemorySegment pattern(MemorySegment segment) {
        for (int i = 0; i < segment.byteSize(); i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + 1));
        }
        return segment;
    }

    @Test
    void shouldCopyWhatMemorySegmentCopyCopiesForEveryLengthAndOffset() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSource = pattern(arena.allocate(SPAN));
            MemorySegment heapSource = pattern(MemorySegment.ofArray(new byte[SPAN]));
            for (MemorySegment source : new MemorySegment[] {nativeSource, heapSource}) {
                for (int length = 0; length <= 130; length++) {
                    for (int offset = 0; offset < 9; offset++) {
                        MemorySegment expected = arena.allocate(SPAN);
                        MemorySegment actual = arena.allocate(SPAN);
                        MemorySegment.copy(source, offset, expected, 3 + offset, length);
                        Copy.copy(source, offset, actual, 3 + offset, length);
                        assertArrayEquals(expected.toArray(ValueLayout.JAVA_BYTE), actual.toArray(ValueLayout.JAVA_BYTE),
                            "length " + length + ", offset " + offset + ", heap source " + !source.isNative());
                    }
                }
            }
        }
    }

    @Test
    void shouldCopyOverlappingRangesAsMemorySegmentCopyDoes() {
        try (Arena arena = Arena.ofConfined()) {
            for (int length = 0; length <= 70; length++) {
                for (int shift = -9; shift <= 9; shift++) {
                    MemorySegment expected = pattern(arena.allocate(SPAN));
                    MemorySegment actual = pattern(arena.allocate(SPAN));
                    MemorySegment.copy(expected, 40, expected, 40 + shift, length);
                    Copy.copy(actual, 40, actual, 40 + shift, length);
                    assertArrayEquals(expected.toArray(ValueLayout.JAVA_BYTE), actual.toArray(ValueLayout.JAVA_BYTE),
                        "length " + length + ", shift " + shift);
                }
            }
        }
    }

    @Test
    void shouldRejectRangesOutsideEitherSegment() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = pattern(arena.allocate(64));
            MemorySegment target = arena.allocate(64);
            assertThrows(IndexOutOfBoundsException.class, () -> Copy.copy(source, 8, target, 0, 64));
            assertThrows(IndexOutOfBoundsException.class, () -> Copy.copy(source, 0, target, 8, 64));
            assertThrows(IndexOutOfBoundsException.class, () -> Copy.copy(source, 0, target, 40, 32));
            assertThrows(IndexOutOfBoundsException.class, () -> Copy.copy(source, 0, target, -8, 40));
            assertArrayEquals(new byte[64], target.toArray(ValueLayout.JAVA_BYTE), "nothing written by a failed copy");
            assertThrows(IndexOutOfBoundsException.class, () -> Copy.copy(source, -1, target, 0, 16));
            assertThrows(IndexOutOfBoundsException.class, () -> Copy.copy(source, 0, target, 0, -1));
            assertThrows(IllegalArgumentException.class, () -> Copy.copy(source, 0, target.asReadOnly(), 0, 16),
                "a read-only destination");
        }
    }
}
