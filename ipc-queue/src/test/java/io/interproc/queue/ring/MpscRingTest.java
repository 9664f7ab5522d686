package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.testing.FaultCampaign;
import io.interproc.core.testing.KernelWaits;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import io.interproc.queue.MessageReceiver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Many producers into one consumer as SPSC lanes: in threads, and across JVMs that are killed and stopped. */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(300)
class MpscRingTest {
    static final RegionType PROGRESS = RegionType.of("test-progress", 1);
    static final Duration LONG = Duration.ofSeconds(60);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /**
     * Checks each producer's messages arrive complete, in order, none twice: the next sequence
     * expected per producer (read by other threads while the consumer's thread counts).
     */
    static final class Ledger implements MessageReceiver {
        final java.util.concurrent.atomic.AtomicLongArray next;
        final AtomicLong total = new AtomicLong();

        Ledger(int producers) {
            next = new java.util.concurrent.atomic.AtomicLongArray(producers);
        }

        long next(int producer) {
            return next.get(producer);
        }

        @Override
        public void onMessage(int type, MemorySegment buffer, long offset, int length) {
            long[] ps = TestMessages.check(buffer, offset, length);
            int producer = (int) ps[0];
            if (ps[1] != next.get(producer)) {
                throw new AssertionError("producer " + producer + ": expected message " + next.get(producer) + ", got " + ps[1]);
            }
            next.incrementAndGet(producer);
            total.incrementAndGet();
        }
    }

    private List<String> laneFiles(String name) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(name + ".lane")).sorted().toList();
        }
    }

    @Test
    void shouldDeliverEveryProducersMessagesInItsOrderAndRemoveLanesOnceDrained() throws Exception {
        int producers = 6;
        long perProducer = 30_000;
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpscRing ring = MpscRing.create(directory, "orders", RingOptions.of(4096, 256).withMaxLanes(8))) {
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int id = 0; id < producers; id++) {
                int producerId = id;
                running.add(CompletableFuture.runAsync(() -> {
                    try (MpscRing.Producer p = ring.attach()) {
                        MemorySegment scratch = Arena.ofAuto().allocate(8 + TestMessages.FIXED + TestMessages.MAX_PAYLOAD);
                        for (long seq = 0; seq < perProducer; seq++) {
                            if ((seq & 1) == 0) {
                                long at = p.claim(1, TestMessages.length(seq), 30, TimeUnit.SECONDS); // sleeps while full
                                if (at < 0) {
                                    throw new IllegalStateException("no room in 30 s");
                                }
                                TestMessages.write(p.buffer(), at, producerId, seq);
                                p.commit(at);
                            } else {
                                int length = TestMessages.write(scratch, 0, producerId, seq);
                                p.put(1, scratch.asSlice(0, length), 30, TimeUnit.SECONDS);
                            }
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, r -> Thread.ofPlatform().start(r)));
            }
            Ledger ledger = new Ledger(producers);
            while (ledger.total.get() < producers * perProducer) {
                assertTrue(ring.take(ledger, 30, TimeUnit.SECONDS), "a message within 30 s; got " + ledger.total.get());
                ring.read(ledger, 1000);
            }
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int id = 0; id < producers; id++) {
                assertEquals(perProducer, ledger.next(id));
            }
            // Every producer closed: the consumer removes each drained lane and frees its entry.
            assertTrue(Poll.until(() -> {
                ring.read(ledger, 100);
                return ring.lanes().isEmpty();
            }, LONG), "lanes left: " + ring.lanes());
            assertEquals(List.of(), laneFiles("orders"));
            assertEquals(producers * perProducer, ledger.total.get(), "nothing more arrived");
        } finally {
            MpscRing.remove(directory, "orders");
        }
    }

    @Test
    void shouldRefuseAProducerBeyondMaxLanesAndFreeTheLaneOfOneThatLeft() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpscRing ring = MpscRing.create(directory, "two", RingOptions.of(1024, 64).withMaxLanes(2))) {
            MpscRing.Producer a = ring.attach();
            MpscRing.Producer b = ring.attach();
            IllegalStateException full = assertThrows(IllegalStateException.class, ring::attach);
            assertTrue(full.getMessage().contains("max lanes 2") && full.getMessage().contains("'two'"), full.getMessage());
            assertTrue(a.offer(1, TestMessages.bytes(0, 0)));
            a.close();
            assertThrows(IllegalStateException.class, () -> a.offer(1, TestMessages.bytes(0, 1)), "closed producer");
            // The lane is not free before its message is delivered.
            assertThrows(IllegalStateException.class, ring::attach);
            Ledger ledger = new Ledger(1);
            assertTrue(Poll.until(() -> {
                ring.read(ledger, 10);
                return ring.lanes().size() == 1;
            }, LONG));
            assertEquals(1, ledger.total.get());
            try (MpscRing.Producer c = ring.attach()) {
                assertEquals(a.lane(), c.lane(), "the freed entry serves the next producer");
                assertTrue(c.offer(1, TestMessages.bytes(0, 1)));
                assertTrue(ring.take(ledger, 10, TimeUnit.SECONDS));
                assertEquals(2, ledger.next(0));
            }
            b.close();
            ring.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> ring.read(ledger, 1));
            assertEquals("mpsc ring 'two' is closed", closed.getMessage());
            assertEquals("mpsc ring 'two' is closed", assertThrows(IllegalStateException.class, ring::attach).getMessage());
        } finally {
            MpscRing.remove(directory, "two");
        }
    }

    @Test
    void shouldTakeMemoryPerAttachedProducerNotPerMaxLanes() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpscRing ring = MpscRing.create(directory, "wide", RingOptions.of(1 << 20, 1024).withMaxLanes(1000))) {
            assertTrue(Files.size(dir.resolve("wide")) < 128 * 1024, "a table of 1,000 lanes, not 1,000 MiB of lanes");
            assertEquals(List.of(), laneFiles("wide"));
            try (MpscRing.Producer p = ring.attach(); MpscRing.Producer q = ring.attach()) {
                assertEquals(2, laneFiles("wide").size());
                assertEquals(List.of("active", "active"), ring.lanes().stream().map(MpscRing.LaneInfo::state).toList());
                assertTrue(p.lane() != q.lane());
            }
            assertThrows(IllegalArgumentException.class, () -> MpscRing.create(directory, "x", RingOptions.of(1 << 20, 1024).withMaxLanes(0)));
            assertThrows(IllegalArgumentException.class, () -> MpscRing.create(directory, "x", RingOptions.of(1000, 64).withMaxLanes(4)));
        } finally {
            MpscRing.remove(directory, "wide");
        }
        assertEquals(List.of(), laneFiles("wide"));
        assertFalse(Files.exists(dir.resolve("wide")));
    }

    @Test
    void shouldSetACorruptLaneAsideReportItOnceAndKeepTheOtherLanesFlowing() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpscRing ring = MpscRing.create(directory, "mixed", RingOptions.of(4096, 64).withMaxLanes(4));
             MpscRing.Producer bad = ring.attach();
             MpscRing.Producer good = ring.attach()) {
            for (long seq = 0; seq < 3; seq++) {
                assertTrue(bad.offer(1, TestMessages.bytes(0, seq)));
                assertTrue(good.offer(1, TestMessages.bytes(1, seq)));
            }
            // A record header in one lane file overwritten with a length past the lane's end.
            try (SpscRing file = SpscRing.open(directory, laneFile(ring, bad.lane()))) {
                file.region().memory().putLongVolatile(RingDescriptor.DATA_OFFSET, RecordDescriptor.header(1 << 20, 1));
            }
            Ledger ledger = new Ledger(2);
            List<RegionFormatException> reported = new ArrayList<>();
            MessageReceiver handler = (t, b, o, l) -> ledger.onMessage(t, b, o, l);
            for (int i = 0; i < 20; i++) {
                try {
                    ring.read(handler, 2);
                } catch (RegionFormatException e) {
                    reported.add(e);
                }
            }
            assertEquals(1, reported.size(), "reported once, not at every turn: " + reported);
            String message = reported.get(0).getMessage();
            assertTrue(message.contains("'mixed'") && message.contains("lane " + bad.lane()) && message.contains("set aside")
                && message.contains("corrupt record"), message);
            assertEquals(3, ledger.next(1), "the other lane's messages all arrived");
            // A lane whose file is corrupt before the consumer first opens it: the same.
            try (MpscRing.Producer late = ring.attach()) {
                try (SpscRing file = SpscRing.open(directory, laneFile(ring, late.lane()))) {
                    file.region().memory().putLongVolatile(RingDescriptor.HEAD_OFFSET, 3); // misaligned
                }
                assertTrue(good.offer(1, TestMessages.bytes(1, 3)));
                RegionFormatException atOpen = assertThrows(RegionFormatException.class, () -> ring.read(handler, 10));
                assertTrue(atOpen.getMessage().contains("lane " + late.lane()), atOpen.getMessage());
                assertTrue(Poll.until(() -> {
                    ring.read(handler, 10);
                    return ledger.next(1) == 4;
                }, LONG), "the good lane goes on");
            }
        } finally {
            MpscRing.remove(directory, "mixed");
        }
    }

    private static String laneFile(MpscRing ring, int lane) {
        long generation = ring.lanes().stream().filter(l -> l.index() == lane).findFirst().orElseThrow().generation();
        return MpscRingDescriptor.laneName(ring.region().name(), lane, generation);
    }

    @Test
    void shouldRefuseACorruptTable() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        MpscRing.create(directory, "bad", RingOptions.of(1024, 64).withMaxLanes(4)).close();
        directory.unlink("bad");
        // a table whose max lanes does not match its body
        directory.create("bad", new RegionSpec(MpscRingDescriptor.TYPE, MpscRingDescriptor.bodyLength(4), 1024, 64, 5),
            r -> { }).close();
        RegionFormatException e = assertThrows(RegionFormatException.class, () -> MpscRing.open(directory, "bad"));
        assertTrue(e.getMessage().contains("'bad'") && e.getMessage().contains("5 lanes"), e.getMessage());
        directory.unlink("bad");
    }

    @Test
    void shouldSleepInTakeUntilAnyLaneCommitsAndTimeOutWhenNoneDoes() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpscRing ring = MpscRing.create(directory, "sleepy", RingOptions.of(1024, 64).withMaxLanes(4));
             MpscRing.Producer idle = ring.attach();
             MpscRing.Producer p = ring.attach()) {
            Ledger ledger = new Ledger(1);
            long start = System.nanoTime();
            assertFalse(ring.take(ledger, 50, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
            CompletableFuture<Boolean> taken = CompletableFuture.supplyAsync(() -> {
                try {
                    return ring.take(ledger, 30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r));
            var word = ring.region().waitWord(MpscRingDescriptor.CONSUMER_WAIT_OFFSET);
            assertTrue(Poll.until(() -> KernelWaits.sleepingOn(word.region(), word.offset()), LONG), "the consumer sleeps in the kernel");
            assertTrue(p.offer(1, TestMessages.bytes(0, 0)));
            assertTrue(taken.get(10, TimeUnit.SECONDS));
            assertEquals(1, ledger.total.get());
            assertTrue(idle.lane() != p.lane(), "a lane each");
        } finally {
            MpscRing.remove(directory, "sleepy");
        }
    }

    @Test
    void shouldWaitInAClaimWhileTheLaneIsFullAndTimeOut() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpscRing ring = MpscRing.create(directory, "full", RingOptions.of(1024, 64).withMaxLanes(2));
             MpscRing.Producer p = ring.attach()) {
            long seq = 0;
            while (p.offer(1, TestMessages.bytes(0, seq))) {
                seq++;
            }
            long start = System.nanoTime();
            assertEquals(SpscRing.INSUFFICIENT_CAPACITY, p.claim(1, TestMessages.length(seq), 50, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
            long last = seq;
            CompletableFuture<Long> claimed = CompletableFuture.supplyAsync(() -> {
                try {
                    long at = p.claim(1, TestMessages.length(last), 30, TimeUnit.SECONDS);
                    if (at >= 0) {
                        TestMessages.write(p.buffer(), at, 0, last);
                        p.commit(at);
                    }
                    return at;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r));
            Ledger ledger = new Ledger(1);
            assertTrue(Poll.until(() -> { // reading frees room: the waiting claim goes through and commits
                ring.read(ledger, 1);
                return ledger.next(0) == last + 1;
            }, LONG), "every message, the claimed one last: " + ledger.next(0));
            assertTrue(claimed.get(30, TimeUnit.SECONDS) >= 0);
        } finally {
            MpscRing.remove(directory, "full");
        }
    }

    @Test
    void shouldNotLetAProducersUnfinishedClaimHoldBackAnotherLane() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpscRing ring = MpscRing.create(directory, "isolated", RingOptions.of(4096, 64).withMaxLanes(4));
             MpscRing.Producer slow = ring.attach();
             MpscRing.Producer fast = ring.attach()) {
            long claim = slow.tryClaim(1, TestMessages.length(0));
            assertTrue(claim >= 0);
            Ledger ledger = new Ledger(2);
            for (long seq = 0; seq < 1000; seq++) {
                fast.put(1, TestMessages.bytes(1, seq));
                ring.read(ledger, 64);
            }
            assertTrue(Poll.until(() -> {
                ring.read(ledger, 64);
                return ledger.next(1) == 1000;
            }, LONG), "the other lane's 1,000 messages, while a claim stays open: " + ledger.next(1));
            TestMessages.write(slow.buffer(), claim, 0, 0);
            slow.commit(claim);
            assertTrue(ring.take(ledger, 10, TimeUnit.SECONDS));
            assertEquals(1, ledger.next(0));
        } finally {
            MpscRing.remove(directory, "isolated");
        }
    }

    /**
     * Attaches to ring {@code name} as producer {@code id}, prints "ATTACHED", and produces
     * {@code count} messages (until killed), recording after each publication how many it
     * published in slot {@code id} of the "progress" region.
     */
    public static final class Producer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            int id = Integer.parseInt(args[2]);
            long count = Long.parseLong(args[3]);
            try (MpscRing ring = MpscRing.open(directory, args[1]);
                 Region progress = directory.open("progress", PROGRESS);
                 MpscRing.Producer p = ring.attach()) {
                MemoryAccess slots = progress.memory();
                MemorySegment scratch = Arena.ofAuto().allocate(8 + TestMessages.FIXED + TestMessages.MAX_PAYLOAD);
                long seq = slots.getLongVolatile(8L * id); // a restarted producer continues the sequence
                System.out.println("ATTACHED");
                for (; seq < count; seq++) {
                    if ((seq & 1) == 0) {
                        long at;
                        while ((at = p.tryClaim(1, TestMessages.length(seq))) < 0) {
                            Thread.yield();
                        }
                        TestMessages.write(p.buffer(), at, id, seq);
                        p.commit(at);
                    } else {
                        int length = TestMessages.write(scratch, 0, id, seq);
                        p.put(1, scratch.asSlice(0, length), 60, TimeUnit.SECONDS);
                    }
                    slots.putLongRelease(8L * id, seq + 1);
                }
            }
        }
    }

    private static ChildJvm producer(RegionDirectory directory, String ring, int id, long count) throws Exception {
        ChildJvm child = ChildJvm.builder(Producer.class).captureOutput()
            .args(directory.path().toString(), ring, Integer.toString(id), Long.toString(count)).start();
        assertTrue(child.awaitOutput("ATTACHED", LONG), "producer " + id + " attached: " + child.output());
        return child;
    }

    @Test
    void shouldDeliverWhatKilledProducersCommittedAndRecycleTheirLanes() throws Exception {
        // Producer JVMs killed -9 at random points while the consumer reads; each restart continues
        // its sequence from what it had recorded. Per producer the consumer must see each message
        // at most once and in order; a killed producer's lane is drained, removed and its entry
        // reused (max lanes 2 with 2 producers: a lane that was never freed would make the next
        // attach fail).
        int kills = Integer.getInteger("interproc.test.kills", 30);
        RegionDirectory directory = RegionDirectory.of(dir);
        java.util.SplittableRandom random = new java.util.SplittableRandom(Long.getLong("interproc.test.seed", 28));
        try (MpscRing ring = MpscRing.create(directory, "killed", RingOptions.of(1 << 14, 256).withMaxLanes(2));
             Region progress = directory.create("progress", new RegionSpec(PROGRESS, 16), r -> { })) {
            MemoryAccess done = progress.memory();
            ChildJvm[] children = {producer(directory, "killed", 0, Long.MAX_VALUE), producer(directory, "killed", 1, Long.MAX_VALUE)};
            Ledger ledger = new Ledger(2);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    if (ring.read(ledger, 1 + (int) (reads.incrementAndGet() % 100)) == 0) {
                        Thread.onSpinWait();
                    }
                }
            }, r -> Thread.ofPlatform().start(r));
            try {
                for (int k = 0; k < kills; k++) {
                    int victim = random.nextInt(2);
                    long before = done.getLongVolatile(8L * victim);
                    assertTrue(Poll.until(() -> done.getLongVolatile(8L * victim) > before + 500, LONG),
                        "producer " + victim + " makes progress");
                    Thread.sleep(random.nextInt(20)); // where the kill lands; progress above is the synchronization
                    children[victim].kill();
                    assertTrue(children[victim].join(LONG));
                    // Its lane: committed messages delivered, then the lane removed and its entry freed.
                    long published = done.getLongVolatile(8L * victim);
                    assertTrue(Poll.until(() -> consumer.isDone()
                            || ring.lanes().stream().noneMatch(l -> l.state().equals("dead")), LONG),
                        "the killed producer's lane drained and removed: " + ring.lanes());
                    if (consumer.isDone()) {
                        consumer.get(); // throws what stopped it
                    }
                    assertTrue(ledger.next(victim) >= published,
                        "delivered " + ledger.next(victim) + " of the " + published + " recorded as published");
                    // A kill between a publication and its record may have published one more; the
                    // restart continues after what is recorded, so move the record to what arrived.
                    assertTrue(ledger.next(victim) <= published + 1, "at most the one unrecorded message more");
                    done.putLongVolatile(8L * victim, ledger.next(victim));
                    children[victim] = producer(directory, "killed", victim, Long.MAX_VALUE);
                }
            } finally {
                stop.set(true);
                for (ChildJvm child : children) {
                    child.kill();
                    child.join(LONG);
                }
                consumer.get(60, TimeUnit.SECONDS);
            }
            assertTrue(Poll.until(() -> {
                ring.read(ledger, 1000);
                return ring.lanes().isEmpty();
            }, LONG), "dead producers' lanes removed: " + ring.lanes());
            assertEquals(List.of(), laneFiles("killed"));
        } finally {
            MpscRing.remove(directory, "killed");
        }
    }

    /**
     * Attaches to ring {@code name}, prints "ATTACHED", and sends message {@code seq} (type 2: its
     * sequence, then its send time by {@link System#nanoTime()}) every {@code intervalNanos}, until killed.
     */
    public static final class PacedProducer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            long interval = Long.parseLong(args[2]);
            try (MpscRing ring = MpscRing.open(RegionDirectory.of(Path.of(args[0])), args[1]);
                 MpscRing.Producer p = ring.attach()) {
                System.out.println("ATTACHED");
                long next = System.nanoTime();
                for (long seq = 0; ; seq++) {
                    while (System.nanoTime() < next) {
                        Thread.onSpinWait();
                    }
                    long at = p.claim(2, 16, 60, TimeUnit.SECONDS);
                    p.buffer().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, at, seq);
                    p.buffer().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, at + 8, System.nanoTime());
                    p.commit(at);
                    next += interval;
                }
            }
        }
    }

    @Test
    void shouldKeepOtherLanesFlowingWhileAProducerIsStopped() throws Exception {
        // One producer JVM stopped (SIGSTOP) for 2 s in the middle of producing as fast as it can:
        // the other producer's paced messages (20,000 a second) keep arriving, in order, all that
        // time, and the stopped one's continue, in order, once it runs again. The test prints the
        // end-to-end latency of the paced messages sent in a second before and in the stop (the
        // clocks agree: System.nanoTime is CLOCK_MONOTONIC, one clock for every process).
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpscRing ring = MpscRing.create(directory, "stopped", RingOptions.of(1 << 14, 256).withMaxLanes(4));
             Region progress = directory.create("progress", new RegionSpec(PROGRESS, 16), r -> { })) {
            ChildJvm stopped = producer(directory, "stopped", 0, Long.MAX_VALUE);
            ChildJvm running = ChildJvm.builder(PacedProducer.class).captureOutput()
                .args(directory.path().toString(), "stopped", Long.toString(50_000)).start();
            assertTrue(running.awaitOutput("ATTACHED", LONG), running.output());
            try {
                Ledger ledger = new Ledger(1);
                long[] pacedNext = {0};
                long[] latencies = new long[200_000];
                int[] count = {0};
                // Only messages sent since the window began count: those sent before it waited in
                // the lane for the CPU (three busy processes on two CPUs), not for the ring.
                long[] windowStart = {Long.MAX_VALUE};
                MessageReceiver handler = (type, buffer, offset, length) -> {
                    if (type != 2) {
                        ledger.onMessage(type, buffer, offset, length);
                        return;
                    }
                    long seq = buffer.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, offset);
                    long sent = buffer.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, offset + 8);
                    if (seq != pacedNext[0]) {
                        throw new AssertionError("paced producer: expected " + pacedNext[0] + ", got " + seq);
                    }
                    pacedNext[0]++;
                    if (sent >= windowStart[0] && count[0] < latencies.length) {
                        latencies[count[0]++] = System.nanoTime() - sent;
                    }
                };
                assertTrue(Poll.until(() -> {
                    ring.read(handler, 256);
                    return ledger.next(0) > 1000 && pacedNext[0] > 20_000;
                }, LONG));
                count[0] = 0;
                windowStart[0] = System.nanoTime();
                long end = windowStart[0] + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < end) {
                    ring.read(handler, 256);
                }
                long[] before = java.util.Arrays.copyOf(latencies, count[0]);
                FaultCampaign.signal("STOP", stopped.pid());
                long[] during;
                long otherAt = pacedNext[0];
                try {
                    count[0] = 0;
                    windowStart[0] = System.nanoTime();
                    end = windowStart[0] + TimeUnit.SECONDS.toNanos(2);
                    while (System.nanoTime() < end) {
                        ring.read(handler, 256);
                    }
                    during = java.util.Arrays.copyOf(latencies, count[0]);
                } finally {
                    FaultCampaign.signal("CONT", stopped.pid());
                }
                assertTrue(pacedNext[0] - otherAt > 10_000, "the running producer's messages during the 2 s stop: "
                    + (pacedNext[0] - otherAt));
                System.out.println("lane of a producer sending 20,000 msg/s, end-to-end latency before a stop of another "
                    + "producer: " + percentiles(before) + "; during its 2 s stop: " + percentiles(during));
                long resumedFrom = ledger.next(0);
                assertTrue(Poll.until(() -> {
                    ring.read(handler, 256);
                    return ledger.next(0) > resumedFrom + 1000;
                }, LONG), "the stopped producer continues");
            } finally {
                stopped.kill();
                running.kill();
                stopped.join(LONG);
                running.join(LONG);
            }
        } finally {
            MpscRing.remove(directory, "stopped");
        }
    }

    /** @return "p50 x µs, p99 y µs, max z µs (n messages)" of latencies in nanoseconds */
    private static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        if (sorted.length == 0) {
            return "no messages";
        }
        return String.format(java.util.Locale.ROOT, "p50 %.1f µs, p99 %.1f µs, max %.1f µs (%d messages)",
            sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.99)] / 1e3, sorted[sorted.length - 1] / 1e3,
            sorted.length);
    }

    /** Messages per producer in the consumer-kill campaign. */
    static final int PER_PRODUCER = 20_000;

    /** Counts each delivery of (producer, seq) in slot {@code producer * PER_PRODUCER + seq}, and all in slot 2 * PER_PRODUCER. */
    static MessageReceiver countSeen(MemoryAccess seen) {
        return (t, b, o, l) -> {
            long[] ps = TestMessages.check(b, o, l);
            seen.getAndAddLong(8L * (ps[0] * PER_PRODUCER + ps[1]), 1);
            seen.getAndAddLong(8L * 2 * PER_PRODUCER, 1);
        };
    }

    /** Consumes ring {@code name} in reads of 1 to 64 messages, counting deliveries in "seen", until killed. */
    public static final class CountSeen implements JvmTask {
        @Override
        public void run(String[] args) {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            try (MpscRing ring = MpscRing.open(directory, args[1]);
                 Region seen = directory.open("seen", PROGRESS)) {
                MessageReceiver handler = countSeen(seen.memory());
                java.util.SplittableRandom random = new java.util.SplittableRandom(ProcessHandle.current().pid());
                while (true) {
                    if (ring.read(handler, 1 + random.nextInt(64)) == 0) {
                        Thread.onSpinWait();
                    }
                }
            }
        }
    }

    @Test
    void shouldDeliverNothingTwiceWhenConsumersAreKilledAtRandomPoints() throws Exception {
        // Consumer JVMs killed -9 one after another anywhere in their reads, lane switches and
        // bookkeeping, while two producers keep writing; then this JVM reads the rest. No message
        // may arrive twice, and each kill may lose at most the one message its handler was running for.
        int kills = Integer.getInteger("interproc.test.consumerKills", 12);
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpscRing ring = MpscRing.create(directory, "consumers", RingOptions.of(1 << 13, 256).withMaxLanes(4));
             Region seen = directory.create("seen", new RegionSpec(PROGRESS, 8L * (2 * PER_PRODUCER + 1)), r -> { })) {
            MemoryAccess counts = seen.memory();
            AtomicBoolean stop = new AtomicBoolean();
            List<CompletableFuture<Void>> producers = new ArrayList<>();
            for (int id = 0; id < 2; id++) {
                int producerId = id;
                producers.add(CompletableFuture.runAsync(() -> {
                    try (MpscRing.Producer p = ring.attach()) {
                        for (long seq = 0; seq < PER_PRODUCER && !stop.get(); seq++) {
                            byte[] message = TestMessages.bytes(producerId, seq);
                            while (!p.offer(1, message) && !stop.get()) {
                                Thread.yield(); // not put: a killed consumer is no reason to give up here
                            }
                        }
                    }
                }, r -> Thread.ofPlatform().start(r)));
            }
            CompletableFuture<Void> produced = CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new));
            java.util.SplittableRandom random = new java.util.SplittableRandom(Long.getLong("interproc.test.seed", 30));
            try {
                for (int k = 0; k < kills; k++) {
                    long killAt = counts.getLongVolatile(8L * 2 * PER_PRODUCER) + 1 + random.nextLong(2_000);
                    try (ChildJvm consumer = ChildJvm.builder(CountSeen.class).jvmOptions("-Xmx64m").captureOutput()
                        .args(dir.toString(), "consumers").start()) {
                        assertTrue(Poll.until(() -> counts.getLongVolatile(8L * 2 * PER_PRODUCER) >= killAt
                            || !consumer.isAlive() || produced.isDone(), LONG), "consumer " + k + " made progress");
                        consumer.kill();
                        assertTrue(consumer.join(LONG));
                        assertEquals(java.util.OptionalInt.of(137), consumer.exitCode(), () -> "killed, not failed: "
                            + consumer.output());
                    }
                }
                MessageReceiver handler = countSeen(counts);
                assertTrue(Poll.until(() -> {
                    ring.read(handler, 64);
                    return produced.isDone() && ring.lanes().isEmpty();
                }, LONG), "the last consumer drained every lane: " + ring.lanes());
                produced.get(60, TimeUnit.SECONDS);
            } finally {
                stop.set(true);
            }
            long lost = 0;
            for (long i = 0; i < 2L * PER_PRODUCER; i++) {
                long delivered = counts.getLongVolatile(8L * i);
                assertTrue(delivered <= 1, "message " + i + " delivered " + delivered + " times");
                lost += delivered == 0 ? 1 : 0;
            }
            assertTrue(lost <= kills, lost + " messages lost in " + kills + " kills");
            assertEquals(List.of(), laneFiles("consumers"));
        } finally {
            MpscRing.remove(directory, "consumers");
        }
    }
}
