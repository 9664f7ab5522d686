package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionFormatException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpscRingBufferTest extends RingBufferContract {
    @Override
    boolean multiProducer() {
        return false;
    }

    @Test
    void shouldReadOnlyBelowTheTailAndReportAHoleThere() {
        assertTrue(ring.offer(1, bytes(16, 1)));
        // A header written past the tail (a producer that died before moving the tail) is not delivered...
        long next = RingDescriptor.align(16 + RingDescriptor.HEADER_LENGTH);
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET + next, RingDescriptor.header(24, 2));
        List<Integer> types = new ArrayList<>();
        assertEquals(1, ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(List.of(1), types);
        // ...and a zero header below the tail is corruption, not the end of the data.
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET + next, 0);
        ring.region().memory().getAndAddLong(RingDescriptor.TAIL_OFFSET, 24);
        RegionFormatException e = assertThrows(RegionFormatException.class, () -> ring.read((t, b, o, l) -> { }, 1));
        assertTrue(e.getMessage().contains("below the tail"), e.getMessage());
    }

    @Test
    void shouldReportATailMoreThanACapacityAheadOfTheHead() {
        assertTrue(ring.offer(1, bytes(16, 1)));
        ring.region().memory().putLongVolatile(RingDescriptor.TAIL_OFFSET, 2L * ring.capacity());
        RegionFormatException e = assertThrows(RegionFormatException.class, () -> ring.read((t, b, o, l) -> { }, 1));
        assertTrue(e.getMessage().contains("corrupt positions"), e.getMessage());
    }
}
