package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionFormatException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpscRingBufferTest extends RingBufferContract {
    @Override
    boolean multiProducer() {
        return false;
    }

    @Test
    void shouldDeliverACommittedHeaderBeforeTheTailMovesAndReportAHoleBelowTheTail() {
        assertTrue(ring.offer(1, bytes(16, 1)));
        // A complete record past the tail (its producer died between writing the header, which only
        // commit does, and moving the tail) is delivered: the consumer, caught up, looks at the header.
        long next = RingDescriptor.align(16 + RingDescriptor.HEADER_LENGTH);
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET + next, RingDescriptor.header(24, 2));
        List<Integer> types = new ArrayList<>();
        assertEquals(2, ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(0, ring.read((t, b, o, l) -> types.add(t), 10), "the zero header after it ends the data");
        assertEquals(List.of(1, 2), types);
        // A zero header below the tail is corruption, not the end of the data: reported within 256
        // empty reads (the consumer follows headers and looks at the tail only now and then).
        long head = ring.consumerPosition();
        ring.region().memory().putLongVolatile(RingDescriptor.TAIL_OFFSET, head + 24);
        RegionFormatException e = assertThrows(RegionFormatException.class, this::readEmpty256Times);
        assertTrue(e.getMessage().contains("below the tail"), e.getMessage());
    }

    @Test
    void shouldReportATailMoreThanACapacityAheadOfTheHead() {
        assertTrue(ring.offer(1, bytes(16, 1)));
        assertEquals(1, ring.read((t, b, o, l) -> { }, 1));
        ring.region().memory().putLongVolatile(RingDescriptor.TAIL_OFFSET, 2L * ring.capacity());
        RegionFormatException e = assertThrows(RegionFormatException.class, this::readEmpty256Times);
        assertTrue(e.getMessage().contains("corrupt positions"), e.getMessage());
    }

    @Test
    void shouldHoldBackAClaimedRecordUntilCommitted() {
        long offset = ring.tryClaim(3, 16);
        assertTrue(offset >= 0);
        long header = ring.region().memory().getLongVolatile(RingDescriptor.DATA_OFFSET + offset - RingDescriptor.HEADER_LENGTH);
        assertTrue(RingDescriptor.recordLength(header) < 0, "the claim marks its header claimed: " + header);
        ring.buffer().asSlice(offset, 16).copyFrom(MemorySegment.ofArray(bytes(16, 3)));
        readEmpty256Times(); // a claimed header at the tail ends the data and is no corruption
        assertTrue(ring.commit(offset));
        List<Integer> types = new ArrayList<>();
        assertEquals(1, ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(List.of(3), types);
    }

    @Test
    void shouldReportANegativeRecordLengthBelowTheTail() {
        assertTrue(ring.offer(1, bytes(16, 1)));
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET, RingDescriptor.header(-16, 1));
        RegionFormatException e = assertThrows(RegionFormatException.class, this::readEmpty256Times);
        assertTrue(e.getMessage().contains("corrupt record at position 0"), e.getMessage());
    }

    private void readEmpty256Times() {
        for (int i = 0; i < 256; i++) {
            assertEquals(0, ring.read((t, b, o, l) -> { }, 1));
        }
    }
}
