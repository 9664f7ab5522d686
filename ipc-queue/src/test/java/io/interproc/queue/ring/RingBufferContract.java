package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.interproc.core.Futex;
import io.interproc.core.KernelWaits;
import io.interproc.core.Poll;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.MemoryAccess;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.ShmTempDir;
import io.interproc.core.WaitStrategy;
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

/** What every ring (SPSC and MPSC) promises, with threads in one JVM. Subclassed per kind. */
@Timeout(120)
abstract class RingBufferContract {
    static final Duration LONG = Duration.ofSeconds(60);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    RegionDirectory directory;
    RingBuffer ring;

    abstract boolean multiProducer();

    @BeforeEach
    void createRing() {
        directory = RegionDirectory.of(dir);
        ring = RingBuffer.create(directory, "ring", 1024, 100, multiProducer());
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

    /**
     * Batches of records of 256 bytes and more, of sizes that change as they go and wrap the buffer
     * many times: each is delivered once, whole and in order.
     */
    @Test
    void shouldDeliverBatchesOfLargeRecordsInOrderAcrossWraps() {
        try (RingBuffer big = RingBuffer.create(directory, "big", 16384, 1000, multiProducer())) {
            int sent = 0;
            int received = 0;
            List<byte[]> got = new ArrayList<>();
            while (received < 600) {
                while (sent < 600 && big.offer(sent % 7, bytes(248 + (sent * 37) % 700, sent))) {
                    sent++;
                }
                int n = big.read((type, buffer, offset, length) -> {
                    assertEquals(got.size() % 7, type);
                    got.add(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
                }, 64);
                assertTrue(n > 0, "a read after offers hands messages");
                received += n;
            }
            for (int i = 0; i < 600; i++) {
                assertArrayEquals(bytes(248 + (i * 37) % 700, i), got.get(i), "message " + i);
            }
        }
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
    void shouldDeliverMessagesInOrderAcrossManyWraps() {
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 2_000; round++) {
            for (int i = 0; i < 1 + round % 7; i++) {
                int length = next % 101;
                if (ring.offer(next % 5, bytes(length, next))) {
                    next++;
                }
            }
            List<Integer> types = new ArrayList<>();
            for (byte[] message : drain(types)) {
                assertArrayEquals(bytes(expected % 101, expected), message, "message " + expected);
                assertEquals(expected % 5, types.get(0));
                types.remove(0);
                expected++;
            }
        }
        assertEquals(next, expected);
        assertTrue(ring.producerPosition() > 50L * ring.capacity(), "wrapped many times");
        assertEquals(0, ring.size());
    }

    @Test
    void shouldOfferFromByteBuffersAndSegments() {
        ByteBuffer direct = ByteBuffer.allocateDirect(10).put(bytes(10, 3)).flip();
        assertTrue(ring.offer(1, direct));
        assertEquals(0, direct.position(), "the buffer's position is untouched");
        assertTrue(ring.offer(2, MemorySegment.ofArray(bytes(5, 7))));
        List<Integer> types = new ArrayList<>();
        List<byte[]> got = drain(types);
        assertArrayEquals(bytes(10, 3), got.get(0));
        assertArrayEquals(bytes(5, 7), got.get(1));
        assertEquals(List.of(1, 2), types);
    }

    /**
     * An offer whose source is closed under it (its arena closed by another thread, say) throws and
     * leaves no claim behind: the messages offered after it are read at once, even with an unblock
     * timeout that would hold the consumer for the test's whole run behind a claim left open.
     * Lengths that change each round put some of the failing offers where the record needs wrap
     * padding first.
     */
    @Test
    void shouldLeaveNoClaimBehindWhenTheSourceOfAnOfferIsClosed() {
        ring.unblockTimeout(LONG);
        MemorySegment closed;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            closed = arena.allocate(100);
        }
        for (int i = 0; i < 40; i++) {
            int length = 50 + i % 41;
            assertThrows(IllegalStateException.class, () -> ring.offer(1, closed, 0, length));
            assertTrue(ring.offer(2, bytes(length, i)), "round " + i);
            List<Integer> types = new ArrayList<>();
            List<byte[]> got = drain(types);
            assertEquals(List.of(2), types, "round " + i);
            assertArrayEquals(bytes(length, i), got.get(0), "round " + i);
        }
        assertEquals(0, ring.size());
    }

    @Test
    void shouldOfferPartOfASegmentAndNothingWhenTheRangeIsOutsideIt() {
        MemorySegment source = MemorySegment.ofArray(bytes(64, 1));
        assertTrue(ring.offer(3, source, 4, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.offer(3, source, 60, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> ring.offer(3, source, -1, 10));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
            () -> ring.offer(3, MemorySegment.ofArray(new byte[200]), 0, 101));
        assertTrue(tooLong.getMessage().contains("101") && tooLong.getMessage().contains("100"), tooLong.getMessage());
        assertEquals(24, ring.size(), "only the first offer is in the ring (an 18-byte record, aligned)");
        List<Integer> types = new ArrayList<>();
        List<byte[]> got = drain(types);
        assertEquals(1, got.size());
        assertArrayEquals(MemorySegment.ofArray(bytes(64, 1)).asSlice(4, 10).toArray(ValueLayout.JAVA_BYTE), got.get(0));
        assertEquals(List.of(3), types);
    }

    @Test
    void shouldDeliverOffersAndZeroCopyClaimsInterleavedAcrossWraps() {
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 3_000; round++) {
            int length = 1 + (next * 13) % 100;
            boolean offered;
            if (next % 3 == 0) {
                long at = ring.tryClaim(1, length);
                offered = at >= 0;
                if (offered) {
                    MemorySegment.copy(MemorySegment.ofArray(bytes(length, next)), 0, ring.buffer(), at, length);
                    assertTrue(ring.commit(at));
                }
            } else {
                offered = ring.offer(1, MemorySegment.ofArray(bytes(length + 5, next - 5)), 5, length);
            }
            if (offered) {
                next++;
            }
            if (!offered || round % 4 == 0) {
                for (byte[] message : drain(new ArrayList<>())) {
                    assertArrayEquals(bytes(1 + (expected * 13) % 100, expected), message, "message " + expected);
                    expected++;
                }
            }
        }
        for (byte[] message : drain(new ArrayList<>())) {
            assertArrayEquals(bytes(1 + (expected * 13) % 100, expected), message, "message " + expected);
            expected++;
        }
        assertEquals(next, expected);
        assertTrue(ring.producerPosition() > 50L * ring.capacity(), "wrapped many times");
    }

    @Test
    void shouldHandHandlersAReadOnlyView() {
        assertTrue(ring.offer(1, bytes(8, 0)));
        assertTrue(ring.offer(1, bytes(8, 50)));
        List<Boolean> readOnly = new ArrayList<>();
        assertEquals(1, ring.read((type, buffer, offset, length) -> {
            readOnly.add(buffer.isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> buffer.set(ValueLayout.JAVA_BYTE, offset, (byte) 9));
        }, 1));
        assertEquals(List.of(true), readOnly);
        List<byte[]> rest = drain(new ArrayList<>());
        assertArrayEquals(bytes(8, 50), rest.get(0), "the ring is intact after the handler's attempt");
    }

    @Test
    void shouldRefuseWhenFullAndAcceptAgainAfterReading() {
        int accepted = 0;
        while (ring.offer(1, bytes(100, accepted))) {
            accepted++;
        }
        assertEquals(9, accepted, "1024 bytes hold nine 112-byte records");
        assertEquals(RingBuffer.INSUFFICIENT_CAPACITY, ring.tryClaim(1, 100));
        assertEquals(9 * 112, ring.size());
        assertEquals(2, ring.read((t, b, o, l) -> { }, 2));
        assertTrue(ring.offer(1, bytes(100, 99)), "room again once records are read (a wrap may need two)");
    }

    @Test
    void shouldHandOutZeroCopyClaimsAndSkipAbortedOnes() {
        long a = ring.tryClaim(7, 16);
        assertTrue(a >= 0);
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, a, 42L);
        assertEquals(0, ring.read((t, buf, o, l) -> { }, 10), "nothing is visible before commit");
        assertTrue(ring.abort(a));
        long b = ring.tryClaim(8, 4);
        assertTrue(b >= 0);
        ring.buffer().set(ValueLayout.JAVA_INT_UNALIGNED, b, 5);
        assertTrue(ring.commit(b));
        List<Integer> types = new ArrayList<>();
        List<byte[]> got = drain(types);
        assertEquals(List.of(8), types);
        assertEquals(5, MemorySegment.ofArray(got.get(0)).get(ValueLayout.JAVA_INT_UNALIGNED, 0));
    }

    @Test
    void shouldAllowOverlappingClaimsOnlyWithManyProducers() {
        long a = ring.tryClaim(1, 8);
        if (!multiProducer()) {
            assertThrows(IllegalStateException.class, () -> ring.tryClaim(2, 8));
            assertThrows(IllegalStateException.class, () -> ring.commit(a + 8), "not the pending claim");
            assertTrue(ring.commit(a));
            assertThrows(IllegalStateException.class, () -> ring.commit(a), "committed once");
            return;
        }
        long b = ring.tryClaim(2, 8);
        assertTrue(ring.commit(b));
        assertTrue(ring.commit(a));
        assertFalse(ring.commit(a), "committed once");
        List<Integer> types = new ArrayList<>();
        drain(types);
        assertEquals(List.of(1, 2), types, "delivered in claim order once both are committed");
    }

    @Test
    void shouldRejectOversizeMessagesAndNegativeTypesNamingTheLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ring.offer(1, new byte[101]));
        assertTrue(e.getMessage().contains("101") && e.getMessage().contains("100"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ring.tryClaim(1, 101));
        assertThrows(IllegalArgumentException.class, () -> ring.tryClaim(-1, 1));
        assertThrows(IllegalArgumentException.class,
            () -> RingBuffer.create(directory, "bad", 1000, 10, multiProducer()));
        assertThrows(IllegalArgumentException.class,
            () -> RingBuffer.create(directory, "bad", 1024, 600, multiProducer()));
    }

    @Test
    void shouldCountAMessageAsConsumedWhenItsHandlerThrows() {
        ring.offer(1, bytes(3, 1));
        ring.offer(2, bytes(3, 2));
        assertThrows(IllegalStateException.class, () -> ring.read((t, b, o, l) -> {
            throw new IllegalStateException("handler failed");
        }, 10));
        List<Integer> types = new ArrayList<>();
        drain(types);
        assertEquals(List.of(2), types, "at most once: the failed message is gone, the next one stays");
    }

    @Test
    void shouldRespectTheReadLimit() {
        for (int i = 0; i < 5; i++) {
            ring.offer(i, bytes(1, i));
        }
        AtomicInteger seen = new AtomicInteger();
        assertEquals(0, ring.read((t, b, o, l) -> seen.incrementAndGet(), 0), "a limit of 0 reads nothing");
        assertEquals(5 * 16, ring.size(), "and frees nothing");
        assertEquals(2, ring.read((t, b, o, l) -> seen.incrementAndGet(), 2));
        assertEquals(3, ring.read((t, b, o, l) -> seen.incrementAndGet(), 10));
        assertEquals(5, seen.get());
        assertEquals(0, ring.read((t, b, o, l) -> seen.incrementAndGet(), 10), "nothing left");
        assertEquals(0, ring.size());
    }

    @Test
    void shouldExposeItsState() {
        assertEquals(1024, ring.capacity());
        assertEquals(100, ring.maxMessageLength());
        assertEquals(multiProducer(), ring.isMultiProducer());
        assertEquals(0, ring.consumerHeartbeat());
        ring.offer(1, bytes(8, 0));
        assertEquals(16, ring.size());
        assertEquals(16, ring.producerPosition());
        ring.poll((t, b, o, l) -> { });
        assertEquals(16, ring.consumerPosition());
        assertTrue(ring.consumerHeartbeat() > 0);
        assertTrue(ring.toString().contains(multiProducer() ? "MPSC" : "SPSC"));
    }

    @Test
    void shouldWakeATakerSleepingInTheKernel() throws Exception {
        assumeTrue(Futex.isSupported());
        ring.waitStrategy(WaitStrategy.blocking(0, 0, Duration.ofMinutes(10)));
        CompletableFuture<Integer> taker = CompletableFuture.supplyAsync(() -> {
            AtomicInteger type = new AtomicInteger(-1);
            try {
                assertTrue(ring.take((t, b, o, l) -> type.set(t), 60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return type.get();
        });
        Region region = ring.region();
        long word = region.body().address() + RingDescriptor.CONSUMER_WAIT_OFFSET;
        assertTrue(Poll.until(() -> KernelWaits.sleepingOn(ProcessHandle.current().pid(), word), LONG));
        try (RingBuffer producer = RingBuffer.open(directory, "ring")) {
            assertTrue(producer.offer(9, bytes(4, 0)));
        }
        assertEquals(9, taker.get(60, TimeUnit.SECONDS));
    }

    @Test
    void shouldWakeAPutterWhenTheConsumerMakesRoom() throws Exception {
        assumeTrue(Futex.isSupported());
        while (ring.offer(1, bytes(100, 0))) {
            // fill
        }
        ring.waitStrategy(WaitStrategy.blocking(0, 0, Duration.ofMinutes(10)));
        CompletableFuture<Boolean> putter = CompletableFuture.supplyAsync(() -> {
            try {
                return ring.put(2, MemorySegment.ofArray(bytes(100, 1)), 60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long word = ring.region().body().address() + RingDescriptor.PRODUCER_WAIT_OFFSET;
        assertTrue(Poll.until(() -> KernelWaits.sleepingOn(ProcessHandle.current().pid(), word), LONG));
        try (RingBuffer consumer = RingBuffer.open(directory, "ring")) {
            assertEquals(2, consumer.read((t, b, o, l) -> { }, 2));
        }
        assertTrue(putter.get(60, TimeUnit.SECONDS));
    }

    @Test
    void shouldTimeOutAndBeInterruptible() throws Exception {
        long start = System.nanoTime();
        assertFalse(ring.take((t, b, o, l) -> { }, 50, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(49));
        while (ring.offer(1, bytes(100, 0))) {
            // fill
        }
        assertFalse(ring.put(1, bytes(100, 0), 20, TimeUnit.MILLISECONDS));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread putter = Thread.ofPlatform().start(() -> {
            try {
                ring.put(1, bytes(100, 0));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        putter.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(60, TimeUnit.SECONDS));
        putter.join();
    }

    @Test
    void shouldNeverExposeAnSpscClaimThatWasNotCommitted() {
        assumeTrue(!multiProducer());
        ring.close();
        try (RingBuffer dying = RingBuffer.open(directory, "ring")) {
            long offset = dying.tryClaim(3, 50);
            assertTrue(offset >= 0);
            dying.buffer().fill((byte) 0x5A);
        } // closed without commit, as if the producer had died
        ring = RingBuffer.open(directory, "ring");
        assertEquals(0, ring.size(), "the claim was never published");
        assertTrue(ring.offer(4, bytes(10, 4)));
        List<Integer> types = new ArrayList<>();
        List<byte[]> got = drain(types);
        assertEquals(List.of(4), types);
        assertArrayEquals(bytes(10, 4), got.get(0));
        assertEquals(0, ring.abandonedRecords());
    }

    @Test
    void shouldSkipAStalledClaimAfterTheUnblockTimeout() throws Exception {
        assumeTrue(multiProducer(), "an SPSC claim is invisible until committed: nothing to skip");
        ring.unblockTimeout(Duration.ofMillis(20));
        long stalled = ring.tryClaim(3, 50);
        assertTrue(ring.offer(4, bytes(10, 4)));
        List<Integer> types = new ArrayList<>();
        assertTrue(ring.take((t, b, o, l) -> types.add(t), 60, TimeUnit.SECONDS), "the stall ends after the timeout");
        assertEquals(List.of(4), types, "the stalled record is skipped, the next one delivered");
        assertEquals(1, ring.abandonedRecords());
        assertFalse(ring.commit(stalled), "a stalled producer learns its record was abandoned");
        assertTrue(ring.offer(5, bytes(1, 5)));
        assertEquals(1, ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(List.of(4, 5), types);
    }

    @Test
    void shouldSkipSpaceClaimedByAProducerThatDiedBeforeWritingItsHeader() throws Exception {
        assumeTrue(multiProducer(), "an SPSC producer publishes the tail only at commit");
        ring.unblockTimeout(Duration.ofMillis(20));
        // A producer that advanced the tail and died before writing its record's header.
        ring.region().memory().getAndAddLong(RingDescriptor.TAIL_OFFSET, 64);
        assertOfferedAfterOneSkippedRecord();
    }

    /** Offers a message behind a stalled record of a dead producer: it arrives after that record is skipped. */
    void assertOfferedAfterOneSkippedRecord() throws InterruptedException {
        assertTrue(ring.offer(6, bytes(10, 6)));
        List<Integer> types = new ArrayList<>();
        assertTrue(ring.take((t, b, o, l) -> types.add(t), 60, TimeUnit.SECONDS));
        assertEquals(List.of(6), types);
        assertEquals(1, ring.abandonedRecords());
    }

    @Test
    void shouldReportACorruptRecordHeaderWithoutReadingOutsideTheRing() {
        ring.offer(1, bytes(8, 0));
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET, RingDescriptor.header(1 << 20, 1));
        RegionFormatException e = assertThrows(RegionFormatException.class, () -> ring.read((t, b, o, l) -> { }, 1));
        assertTrue(e.getMessage().contains("corrupt record"), e.getMessage());
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET, RingDescriptor.header(3, 1));
        assertThrows(RegionFormatException.class, () -> ring.read((t, b, o, l) -> { }, 1));
    }

    @Test
    void shouldHandTheRecordsBeforeACorruptOneAndThenReportIt() {
        // Records of 8 + 16 bytes at 0, 24 and 48; the second one's header corrupted.
        for (int i = 0; i < 3; i++) {
            assertTrue(ring.offer(i, bytes(16, i)));
        }
        MemoryAccess memory = ring.region().memory();
        memory.putLongVolatile(RingDescriptor.DATA_OFFSET + 24, RingDescriptor.header(1 << 20, 1));
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
        memory.putLongVolatile(RingDescriptor.DATA_OFFSET + 24, RingDescriptor.header(24, 1));
        memory.putLongVolatile(RingDescriptor.DATA_OFFSET + 72, 0L);
        e = assertThrows(RegionFormatException.class, () -> ring.read((t, b, o, l) -> {
            types.add(t);
            memory.putLongVolatile(RingDescriptor.DATA_OFFSET + 48, RingDescriptor.header(1 << 20, 2));
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
        try (RingBuffer next = RingBuffer.open(directory, "ring")) {
            List<Integer> later = new ArrayList<>();
            next.read((t, b, o, l) -> later.add(t), 10);
            assertEquals(List.of(3, 4), later, "a position more than a buffer ahead is ignored");
            assertEquals(72 + 48, next.handedPosition());
        }
        // A corrupt record on the way to a Handed Position ahead: reported, never skipped blindly.
        assertTrue(ring.offer(5, bytes(16, 5)));
        ring.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET + 120, RingDescriptor.header(1 << 20, 5));
        ring.region().memory().putLongVolatile(RingDescriptor.HANDED_POSITION_OFFSET, 120 + 24);
        try (RingBuffer next = RingBuffer.open(directory, "ring")) {
            RegionFormatException e = assertThrows(RegionFormatException.class, () -> next.read((t, b, o, l) -> { }, 1));
            assertTrue(e.getMessage().contains("corrupt record at position 120"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseToOpenARingWithCorruptParametersOrPositions() {
        try (Region r = directory.create("odd", new RegionSpec(RingDescriptor.TYPE, RingDescriptor.DATA_OFFSET + 1000,
            1000, 10, 0), x -> { })) {
            RegionFormatException e = assertThrows(RegionFormatException.class, () -> RingBuffer.open(directory, "odd"));
            assertTrue(e.getMessage().contains("capacity 1000"), e.getMessage());
        }
        try (Region r = directory.create("flag", new RegionSpec(RingDescriptor.TYPE, RingDescriptor.DATA_OFFSET + 1024,
            1024, 10, 7), x -> { })) {
            assertThrows(RegionFormatException.class, () -> RingBuffer.open(directory, "flag"));
        }
        ring.region().memory().putLongVolatile(RingDescriptor.HEAD_OFFSET, 4096);
        RegionFormatException e = assertThrows(RegionFormatException.class, () -> RingBuffer.open(directory, "ring"));
        assertTrue(e.getMessage().contains("corrupt positions"), e.getMessage());
    }

    @Test
    void shouldPassMessagesIntactBetweenThreads() throws Exception {
        int producers = multiProducer() ? 3 : 1;
        long perProducer = 200_000;
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long id = p;
            running.add(CompletableFuture.runAsync(() -> {
                try (RingBuffer producer = RingBuffer.open(directory, "ring")) {
                    for (long seq = 0; seq < perProducer; seq++) {
                        long offset;
                        while ((offset = producer.tryClaim(1, TestMessages.length(seq))) < 0) {
                            Thread.onSpinWait();
                        }
                        TestMessages.write(producer.buffer(), offset, id, seq);
                        assertTrue(producer.commit(offset));
                    }
                }
            }, runnable -> Thread.ofPlatform().start(runnable)));
        }
        long[] next = new long[producers];
        long total = 0;
        while (total < producers * perProducer) {
            total += ring.read((t, b, o, l) -> {
                long[] m = TestMessages.check(b, o, l);
                assertEquals(next[(int) m[0]]++, m[1], "per-producer order");
            }, 64);
        }
        for (CompletableFuture<Void> f : running) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            }
        }
        for (long n : next) {
            assertEquals(perProducer, n);
        }
    }
}
