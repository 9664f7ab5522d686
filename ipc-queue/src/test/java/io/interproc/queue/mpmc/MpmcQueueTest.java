package io.interproc.queue.mpmc;

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
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.Futex;
import io.interproc.core.testing.KernelWaits;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import io.interproc.queue.ring.TestMessages;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class MpmcQueueTest {
    static final Duration LONG = Duration.ofSeconds(60);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    RegionDirectory directory;
    MpmcQueue queue;

    @BeforeEach
    void createQueue() {
        directory = RegionDirectory.of(dir);
        queue = MpmcQueue.create(directory, "q", 8, 64);
    }

    @AfterEach
    void closeQueue() {
        queue.close();
    }

    private List<byte[]> pollAll(List<Integer> types) {
        List<byte[]> out = new ArrayList<>();
        while (queue.poll((t, b, o, l) -> {
            types.add(t);
            out.add(b.asSlice(o, l).toArray(ValueLayout.JAVA_BYTE));
        }) == 1) {
            // keep taking
        }
        return out;
    }

    @Test
    void shouldNameTheQueueWhenAClosedHandleIsUsed() {
        MpmcQueue other = MpmcQueue.open(directory, "q");
        other.close();
        other.close();
        for (org.junit.jupiter.api.function.Executable use : List.<org.junit.jupiter.api.function.Executable>of(
            () -> other.offer(1, new byte[1]), () -> other.poll((t, b, o, l) -> { }),
            () -> other.take((t, b, o, l) -> { }, 1, TimeUnit.SECONDS), () -> other.put(1, new byte[1], 1, TimeUnit.SECONDS))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use);
            assertEquals("mpmc queue 'q' is closed", e.getMessage());
        }
        assertTrue(queue.offer(1, new byte[1]), "other handles are not affected");
    }

    @Test
    void shouldDeliverInOrderAndReportFullAndEmpty() {
        for (int round = 0; round < 100; round++) {
            for (int i = 0; i < 8; i++) {
                assertTrue(queue.offer(i, new byte[] {(byte) round, (byte) i}));
            }
            assertFalse(queue.offer(9, new byte[1]), "full");
            assertEquals(8, queue.size());
            List<Integer> types = new ArrayList<>();
            List<byte[]> got = pollAll(types);
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), types);
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(new byte[] {(byte) round, (byte) i}, got.get(i));
            }
            assertEquals(0, queue.poll((t, b, o, l) -> { }), "empty");
        }
    }

    @Test
    void shouldHandHandlersAReadOnlyViewOfTheMessage() {
        assertTrue(queue.offer(1, new byte[] {1, 2, 3}));
        List<Boolean> readOnly = new ArrayList<>();
        assertEquals(1, queue.poll((t, b, o, l) -> {
            readOnly.add(b.isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> b.set(ValueLayout.JAVA_BYTE, o, (byte) 9));
            assertArrayEquals(new byte[] {1, 2, 3}, b.asSlice(o, l).toArray(ValueLayout.JAVA_BYTE));
        }));
        assertEquals(List.of(true), readOnly);
    }

    @Test
    void shouldRejectOversizeMessagesAndBadSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> queue.offer(1, new byte[65]));
        assertTrue(e.getMessage().contains("65") && e.getMessage().contains("64"), e.getMessage());
        assertTrue(queue.offer(1, new byte[64]));
        assertTrue(queue.offer(1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> MpmcQueue.create(directory, "bad", 6, 8));
        assertThrows(IllegalArgumentException.class, () -> MpmcQueue.create(directory, "bad", 8, -1));
    }

    @Test
    void shouldGiveEachMessageToExactlyOneOfManyConsumerThreads() throws Exception {
        long perProducer = 100_000;
        int producers = 2;
        int consumers = 2;
        ConcurrentHashMap<Long, Boolean> seen = new ConcurrentHashMap<>();
        AtomicLong taken = new AtomicLong();
        List<CompletableFuture<Void>> tasks = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long id = p;
            tasks.add(CompletableFuture.runAsync(() -> {
                try (MpmcQueue q = MpmcQueue.open(directory, "q")) {
                    for (long seq = 0; seq < perProducer; seq++) {
                        q.put(1, TestMessages.bytes(id, seq));
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        for (int c = 0; c < consumers; c++) {
            tasks.add(CompletableFuture.runAsync(() -> {
                try (MpmcQueue q = MpmcQueue.open(directory, "q")) {
                    long[] last = {-1, -1};
                    while (taken.get() < producers * perProducer) {
                        q.take((t, b, o, l) -> {
                            long[] m = TestMessages.check(b, o, l);
                            assertTrue(m[1] > last[(int) m[0]], "per-producer order seen by one consumer");
                            last[(int) m[0]] = m[1];
                            assertEquals(null, seen.put(m[0] * perProducer + m[1], Boolean.TRUE), "delivered twice");
                            taken.incrementAndGet();
                        }, 50, TimeUnit.MILLISECONDS);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).get(100, TimeUnit.SECONDS);
        assertEquals(producers * perProducer, seen.size());
    }

    @Test
    void shouldWakeSleepingTakersAndPutters() throws Exception {
        assumeTrue(Futex.isSupported());
        queue.waitStrategy(WaitStrategy.blocking(0, 0, Duration.ofMinutes(10)));
        CompletableFuture<Integer> taker = CompletableFuture.supplyAsync(() -> {
            int[] type = {-1};
            try {
                assertTrue(queue.take((t, b, o, l) -> type[0] = t, 60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return type[0];
        });
        long consumerWord = queue.region().body().address() + MpmcQueueDescriptor.CONSUMER_WAIT_OFFSET;
        assertTrue(Poll.until(() -> KernelWaits.sleepingOn(ProcessHandle.current().pid(), consumerWord), LONG));
        try (MpmcQueue producer = MpmcQueue.open(directory, "q")) {
            assertTrue(producer.offer(5, new byte[3]));
        }
        assertEquals(5, taker.get(60, TimeUnit.SECONDS));

        for (int i = 0; i < 8; i++) {
            assertTrue(queue.offer(1, new byte[1]));
        }
        CompletableFuture<Boolean> putter = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.put(2, new byte[1], 60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long producerWord = queue.region().body().address() + MpmcQueueDescriptor.PRODUCER_WAIT_OFFSET;
        assertTrue(Poll.until(() -> KernelWaits.sleepingOn(ProcessHandle.current().pid(), producerWord), LONG));
        try (MpmcQueue consumer = MpmcQueue.open(directory, "q")) {
            assertEquals(1, consumer.poll((t, b, o, l) -> { }));
        }
        assertTrue(putter.get(60, TimeUnit.SECONDS));
    }

    @Test
    void shouldTimeOutAndBeInterruptible() throws Exception {
        assertFalse(queue.take((t, b, o, l) -> { }, 30, TimeUnit.MILLISECONDS));
        for (int i = 0; i < 8; i++) {
            queue.offer(1, new byte[1]);
        }
        assertFalse(queue.put(1, new byte[1], 30, TimeUnit.MILLISECONDS));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread putter = Thread.ofPlatform().start(() -> {
            try {
                queue.put(1, new byte[1]);
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
    void shouldSkipASlotWhoseProducerDiedAndCountIt() throws Exception {
        // A producer claimed position 0 and died before publishing it.
        queue.region().memory().getAndAddLong(MpmcQueueDescriptor.TAIL_OFFSET, 1);
        assertTrue(queue.offer(7, new byte[] {7}));
        List<Integer> types = new ArrayList<>();
        assertTrue(queue.take((t, b, o, l) -> types.add(t), 60, TimeUnit.SECONDS));
        assertEquals(List.of(7), types);
        assertEquals(1, queue.abandonedEnqueues());
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 8; i++) {
                assertTrue(queue.offer(i, new byte[1]), "the skipped slot is usable again");
            }
            types.clear();
            pollAll(types);
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), types);
        }
    }

    @Test
    void shouldReclaimASlotWhoseConsumerDiedHoldingIt() {
        for (int i = 0; i < 8; i++) {
            assertTrue(queue.offer(i, new byte[1]));
        }
        // A consumer claimed position 0 and died before freeing its slot.
        queue.region().memory().getAndAddLong(MpmcQueueDescriptor.HEAD_OFFSET, 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean offered;
        while (!(offered = queue.offer(8, new byte[1])) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(offered, "the producer reclaims the slot of the dead consumer");
        assertEquals(1, queue.abandonedDequeues());
        List<Integer> types = new ArrayList<>();
        pollAll(types);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), types, "the dead consumer's message is lost, the rest flow");
    }

    @Test
    void shouldReportCorruptLengthsAndLayouts() {
        queue.offer(1, new byte[4]);
        queue.region().memory().putIntVolatile(MpmcQueueDescriptor.SLOTS_OFFSET + MpmcQueueDescriptor.LENGTH_OFFSET, 1 << 20);
        RegionFormatException e = assertThrows(RegionFormatException.class, () -> queue.poll((t, b, o, l) -> { }));
        assertTrue(e.getMessage().contains("corrupt message length"), e.getMessage());
        assertTrue(queue.offer(2, new byte[1]), "the corrupt slot was freed");
        try (Region r = directory.create("odd", new RegionSpec(MpmcQueueDescriptor.TYPE, 4096, 3, 8), x -> { })) {
            assertThrows(RegionFormatException.class, () -> MpmcQueue.open(directory, "odd"));
        }
    }

    @Test
    void shouldServeMoreThreadsThanClaimEntriesThroughOneHandle() throws Exception {
        // Claim entries are held per operation, not per thread: 200 threads, one after another and
        // a few at a time, never exhaust the 64 entries of the region.
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().factory());
        try {
            List<java.util.concurrent.Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int value = i;
                all.add(threads.submit(() -> {
                    assertTrue(queue.put(value, new byte[1], 30, TimeUnit.SECONDS));
                    return queue.take((t, b, o, l) -> { }, 30, TimeUnit.SECONDS);
                }));
            }
            for (java.util.concurrent.Future<?> f : all) {
                assertEquals(true, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
