package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.PeerDiedException;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import io.interproc.queue.MessageReceiver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** SPSC rings between real, separately launched JVMs: volume, kill -9 of either side, dead peers. */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(600)
class SpscRingMultiJvmTest {
    static final Duration LONG = Duration.ofSeconds(120);
    static final RegionType PROGRESS = RegionType.of("test-progress", 1);
    /** Producer kills; raise with -Dinterproc.test.kills=N for longer campaigns. */
    static final int KILLS = Integer.getInteger("interproc.test.kills", 50);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /**
     * Produces messages {@code 0..count-1} as producer {@code id} into ring {@code name}, recording
     * after each commit how many it committed in slot {@code id} of the "progress" region. Even
     * messages go through a zero-copy claim and commit, odd ones through the copying offer of part
     * of a segment (a path of its own: offerInPlace), so kills land in both.
     */
    public static final class Producer implements JvmTask {
        @Override
        public void run(String[] args) {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            int id = Integer.parseInt(args[2]);
            long count = Long.parseLong(args[3]);
            try (SpscRing ring = SpscRing.open(directory, args[1]);
                 Region progress = directory.open("progress", PROGRESS)) {
                MemoryAccess slots = progress.memory();
                MemorySegment scratch = Arena.ofAuto().allocate(8 + TestMessages.FIXED + TestMessages.MAX_PAYLOAD);
                for (long seq = 0; seq < count; seq++) {
                    if ((seq & 1) == 0) {
                        long offset;
                        while ((offset = ring.tryClaim(1, TestMessages.length(seq))) < 0) {
                            Thread.onSpinWait();
                        }
                        TestMessages.write(ring.buffer(), offset, id, seq);
                        ring.commit(offset);
                    } else {
                        int length = TestMessages.write(scratch, 8, id, seq);
                        while (!ring.offer(1, scratch, 8, length)) {
                            Thread.onSpinWait();
                        }
                    }
                    slots.putLongRelease(8L * id, seq + 1);
                }
            }
        }
    }

    /** Consumes from ring {@code name} until killed. */
    public static final class Consumer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            try (SpscRing ring = SpscRing.open(RegionDirectory.of(Path.of(args[0])), args[1])) {
                ring.poll((t, b, o, l) -> { });
                System.out.println("CONSUMING");
                new CountDownLatch(1).await();
            }
        }
    }

    /**
     * Reads ring {@code name} in one batch; its handler takes the messages before {@code seq} and,
     * at message {@code seq}, prints "IN n" and waits there to be killed.
     */
    public static final class DieInHandler implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            try (SpscRing ring = SpscRing.open(RegionDirectory.of(Path.of(args[0])), args[1])) {
                long at = Long.parseLong(args[2]);
                CountDownLatch never = new CountDownLatch(1);
                ring.read((t, b, o, l) -> {
                    long seq = TestMessages.check(b, o, l)[1];
                    if (seq == at) {
                        System.out.println("IN " + seq);
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }, 256);
            }
        }
    }

    /** Reads {@code count} messages from ring {@code name} one poll at a time, prints "READ n", then waits to be killed. */
    public static final class ReadSome implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            try (SpscRing ring = SpscRing.open(RegionDirectory.of(Path.of(args[0])), args[1])) {
                int count = Integer.parseInt(args[2]);
                int read = 0;
                while (read < count) {
                    read += ring.poll((t, b, o, l) -> TestMessages.check(b, o, l));
                }
                System.out.println("READ " + read);
                new CountDownLatch(1).await();
            }
        }
    }

    /** Consumer kills; raise with -Dinterproc.test.consumerKills=N. */
    static final int CONSUMER_KILLS = Integer.getInteger("interproc.test.consumerKills", 20);
    /** Messages the consumer-kill campaign sends. */
    static final int CAMPAIGN_MESSAGES = 100_000;

    /**
     * Counts each delivery of message {@code seq} in slot {@code seq} of the "seen" region, and
     * every message handled in slot {@code CAMPAIGN_MESSAGES}.
     */
    static MessageReceiver countSeen(MemoryAccess seen) {
        return (t, b, o, l) -> {
            long seq = TestMessages.check(b, o, l)[1];
            seen.getAndAddLong(8L * seq, 1);
            seen.getAndAddLong(8L * CAMPAIGN_MESSAGES, 1);
        };
    }

    /** Reads ring {@code name} in batches of 1 to 64 messages, counting deliveries in "seen", until killed. */
    public static final class CountSeen implements JvmTask {
        @Override
        public void run(String[] args) {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            try (SpscRing ring = SpscRing.open(directory, args[1]);
                 Region seen = directory.open("seen", PROGRESS)) {
                MessageReceiver handler = countSeen(seen.memory());
                SplittableRandom random = new SplittableRandom(ProcessHandle.current().pid());
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
        // Consumer JVMs killed -9 one after another, anywhere in their reads; then this JVM reads
        // the rest. No message may be delivered twice, and each kill may lose at most the one
        // message its handler was running for.
        int kills = CONSUMER_KILLS;
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SpscRing ring = SpscRing.create(directory, "ring", RingOptions.of(1 << 14, 256));
             Region seen = directory.create("seen", new RegionSpec(PROGRESS, 8L * (CAMPAIGN_MESSAGES + 1)), r -> { })) {
            MemoryAccess counts = seen.memory();
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                for (long seq = 0; seq < CAMPAIGN_MESSAGES && !stop.get(); seq++) {
                    byte[] message = TestMessages.bytes(0, seq);
                    while (!ring.offer(1, message) && !stop.get()) {
                        Thread.onSpinWait();
                    }
                }
            }, runnable -> Thread.ofPlatform().start(runnable));
            SplittableRandom random = new SplittableRandom(kills * 17L);
            try {
                for (int k = 0; k < kills; k++) {
                    long killAt = counts.getLongVolatile(8L * CAMPAIGN_MESSAGES) + 1 + random.nextLong(2_000);
                    try (ChildJvm consumer = ChildJvm.builder(CountSeen.class).jvmOptions("-Xmx64m").captureOutput()
                        .args(dir.toString(), "ring").start()) {
                        assertTrue(Poll.until(() -> counts.getLongVolatile(8L * CAMPAIGN_MESSAGES) >= killAt
                            || !consumer.isAlive() || producer.isDone(), LONG), "consumer " + k + " made progress");
                        consumer.kill();
                        assertTrue(consumer.join(LONG));
                        assertEquals(OptionalInt.of(137), consumer.exitCode(), () -> "killed, not failed: " + consumer.output());
                    }
                }
                MessageReceiver handler = countSeen(counts);
                long deadline = System.nanoTime() + LONG.toNanos();
                while (!producer.isDone() || ring.size() > 0) {
                    ring.read(handler, 64);
                    assertTrue(System.nanoTime() < deadline, "the last consumer drained the ring");
                }
                producer.get(LONG.toSeconds(), TimeUnit.SECONDS);
            } finally {
                stop.set(true);
            }
            long lost = 0;
            for (long seq = 0; seq < CAMPAIGN_MESSAGES; seq++) {
                long delivered = counts.getLongVolatile(8L * seq);
                assertTrue(delivered <= 1, "message " + seq + " delivered " + delivered + " times");
                lost += delivered == 0 ? 1 : 0;
            }
            assertTrue(lost <= kills, lost + " messages lost in " + kills + " kills");
        }
    }

    /**
     * Offers messages 0..99 of producer 7 to {@code ring}, runs {@code task} as its consumer (in
     * another JVM, message 10 its argument) until it prints {@code awaited}, then kills it -9.
     */
    private void offerHundredAndKillConsumerAt(Class<? extends JvmTask> task, String awaited, SpscRing ring)
        throws InterruptedException {
        for (long seq = 0; seq < 100; seq++) {
            assertTrue(ring.offer(1, TestMessages.bytes(7, seq)));
        }
        try (ChildJvm consumer = ChildJvm.builder(task).args(dir.toString(), "ring", "10").captureOutput().start()) {
            assertTrue(consumer.awaitOutput(awaited, LONG), consumer.output());
            consumer.kill();
            assertTrue(consumer.join(LONG));
        }
    }

    /** @return the sequences of the messages {@code ring} polls, one at a time, until it is empty */
    private static List<Long> pollAll(SpscRing ring) {
        List<Long> seqs = new ArrayList<>();
        while (ring.poll((t, b, o, l) -> seqs.add(TestMessages.check(b, o, l)[1])) > 0) {
            // drain
        }
        return seqs;
    }

    @Test
    void shouldDeliverAtMostOnceTheMessageAKilledConsumerWasHandling() throws Exception {
        // The consumer dies inside its handler, in the middle of a batch: the messages it had
        // handled and the one it was handling are not delivered again; the rest are, in order.
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SpscRing ring = SpscRing.create(directory, "ring", RingOptions.of(1 << 16, 100))) {
            offerHundredAndKillConsumerAt(DieInHandler.class, "IN 10", ring);
            try (SpscRing next = SpscRing.open(directory, "ring")) {
                List<Long> seqs = pollAll(next);
                assertEquals(89, seqs.size(), seqs.toString());
                assertEquals(11L, seqs.get(0));
                assertEquals(99L, seqs.get(88));
                assertEquals(next.producerPosition(), next.consumerPosition(), "all of it freed");
                assertTrue(ring.offer(1, TestMessages.bytes(7, 100)));
                assertEquals(1, next.poll((t, b, o, l) -> seqs.add(TestMessages.check(b, o, l)[1])));
                assertEquals(100L, seqs.get(89), "later messages flow");
            }
        }
    }

    @Test
    void shouldNeverDeliverTwiceWhatAKilledConsumerHadRead() throws Exception {
        // What a consumer killed -9 had read (and freed) is not delivered again by the consumer
        // that takes over, and the whole capacity is usable again.
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SpscRing ring = SpscRing.create(directory, "ring", RingOptions.of(1 << 16, 100))) {
            offerHundredAndKillConsumerAt(ReadSome.class, "READ 10", ring);
            try (SpscRing next = SpscRing.open(directory, "ring")) {
                List<Long> seqs = pollAll(next);
                assertEquals(90, seqs.size(), seqs.toString());
                assertEquals(10L, seqs.get(0));
                assertEquals(99L, seqs.get(89));
                assertEquals(next.producerPosition(), next.consumerPosition(), "all of it freed");
                // The whole capacity is usable again.
                int filled = 0;
                while (ring.offer(2, new byte[100])) {
                    filled++;
                }
                assertTrue(filled >= (1 << 16) / 112 - 2, "filled " + filled);
                int drained = 0;
                while (next.poll((t, b, o, l) -> assertEquals(100, l)) > 0) {
                    drained++;
                }
                assertEquals(filled, drained);
            }
        }
    }

    private Region progress(int slots) {
        return RegionDirectory.of(dir).create("progress", new RegionSpec(PROGRESS, 8L * slots), r -> { });
    }

    private ChildJvm producer(String ring, int id, long count) {
        return ChildJvm.builder(Producer.class).jvmOptions("-Xmx64m").captureOutput()
            .args(dir.toString(), ring, Integer.toString(id), Long.toString(count)).start();
    }

    @Test
    void shouldMoveTenMillionMessagesIntactBetweenJvms() throws Exception {
        long count = 10_000_000;
        try (SpscRing ring = SpscRing.create(RegionDirectory.of(dir), "spsc", RingOptions.of(1 << 20, 1024));
             Region p = progress(1);
             ChildJvm producer = producer("spsc", 0, count)) {
            TestMessages.Checker checker = new TestMessages.Checker();
            while (checker.total < count) {
                if (ring.read(checker, 256) == 0 && !producer.isAlive() && ring.size() == 0) {
                    break;
                }
            }
            assertTrue(producer.join(LONG));
            assertEquals(OptionalInt.of(0), producer.exitCode());
            assertEquals(count, checker.total);
        }
    }

    @Test
    void shouldLoseNothingCommittedWhenProducersAreKilled() throws Exception {
        int kills = KILLS;
        int parallel = 1;
        try (SpscRing ring = SpscRing.create(RegionDirectory.of(dir), "ring", RingOptions.of(1 << 14, 256));
             Region progress = progress(kills)) {
            TestMessages.Checker checker = new TestMessages.Checker();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong consumed = new AtomicLong();
            CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> {
                try {
                    while (!stop.get() || ring.size() > 0) {
                        if (ring.take(checker, 20, TimeUnit.MILLISECONDS)) {
                            consumed.set(checker.total);
                        }
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> Thread.ofPlatform().start(runnable));
            SplittableRandom random = new SplittableRandom(kills * 31L);
            MemoryAccess slots = progress.memory();
            List<ChildJvm> running = new ArrayList<>();
            try {
                for (int id = 0; id < kills; id++) {
                    ChildJvm child = producer("ring", id, Long.MAX_VALUE);
                    running.add(child);
                    long killAfter = 1 + random.nextLong(20_000);
                    int slot = id;
                    assertTrue(Poll.until(() -> slots.getLongAcquire(8L * slot) >= killAfter || !child.isAlive(), LONG),
                        "producer " + id + " made progress");
                    if (running.size() == parallel) {
                        ChildJvm victim = running.remove(0);
                        victim.kill();
                        assertTrue(victim.join(LONG));
                        assertEquals(OptionalInt.of(137), victim.exitCode(), () -> "killed, not failed: " + victim.output());
                    }
                }
                for (ChildJvm child : running) {
                    child.kill();
                    assertTrue(child.join(LONG));
                }
            } finally {
                running.forEach(ChildJvm::close);
            }
            stop.set(true);
            consumer.get(120, TimeUnit.SECONDS);
            assertEquals(0, ring.size());
            for (int id = 0; id < kills; id++) {
                long committed = slots.getLongVolatile(8L * id);
                long delivered = checker.next.getOrDefault((long) id, 0L);
                assertTrue(delivered == committed || delivered == committed + 1,
                    "producer " + id + ": " + committed + " recorded as committed, " + delivered + " delivered");
            }
        }
    }

    @Test
    void shouldTellABlockedPutterThatTheConsumerDied() throws Exception {
        try (SpscRing ring = SpscRing.create(RegionDirectory.of(dir), "ring", RingOptions.of(1024, 100));
             ChildJvm consumer = ChildJvm.builder(Consumer.class).args(dir.toString(), "ring").captureOutput().start()) {
            assertTrue(consumer.awaitOutput("CONSUMING", LONG), consumer.output());
            while (ring.offer(1, new byte[100])) {
                // fill
            }
            CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    ring.put(1, new byte[100]);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            consumer.kill();
            assertTrue(consumer.join(LONG));
            PeerDiedException e = assertInstanceOf(PeerDiedException.class, outcome.get(60, TimeUnit.SECONDS));
            assertEquals(consumer.pid(), e.peer().pid());
        }
    }

    @Test
    void shouldTellABlockedTakerThatTheSpscProducerDiedAndRefuseASecondLiveProducer() throws Exception {
        try (SpscRing ring = SpscRing.create(RegionDirectory.of(dir), "ring", RingOptions.of(1 << 16, 1024));
             Region p = progress(2);
             ChildJvm producer = producer("ring", 0, Long.MAX_VALUE)) {
            assertTrue(Poll.until(() -> ring.size() > 0, LONG));
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> ring.offer(1, new byte[1]));
            assertTrue(twice.getMessage().contains("already has a live producer"), twice.getMessage());
            producer.kill();
            assertTrue(producer.join(LONG));
            TestMessages.Checker checker = new TestMessages.Checker();
            PeerDiedException e = assertThrows(PeerDiedException.class, () -> {
                while (true) {
                    ring.take(checker, 60, TimeUnit.SECONDS);
                }
            });
            assertEquals(producer.pid(), e.peer().pid());
            assertTrue(checker.total > 0);
        }
    }


    /** Produces {@code args[2]} messages into ring {@code args[1]} and exits normally; with "noclose", without closing. */
    public static final class CleanProducer implements JvmTask {
        @Override
        public void run(String[] args) {
            SpscRing ring = SpscRing.open(RegionDirectory.of(Path.of(args[0])), args[1]);
            for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                while (!ring.offer(1, new byte[] {(byte) i})) {
                    Thread.onSpinWait();
                }
            }
            if (!(args.length > 3 && args[3].equals("noclose"))) {
                ring.close();
            }
        }
    }

    @Test
    void shouldTreatAProducerThatClosedOrExitedNormallyAsGoneNotDead() throws Exception {
        try (SpscRing ring = SpscRing.create(RegionDirectory.of(dir), "ring", RingOptions.of(1 << 16, 1024))) {
            int got = 0;
            for (String ending : new String[] {"close", "noclose"}) {
                try (ChildJvm producer = ChildJvm.builder(CleanProducer.class).jvmOptions("-Xmx64m").captureOutput()
                    .args(dir.toString(), "ring", "10", ending).start()) {
                    assertTrue(producer.join(LONG));
                    assertEquals(java.util.OptionalInt.of(0), producer.exitCode(), producer.output());
                }
                for (int i = 0; i < 10; i++) {
                    assertTrue(ring.take((t, b, o, l) -> { }, 30, TimeUnit.SECONDS));
                    got++;
                }
                // Drained, and the producer left cleanly: the consumer waits (its timeout), no PeerDiedException.
                assertFalse(ring.take((t, b, o, l) -> { }, 200, TimeUnit.MILLISECONDS), ending);
            }
            assertEquals(20, got);
            ring.offer(1, new byte[1]); // a new producer takes over without an exception
            assertEquals(1, ring.poll((t, b, o, l) -> { }));
        }
    }
}
