package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.Futex;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.testing.KernelWaits;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the SPSC ring adds to the queue contract ({@code io.interproc.queue.QueueContractTest}): its
 * positions and state, its layout version, claims never exposed uncommitted, corrupt records and
 * positions reported, and the Handed Position a consumer takes over from.
 */
@Timeout(120)
class SpscRingTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    RegionDirectory directory;
    SpscRing ring;

    @BeforeEach
    void createRing() {
        directory = RegionDirectory.of(dir);
        ring = SpscRing.create(directory, "ring", RingOptions.of(1024, 100));
    }

    @AfterEach
    void closeRing() {
        ring.close();
    }

    static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    private List<byte[]> drain(List<Integer> types) {
        List<byte[]> out = new ArrayList<>();
        ring.read((type, buffer, offset, length) -> {
            types.add(type);
            out.add(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
        }, Integer.MAX_VALUE);
        return out;
    }

    @Test
    void shouldRefuseImpossibleOptionsNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RingOptions.of(1000, 10));
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RingOptions.of(1024, 600));
        assertTrue(e.getMessage().contains("600") && e.getMessage().contains("half"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RingOptions.of(1024, 100).withMaxLanes(0));
        assertTrue(e.getMessage().contains("max lanes"), e.getMessage());
        assertThrows(NullPointerException.class, () -> RingOptions.of(1024, 100).withWaitStrategy(null));
    }

    @Test
    void shouldRefuseARingOfAnotherLayoutVersionNamingBothVersions() {
        RegionType version2 = RegionType.of("ring", 2, "capacity", "maxMessageLength", "producerSlots");
        try (Region r = directory.create("old", new RegionSpec(version2, RingDescriptor.DATA_OFFSET + 1024, 1024, 10, 0),
            x -> { })) {
            RegionFormatException e = assertThrows(RegionFormatException.class, () -> SpscRing.open(directory, "old"));
            assertTrue(e.getMessage().contains("2") && e.getMessage().contains("3"), e.getMessage());
        }
    }


    @Test
    void shouldExposeItsState() {
        assertEquals(1024, ring.capacity());
        assertEquals(100, ring.maxMessageLength());
        assertEquals(0, ring.consumerHeartbeat());
        ring.offer(1, bytes(8, 0));
        assertEquals(16, ring.size());
        assertEquals(16, ring.producerPosition());
        ring.poll((t, b, o, l) -> { });
        assertEquals(16, ring.consumerPosition());
        assertTrue(ring.consumerHeartbeat() > 0);
        assertTrue(ring.toString().contains("ring 'ring'"), ring.toString());
    }

    @Test
    void shouldNeverExposeAnSpscClaimThatWasNotCommitted() {
        ring.close();
        try (SpscRing dying = SpscRing.open(directory, "ring")) {
            long offset = dying.tryClaim(3, 50);
            assertTrue(offset >= 0);
            dying.buffer().fill((byte) 0x5A);
        } // closed without commit, as if the producer had died
        ring = SpscRing.open(directory, "ring");
        assertEquals(0, ring.size(), "the claim was never published");
        assertTrue(ring.offer(4, bytes(10, 4)));
        List<Integer> types = new ArrayList<>();
        List<byte[]> got = drain(types);
        assertEquals(List.of(4), types);
        assertArrayEquals(bytes(10, 4), got.get(0));
    }

    @Test
    void shouldReportACorruptRecordHeaderWithoutReadingOutsideTheRing() {
        ring.offer(1, bytes(8, 0));
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET, RecordDescriptor.header(1 << 20, 1));
        RegionFormatException e = assertThrows(RegionFormatException.class, () -> ring.read((t, b, o, l) -> { }, 1));
        assertTrue(e.getMessage().contains("corrupt record"), e.getMessage());
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET, RecordDescriptor.header(3, 1));
        assertThrows(RegionFormatException.class, () -> ring.read((t, b, o, l) -> { }, 1));
    }

    @Test
    void shouldHandTheRecordsBeforeACorruptOneAndThenReportIt() {
        // Records of 8 + 16 bytes at 0, 24 and 48; the second one's header corrupted.
        for (int i = 0; i < 3; i++) {
            assertTrue(ring.offer(i, bytes(16, i)));
        }
        MemoryAccess memory = ring.region().memory();
        memory.putLongVolatile(RingDescriptor.DATA_OFFSET + 24, RecordDescriptor.header(1 << 20, 1));
        List<Integer> types = new ArrayList<>();
        RegionFormatException e = assertThrows(RegionFormatException.class,
            () -> ring.read((t, b, o, l) -> types.add(t), 10));
        assertTrue(e.getMessage().contains("corrupt record at position 24"), e.getMessage());
        assertEquals(List.of(0), types, "the record before it is handed, once");
        assertEquals(24, ring.consumerPosition(), "and consumed; the corrupt one is not");
        assertThrows(RegionFormatException.class, () -> ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(List.of(0), types);

        // A header that changes after the read has looked at it (the file written by something
        // else meanwhile): reported when the read reaches it, not followed.
        memory.putLongVolatile(RingDescriptor.DATA_OFFSET + 24, RecordDescriptor.header(24, 1));
        memory.putLongVolatile(RingDescriptor.DATA_OFFSET + 72, 0L);
        e = assertThrows(RegionFormatException.class, () -> ring.read((t, b, o, l) -> {
            types.add(t);
            memory.putLongVolatile(RingDescriptor.DATA_OFFSET + 48, RecordDescriptor.header(1 << 20, 2));
        }, 10));
        assertTrue(e.getMessage().contains("corrupt record at position 48"), e.getMessage());
        assertEquals(List.of(0, 1), types);
        assertEquals(48, ring.consumerPosition());
    }

    @Test
    void shouldSkipOnlyWholeRecordsUpToTheHandedPositionALastConsumerLeft() {
        // Records of 8 + 16 bytes. A Handed Position 8 bytes into the second record covers the
        // first whole and not the second; one more than a buffer ahead is stale: neither skips more.
        for (int i = 0; i < 3; i++) {
            assertTrue(ring.offer(i, bytes(16, i)));
        }
        ring.region().memory().putLongVolatile(RingDescriptor.HANDED_POSITION_OFFSET, 24 + 8);
        List<Integer> types = new ArrayList<>();
        drain(types);
        assertEquals(List.of(1, 2), types, "the first record is covered whole, the second is not");
        assertEquals(72, ring.consumerPosition());
        assertEquals(72, ring.handedPosition(), "the end of the last record handed");
        for (int i = 3; i < 5; i++) {
            assertTrue(ring.offer(i, bytes(16, i)));
        }
        ring.region().memory().putLongVolatile(RingDescriptor.HANDED_POSITION_OFFSET, 72 + ring.capacity() + 24);
        try (SpscRing next = SpscRing.open(directory, "ring")) {
            List<Integer> later = new ArrayList<>();
            next.read((t, b, o, l) -> later.add(t), 10);
            assertEquals(List.of(3, 4), later, "a position more than a buffer ahead is ignored");
            assertEquals(72 + 48, next.handedPosition());
        }
        // A corrupt record on the way to a Handed Position ahead: reported, never skipped blindly.
        assertTrue(ring.offer(5, bytes(16, 5)));
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET + 120, RecordDescriptor.header(1 << 20, 5));
        ring.region().memory().putLongVolatile(RingDescriptor.HANDED_POSITION_OFFSET, 120 + 24);
        try (SpscRing next = SpscRing.open(directory, "ring")) {
            RegionFormatException e = assertThrows(RegionFormatException.class, () -> next.read((t, b, o, l) -> { }, 1));
            assertTrue(e.getMessage().contains("corrupt record at position 120"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseToOpenARingWithCorruptParametersOrPositions() {
        try (Region r = directory.create("odd", new RegionSpec(RingDescriptor.TYPE, RingDescriptor.DATA_OFFSET + 1000,
            1000, 10), x -> { })) {
            RegionFormatException e = assertThrows(RegionFormatException.class, () -> SpscRing.open(directory, "odd"));
            assertTrue(e.getMessage().contains("capacity 1000"), e.getMessage());
        }
        try (Region r = directory.create("long", new RegionSpec(RingDescriptor.TYPE, RingDescriptor.DATA_OFFSET + 1024,
            1024, 600), x -> { })) {
            RegionFormatException e = assertThrows(RegionFormatException.class, () -> SpscRing.open(directory, "long"));
            assertTrue(e.getMessage().contains("max message length 600"), e.getMessage());
        }
        try (Region r = directory.create("short", new RegionSpec(RingDescriptor.TYPE, RingDescriptor.DATA_OFFSET + 512,
            1024, 10), x -> { })) {
            RegionFormatException e = assertThrows(RegionFormatException.class, () -> SpscRing.open(directory, "short"));
            assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        }
        ring.region().memory().putLongVolatile(RingDescriptor.HEAD_OFFSET, 4096);
        RegionFormatException e = assertThrows(RegionFormatException.class, () -> SpscRing.open(directory, "ring"));
        assertTrue(e.getMessage().contains("corrupt positions"), e.getMessage());
    }

    @Test
    void shouldDeliverACommittedHeaderBeforeTheTailMovesAndReportAHoleBelowTheTail() {
        assertTrue(ring.offer(1, bytes(16, 1)));
        // A complete record past the tail (its producer died between writing the header, which only
        // commit does, and moving the tail) is delivered: the consumer, caught up, looks at the header.
        long next = RecordDescriptor.align(16 + RecordDescriptor.HEADER_LENGTH);
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET + next, RecordDescriptor.header(24, 2));
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
        long header = ring.region().memory().getLongVolatile(RingDescriptor.DATA_OFFSET + offset - RecordDescriptor.HEADER_LENGTH);
        assertTrue(RecordDescriptor.recordLength(header) < 0, "the claim marks its header claimed: " + header);
        ring.buffer().asSlice(offset, 16).copyFrom(MemorySegment.ofArray(bytes(16, 3)));
        readEmpty256Times(); // a claimed header at the tail ends the data and is no corruption
        ring.commit(offset);
        List<Integer> types = new ArrayList<>();
        assertEquals(1, ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(List.of(3), types);
    }

    @Test
    void shouldReportANegativeRecordLengthBelowTheTail() {
        assertTrue(ring.offer(1, bytes(16, 1)));
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET, RecordDescriptor.header(-16, 1));
        RegionFormatException e = assertThrows(RegionFormatException.class, this::readEmpty256Times);
        assertTrue(e.getMessage().contains("corrupt record at position 0"), e.getMessage());
    }

    private void readEmpty256Times() {
        for (int i = 0; i < 256; i++) {
            assertEquals(0, ring.read((t, b, o, l) -> { }, 1));
        }
    }
}
