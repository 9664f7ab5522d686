package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.MemoryAccess;
import io.interproc.core.ProcessIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class MpscRingBufferTest extends RingBufferContract {
    @Override
    boolean multiProducer() {
        return true;
    }

    /** A process that is not running: pid 1 with a start time it never had. */
    private static final ProcessIdentity DEAD = new ProcessIdentity(1, 123);

    private void writeSlot(int slot, ProcessIdentity owner, long claim) {
        MemoryAccess memory = ring.region().memory();
        long base = (RingDescriptor.DATA_OFFSET + ring.capacity()) + (long) slot * RingDescriptor.SLOT_LENGTH;
        memory.putLongVolatile(base + RingDescriptor.SLOT_START, owner.startTime());
        memory.putLongVolatile(base + RingDescriptor.SLOT_CLAIM, claim);
        memory.putLongVolatile(base + RingDescriptor.SLOT_PID, owner.pid());
    }

    @Test
    void shouldLoseNothingWhenAnAbandonedConsumerHandleClosesAfterAnotherReadOn() {
        // Handle "first" reads 3 of 10 without freeing them (it has not caught up), a second handle in
        // this process takes over and reads on, frees, and more messages arrive; closing "first" then
        // must not move the head back or zero a header the producers have written since.
        for (int i = 0; i < 10; i++) {
            assertTrue(ring.offer(1, bytes(8, i)));
        }
        List<Integer> seen = new ArrayList<>();
        RingBuffer first = RingBuffer.open(directory, "ring");
        for (int i = 0; i < 3; i++) {
            assertEquals(1, first.poll((t, b, o, l) -> seen.add((int) b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o))));
        }
        assertEquals(0, first.consumerPosition(), "read but not freed yet");
        try (RingBuffer second = RingBuffer.open(directory, "ring")) {
            while (second.poll((t, b, o, l) -> seen.add((int) b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o))) > 0) {
                // the other 7
            }
            int offered = 0;
            while (ring.offer(2, bytes(8, 100 + offered))) {
                offered++;
            }
            first.close();
            int read = 0;
            while (second.poll((t, b, o, l) -> assertEquals(2, t)) > 0) {
                read++;
            }
            assertEquals(offered, read);
            assertEquals(0, second.abandonedRecords());
        }
        assertEquals(10, seen.size());
        for (int i = 0; i < 10; i++) {
            assertEquals((int) bytes(8, i)[0], seen.get(i));
        }
    }

    private long slotPid(int slot) {
        return ring.region().memory().getLongVolatile((RingDescriptor.DATA_OFFSET + ring.capacity()) + (long) slot * RingDescriptor.SLOT_LENGTH
            + RingDescriptor.SLOT_PID);
    }

    @Test
    void shouldNeverSkipALiveProducersClaimHoweverLongItTakes() throws Exception {
        ring.unblockTimeout(Duration.ofMillis(1));
        long claim = ring.tryClaim(3, 16);
        ring.buffer().asSlice(claim, 16).fill((byte) 7);
        // Another thread offers after it: its message waits behind the claim.
        assertTrue(CompletableFuture.supplyAsync(() -> ring.offer(4, bytes(8, 4)), r -> Thread.ofPlatform().start(r))
            .get(30, TimeUnit.SECONDS));
        List<Integer> types = new ArrayList<>();
        // Many stall checks (every 256th poll, then a 1 ms timeout): the live claim is never skipped.
        for (int i = 0; i < 200_000; i++) {
            assertEquals(0, ring.read((t, b, o, l) -> types.add(t), 10));
        }
        assertFalse(ring.take((t, b, o, l) -> types.add(t), 200, TimeUnit.MILLISECONDS), "a live claim blocks, as it should");
        assertEquals(0, ring.abandonedRecords());
        assertTrue(ring.commit(claim));
        assertEquals(2, ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(List.of(3, 4), types);
    }

    @Test
    void shouldSkipTheClaimedRecordOfADeadProducer() throws Exception {
        ring.unblockTimeout(Duration.ofMillis(20));
        // A dead producer's record: claimed header written, its slot naming the position, never committed.
        MemoryAccess memory = ring.region().memory();
        memory.putLongVolatile(RingDescriptor.TAIL_OFFSET, 24);
        memory.putLongVolatile(RingDescriptor.DATA_OFFSET, RingDescriptor.header(-24, 9));
        writeSlot(5, DEAD, 0);
        assertOfferedAfterOneSkippedRecord();
    }

    @Test
    void shouldSkipADeadProducersUnwrittenSpaceOnlyUpToALiveClaim() throws Exception {
        ring.unblockTimeout(Duration.ofMillis(20));
        // A dead producer moved the tail by 64 and died before writing its header (its slot still says
        // it was claiming from 0); then this thread claims behind it and has not committed yet.
        ring.region().memory().getAndAddLong(RingDescriptor.TAIL_OFFSET, 64);
        writeSlot(7, DEAD, RingDescriptor.CLAIMING);
        long live = ring.tryClaim(2, 8);
        List<Integer> types = new ArrayList<>();
        long deadline = System.nanoTime() + LONG.toNanos();
        while (ring.abandonedRecords() == 0 && System.nanoTime() < deadline) {
            ring.read((t, b, o, l) -> types.add(t), 10);
        }
        assertEquals(1, ring.abandonedRecords(), "the dead producer's 64 bytes are skipped");
        // Polls for five unblock timeouts: the live claim stays.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (System.nanoTime() < until) {
            assertEquals(0, ring.read((t, b, o, l) -> types.add(t), 10));
        }
        assertEquals(64, ring.consumerPosition(), "nothing of the live claim after them is skipped");
        assertEquals(1, ring.abandonedRecords());
        assertTrue(ring.commit(live));
        assertEquals(1, ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(List.of(2), types);
    }

    @Test
    void shouldLetAThreadCommitItsEarlierClaimsOrLearnTheyWereSkipped() throws Exception {
        long first = ring.tryClaim(1, 8);
        long second = ring.tryClaim(2, 8);
        assertTrue(ring.commit(second));
        // Committed by another thread than the one that claimed it: allowed.
        assertTrue(CompletableFuture.supplyAsync(() -> ring.commit(first), r -> Thread.ofPlatform().start(r))
            .get(30, TimeUnit.SECONDS));
        List<Integer> types = new ArrayList<>();
        assertEquals(2, ring.read((t, b, o, l) -> types.add(t), 10));
        assertEquals(List.of(1, 2), types);
        assertFalse(ring.commit(first), "committed once");
        assertFalse(ring.commit(first + 8), "nothing claimed there");
    }

    @Test
    void shouldGiveSlotsBackWhenThreadsEndAndRefuseMoreThanTheLimitOfLiveThreads() throws Exception {
        // Producing threads that ended: their slots are reused by this handle's next threads.
        for (int round = 0; round < 3; round++) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < RingDescriptor.DEFAULT_PRODUCER_SLOTS; i++) {
                threads.add(Thread.ofPlatform().start(() -> ring.offer(1, bytes(1, 1))));
            }
            for (Thread t : threads) {
                t.join();
            }
            ring.read((t, b, o, l) -> { }, Integer.MAX_VALUE);
        }
        // Live threads: at most SLOTS of them.
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch produced = new CountDownLatch(RingDescriptor.DEFAULT_PRODUCER_SLOTS);
        List<Thread> holders = new ArrayList<>();
        try {
            for (int i = 0; i < RingDescriptor.DEFAULT_PRODUCER_SLOTS; i++) {
                holders.add(Thread.ofPlatform().start(() -> {
                    ring.offer(1, bytes(1, 1));
                    produced.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            assertTrue(produced.await(30, TimeUnit.SECONDS));
            ring.read((t, b, o, l) -> { }, Integer.MAX_VALUE);
            CompletableFuture<Boolean> oneTooMany = CompletableFuture.supplyAsync(() -> ring.offer(1, bytes(1, 1)),
                r -> Thread.ofPlatform().start(r));
            CompletionException e = assertThrows(CompletionException.class, oneTooMany::join);
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains(RingDescriptor.DEFAULT_PRODUCER_SLOTS + " live producer threads"),
                e.getCause().getMessage());
        } finally {
            release.countDown();
            for (Thread t : holders) {
                t.join();
            }
        }
    }

    @Test
    void shouldGiveItsSlotsBackOnClose() {
        try (RingBuffer other = RingBuffer.open(directory, "ring")) {
            assertTrue(other.offer(1, bytes(4, 1)));
            assertEquals(ProcessIdentity.current().pid(), slotPid(0));
        }
        assertEquals(0, slotPid(0));
        assertEquals(1, ring.read((t, b, o, l) -> { }, 10));
    }
}
