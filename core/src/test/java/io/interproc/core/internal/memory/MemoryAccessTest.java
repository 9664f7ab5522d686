package io.interproc.core.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.internal.memory.MemoryAccess;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class MemoryAccessTest {
    @Test
    void shouldReadWhatEachOrderWrote() {
        try (Arena arena = Arena.ofConfined()) {
            MemoryAccess m = new MemoryAccess(arena.allocate(64, 8));
            m.putIntPlain(0, 1);
            m.putIntOpaque(4, 2);
            m.putIntRelease(8, 3);
            m.putIntVolatile(12, 4);
            assertEquals(1, m.getIntPlain(0));
            assertEquals(2, m.getIntOpaque(4));
            assertEquals(3, m.getIntAcquire(8));
            assertEquals(4, m.getIntVolatile(12));
            m.putLongPlain(16, 10);
            m.putLongOpaque(24, 20);
            m.putLongRelease(32, 30);
            m.putLongVolatile(40, 40);
            assertEquals(10, m.getLongPlain(16));
            assertEquals(20, m.getLongOpaque(24));
            assertEquals(30, m.getLongAcquire(32));
            assertEquals(40, m.getLongVolatile(40));
            assertEquals(64, m.length());
        }
    }

    @Test
    void shouldApplyAtomicOperations() {
        try (Arena arena = Arena.ofConfined()) {
            MemoryAccess m = new MemoryAccess(arena.allocate(64, 8));
            assertTrue(m.compareAndSetInt(0, 0, 5));
            assertFalse(m.compareAndSetInt(0, 0, 6));
            assertEquals(5, m.compareAndExchangeInt(0, 1, 9));
            assertEquals(5, m.getAndAddInt(0, 3));
            assertEquals(8, m.getAndSetInt(0, 1));
            assertEquals(1, m.getIntVolatile(0));
            assertTrue(m.compareAndSetLong(8, 0, Long.MAX_VALUE));
            assertEquals(Long.MAX_VALUE, m.compareAndExchangeLong(8, 0, 1));
            assertEquals(Long.MAX_VALUE, m.getAndAddLong(8, 1));
            assertEquals(Long.MIN_VALUE, m.getAndSetLong(8, 2));
            assertEquals(2, m.getLongVolatile(8));
        }
    }

    @Test
    void shouldRejectOutOfBoundsAndMisalignedAccess() {
        try (Arena arena = Arena.ofConfined()) {
            MemoryAccess m = new MemoryAccess(arena.allocate(64, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> m.getLongVolatile(64));
            assertThrows(IndexOutOfBoundsException.class, () -> m.putIntVolatile(-4, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> m.getLongPlain(60));
            assertThrows(IllegalArgumentException.class, () -> m.getLongVolatile(4));
            assertThrows(IllegalArgumentException.class, () -> m.compareAndSetInt(2, 0, 1));
        }
    }
}
