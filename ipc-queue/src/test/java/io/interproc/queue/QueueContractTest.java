package io.interproc.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.RegionDirectory;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.Futex;
import io.interproc.core.testing.KernelWaits;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import io.interproc.queue.ring.TestMessages;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every queue of messages promises its users, through {@link MessageSink} and {@link
 * MessageSource}, run against each {@link QueueKind}: the SPSC ring, the MPSC ring of lanes and the
 * pipe; with threads in one JVM and with producer JVMs. Each test makes its own queue of 1,024
 * bytes (nine 112-byte records) and messages of at most 100 bytes unless it says otherwise.
 */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(180)
class QueueContractTest {
    static final Duration LONG = Duration.ofSeconds(60);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private MessageSource source(QueueKind kind, String name, int capacity, int max) {
        MessageSource source = kind.create(RegionDirectory.of(dir), name, capacity, max);
        opened.add(source);
        return source;
    }

    private MessageSink sink(QueueKind kind, String name) {
        MessageSink sink = kind.openSink(RegionDirectory.of(dir), name);
        opened.add(sink);
        return sink;
    }

    static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** Reads everything there is now: the messages, and their types into {@code types}. */
    private static List<byte[]> drain(MessageSource source, List<Integer> types) {
        List<byte[]> out = new ArrayList<>();
        while (source.read((type, buffer, offset, length) -> {
            types.add(type);
            out.add(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
        }, Integer.MAX_VALUE) > 0) {
            // a read may stop at the end of the buffer or of a lane's turn
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldDeliverMessagesWholeAndInOrderAcrossManyWraps(QueueKind kind) {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 2_000; round++) {
            for (int i = 0; i < 1 + round % 7; i++) {
                if (sink.offer(next % 5, bytes(next % 101, next))) {
                    next++;
                }
            }
            List<Integer> types = new ArrayList<>();
            List<byte[]> got = drain(source, types);
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(bytes(expected % 101, expected), got.get(i), "message " + expected);
                assertEquals(expected % 5, types.get(i));
                expected++;
            }
        }
        assertEquals(next, expected);
        assertTrue(next > 50 * 1024 / 112, "wrapped many times: " + next);
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldDeliverLargeRecordsOfChangingSizesInOrder(QueueKind kind) {
        MessageSource source = source(kind, "big", 16384, 1000);
        MessageSink sink = sink(kind, "big");
        int sent = 0;
        List<byte[]> got = new ArrayList<>();
        while (got.size() < 600) {
            while (sent < 600 && sink.offer(sent % 7, bytes(248 + (sent * 37) % 700, sent))) {
                sent++;
            }
            int n = source.read((type, buffer, offset, length) -> {
                assertEquals(got.size() % 7, type);
                got.add(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
            }, 64);
            assertTrue(n > 0, "a read after offers hands messages");
        }
        for (int i = 0; i < 600; i++) {
            assertArrayEquals(bytes(248 + (i * 37) % 700, i), got.get(i), "message " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldOfferArraysByteBuffersSegmentsAndPartsOfSegments(QueueKind kind) {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        ByteBuffer direct = ByteBuffer.allocateDirect(10).put(bytes(10, 3)).flip();
        assertTrue(sink.offer(1, direct));
        assertEquals(0, direct.position(), "the buffer's position is untouched");
        assertTrue(sink.offer(2, MemorySegment.ofArray(bytes(5, 7))));
        MemorySegment part = MemorySegment.ofArray(bytes(64, 1));
        assertTrue(sink.offer(3, part, 4, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> sink.offer(3, part, 60, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> sink.offer(3, part, -1, 10));
        List<Integer> types = new ArrayList<>();
        List<byte[]> got = drain(source, types);
        assertEquals(List.of(1, 2, 3), types, "nothing of the refused ranges was offered");
        assertArrayEquals(bytes(10, 3), got.get(0));
        assertArrayEquals(bytes(5, 7), got.get(1));
        assertArrayEquals(part.asSlice(4, 10).toArray(ValueLayout.JAVA_BYTE), got.get(2));
    }

    /**
     * An offer whose source is closed under it (its arena closed by another thread, say) throws and
     * leaves nothing behind: the messages offered after it are read at once. Lengths that change
     * each round put some of the failing offers where the record needs wrap padding first.
     */
    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldLeaveNothingBehindWhenTheSourceOfAnOfferIsClosed(QueueKind kind) {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(100);
        }
        for (int i = 0; i < 40; i++) {
            int length = 50 + i % 41;
            assertThrows(IllegalStateException.class, () -> sink.offer(1, closed, 0, length));
            assertTrue(sink.offer(2, bytes(length, i)), "round " + i);
            List<Integer> types = new ArrayList<>();
            List<byte[]> got = drain(source, types);
            assertEquals(List.of(2), types, "round " + i);
            assertArrayEquals(bytes(length, i), got.get(0), "round " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldRefuseWhenFullAndAcceptAgainAfterReading(QueueKind kind) {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        int accepted = 0;
        while (sink.offer(1, bytes(100, accepted))) {
            accepted++;
        }
        assertEquals(9, accepted, "1024 bytes hold nine 112-byte records");
        if (kind.zeroCopy) {
            assertEquals(MessageSink.INSUFFICIENT_CAPACITY, sink.tryClaim(1, 100));
        }
        assertEquals(2, source.read((t, b, o, l) -> { }, 2));
        assertTrue(sink.offer(1, bytes(100, 99)), "room again once records are read");
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldRejectOversizeMessagesAndNegativeTypesNamingTheLengths(QueueKind kind) {
        source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sink.offer(1, new byte[101]));
        assertTrue(e.getMessage().contains("101") && e.getMessage().contains("100"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sink.offer(-1, new byte[1]));
        if (kind.zeroCopy) {
            assertThrows(IllegalArgumentException.class, () -> sink.tryClaim(1, 101));
            assertThrows(IllegalArgumentException.class, () -> sink.tryClaim(-1, 1));
        }
        assertEquals(100, sink.maxMessageLength());
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldHandReceiversAReadOnlyView(QueueKind kind) {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        assertTrue(sink.offer(1, bytes(8, 0)));
        assertTrue(sink.offer(1, bytes(8, 50)));
        List<Boolean> readOnly = new ArrayList<>();
        assertEquals(1, source.read((type, buffer, offset, length) -> {
            readOnly.add(buffer.isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> buffer.set(ValueLayout.JAVA_BYTE, offset, (byte) 9));
        }, 1));
        assertEquals(List.of(true), readOnly);
        assertArrayEquals(bytes(8, 50), drain(source, new ArrayList<>()).get(0), "intact after the attempt");
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldCountAMessageAsConsumedWhenItsReceiverThrows(QueueKind kind) {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        assertTrue(sink.offer(1, bytes(3, 1)));
        assertTrue(sink.offer(2, bytes(3, 2)));
        assertThrows(IllegalStateException.class, () -> source.read((t, b, o, l) -> {
            throw new IllegalStateException("receiver failed");
        }, 10));
        List<Integer> types = new ArrayList<>();
        drain(source, types);
        assertEquals(List.of(2), types, "at most once: the failed message is gone, the next one stays");
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldRespectTheReadLimit(QueueKind kind) {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        for (int i = 0; i < 5; i++) {
            assertTrue(sink.offer(i, bytes(1, i)));
        }
        AtomicInteger seen = new AtomicInteger();
        assertEquals(0, source.read((t, b, o, l) -> seen.incrementAndGet(), 0), "a limit of 0 reads nothing");
        assertEquals(2, source.read((t, b, o, l) -> seen.incrementAndGet(), 2));
        assertEquals(1, source.poll((t, b, o, l) -> seen.incrementAndGet()));
        assertEquals(2, source.read((t, b, o, l) -> seen.incrementAndGet(), 10));
        assertEquals(0, source.read((t, b, o, l) -> seen.incrementAndGet(), 10), "nothing left");
        assertEquals(5, seen.get());
    }

    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"SPSC", "LANES"})
    void shouldHandOutZeroCopyClaimsOneAtATimeAndSkipAbortedOnes(QueueKind kind) throws Exception {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        long a = sink.tryClaim(7, 16);
        assertTrue(a >= 0);
        sink.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, a, 42L);
        assertThrows(IllegalStateException.class, () -> sink.tryClaim(2, 8), "one claim at a time");
        assertThrows(IllegalStateException.class, () -> sink.commit(a + 8), "not the pending claim");
        assertEquals(0, source.read((t, buf, o, l) -> { }, 10), "nothing is visible before commit");
        sink.abort(a);
        long b = sink.claim(8, 4, 1, TimeUnit.SECONDS);
        assertTrue(b >= 0);
        sink.buffer().set(ValueLayout.JAVA_INT_UNALIGNED, b, 5);
        sink.commit(b);
        assertThrows(IllegalStateException.class, () -> sink.commit(b), "committed once");
        List<Integer> types = new ArrayList<>();
        List<byte[]> got = drain(source, types);
        assertEquals(List.of(8), types);
        assertEquals(5, MemorySegment.ofArray(got.get(0)).get(ValueLayout.JAVA_INT_UNALIGNED, 0));
    }

    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"SPSC", "LANES"})
    void shouldDeliverOffersAndZeroCopyClaimsInterleavedAcrossWraps(QueueKind kind) {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 3_000; round++) {
            int length = 1 + (next * 13) % 100;
            boolean offered;
            if (next % 3 == 0) {
                long at = sink.tryClaim(1, length);
                offered = at >= 0;
                if (offered) {
                    MemorySegment.copy(MemorySegment.ofArray(bytes(length, next)), 0, sink.buffer(), at, length);
                    sink.commit(at);
                }
            } else {
                offered = sink.offer(1, MemorySegment.ofArray(bytes(length + 5, next - 5)), 5, length);
            }
            if (offered) {
                next++;
            }
            if (!offered || round % 4 == 0) {
                for (byte[] message : drain(source, new ArrayList<>())) {
                    assertArrayEquals(bytes(1 + (expected * 13) % 100, expected), message, "message " + expected);
                    expected++;
                }
            }
        }
        for (byte[] message : drain(source, new ArrayList<>())) {
            assertArrayEquals(bytes(1 + (expected * 13) % 100, expected), message, "message " + expected);
            expected++;
        }
        assertEquals(next, expected);
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldTimeOutAndBeInterruptibleWhenEmptyOrFull(QueueKind kind) throws Exception {
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        long start = System.nanoTime();
        assertFalse(source.take((t, b, o, l) -> { }, 50, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(49));
        while (sink.offer(1, bytes(100, 0))) {
            // fill
        }
        assertFalse(sink.put(1, bytes(100, 0), 20, TimeUnit.MILLISECONDS));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread putter = Thread.ofPlatform().start(() -> {
            try {
                sink.put(1, bytes(100, 0));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        putter.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(60, TimeUnit.SECONDS));
        putter.join();
    }

    /** The waiter really sleeps in the kernel (on a shared futex) before the other side wakes it. */
    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldWakeATakerAndAPutterSleepingInTheKernel(QueueKind kind) throws Exception {
        assumeTrue(Futex.isSupported());
        MessageSource source = source(kind, "q", 1024, 100);
        MessageSink sink = sink(kind, "q");
        WaitStrategy sleepAtOnce = WaitStrategy.blocking(0, 0, Duration.ofMinutes(10));
        source.waitStrategy(sleepAtOnce);
        sink.waitStrategy(sleepAtOnce);
        long me = ProcessHandle.current().pid();
        CompletableFuture<Integer> taker = CompletableFuture.supplyAsync(() -> {
            AtomicInteger type = new AtomicInteger(-1);
            try {
                assertTrue(source.take((t, b, o, l) -> type.set(t), 60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return type.get();
        });
        assertTrue(Poll.until(() -> KernelWaits.sleepingOnSharedMemory(me), LONG), "the taker sleeps");
        assertTrue(sink.offer(9, bytes(4, 0)));
        assertEquals(9, taker.get(60, TimeUnit.SECONDS));

        while (sink.offer(1, bytes(100, 0))) {
            // fill
        }
        CompletableFuture<Boolean> putter = CompletableFuture.supplyAsync(() -> {
            try {
                return sink.put(2, MemorySegment.ofArray(bytes(100, 1)), 60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(Poll.until(() -> KernelWaits.sleepingOnSharedMemory(me), LONG), "the putter sleeps");
        assertEquals(2, source.read((t, b, o, l) -> { }, 2));
        assertTrue(putter.get(60, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldNameTheQueueWhenAClosedHandleIsUsed(QueueKind kind) {
        MessageSource source = kind.create(RegionDirectory.of(dir), "orders", 1024, 100);
        MessageSink sink = kind.openSink(RegionDirectory.of(dir), "orders");
        sink.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sink.offer(1, new byte[1]));
        assertTrue(e.getMessage().contains("'orders'") && e.getMessage().contains("closed"), e.getMessage());
        if (kind.zeroCopy) {
            e = assertThrows(IllegalStateException.class, () -> sink.tryClaim(1, 1));
            assertTrue(e.getMessage().contains("'orders'") && e.getMessage().contains("closed"), e.getMessage());
        }
        source.close();
        e = assertThrows(IllegalStateException.class, () -> source.read((t, b, o, l) -> { }, 1));
        assertTrue(e.getMessage().contains("'orders'") && e.getMessage().contains("closed"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> source.take((t, b, o, l) -> { }, 1, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("'orders'") && e.getMessage().contains("closed"), e.getMessage());
    }

    /**
     * Produces {@code count} self-checking messages as producer {@code id}: even ones through {@link
     * MessageSink#put}, odd ones through a zero-copy {@link MessageSink#claim} where the queue has
     * claims.
     */
    static void produce(QueueKind kind, MessageSink sink, long id, long count) throws InterruptedException {
        for (long seq = 0; seq < count; seq++) {
            if (kind.zeroCopy && (seq & 1) == 1) {
                long at = sink.claim(1, TestMessages.length(seq), 60, TimeUnit.SECONDS);
                if (at < 0) {
                    throw new AssertionError("no room for 60 s at " + seq);
                }
                TestMessages.write(sink.buffer(), at, id, seq);
                sink.commit(at);
            } else if (!sink.put(1, TestMessages.bytes(id, seq), 60, TimeUnit.SECONDS)) {
                throw new AssertionError("no room for 60 s at " + seq);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldPassMessagesIntactFromProducerThreads(QueueKind kind) throws Exception {
        MessageSource source = source(kind, "q", 4096, 100);
        int producers = kind.manyProducers ? 3 : 1;
        long perProducer = 100_000;
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long id = p;
            running.add(CompletableFuture.runAsync(() -> {
                try (MessageSink sink = kind.openSink(RegionDirectory.of(dir), "q")) {
                    produce(kind, sink, id, perProducer);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> Thread.ofPlatform().start(runnable)));
        }
        TestMessages.Checker checker = new TestMessages.Checker();
        while (checker.total < producers * perProducer) {
            if (!source.take(checker, 60, TimeUnit.SECONDS)) {
                throw new AssertionError("no message for 60 s after " + checker.total);
            }
            source.read(checker, 64);
        }
        for (CompletableFuture<Void> f : running) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            }
        }
        for (long p = 0; p < producers; p++) {
            assertEquals(perProducer, checker.next.get(p));
        }
    }

    /** args: kind, dir, name, id, count: produces into the queue, then closes its sink. */
    public static final class Producer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            QueueKind kind = QueueKind.valueOf(args[0]);
            try (MessageSink sink = kind.openSink(RegionDirectory.of(Path.of(args[1])), args[2])) {
                produce(kind, sink, Long.parseLong(args[3]), Long.parseLong(args[4]));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void shouldPassMessagesIntactFromProducerJvms(QueueKind kind) throws Exception {
        MessageSource source = source(kind, "q", 1 << 16, 1024);
        int producers = kind.manyProducers ? 3 : 1;
        long perProducer = 300_000;
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int id = 0; id < producers; id++) {
                children.add(ChildJvm.builder(Producer.class).jvmOptions("-Xmx64m").captureOutput()
                    .args(kind.name(), dir.toString(), "q", Integer.toString(id), Long.toString(perProducer)).start());
            }
            TestMessages.Checker checker = new TestMessages.Checker();
            while (checker.total < producers * perProducer) {
                if (!source.take(checker, 60, TimeUnit.SECONDS)) {
                    throw new AssertionError("no message for 60 s after " + checker.total);
                }
                source.read(checker, 1024);
            }
            for (ChildJvm child : children) {
                assertTrue(child.join(LONG));
                assertEquals(OptionalInt.of(0), child.exitCode(), child.output());
            }
            for (long p = 0; p < producers; p++) {
                assertEquals(perProducer, checker.next.get(p));
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
    }
}
