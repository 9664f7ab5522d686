package io.interproc.queue.mpmc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.RegionDirectory;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import io.interproc.queue.ring.TestMessages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The MPMC queue between real JVMs: two producer JVMs, two competing consumer JVMs. */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(300)
class MpmcQueueMultiJvmTest {
    static final Duration LONG = Duration.ofSeconds(120);
    static final long PER_PRODUCER = 500_000;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** Puts messages 0..n-1 of producer {@code id}. */
    public static final class Producer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            long id = Long.parseLong(args[1]);
            try (MpmcQueue queue = MpmcQueue.open(RegionDirectory.of(Path.of(args[0])), "q")) {
                for (long seq = 0; seq < PER_PRODUCER; seq++) {
                    queue.put(1, TestMessages.bytes(id, seq));
                }
            }
        }
    }

    /**
     * Takes until a quiet second after the producers' total was reached by all consumers together;
     * prints how many it took and a sum over their identities, checking each message and the order
     * of each producer's messages as this consumer sees them.
     */
    public static final class Consumer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            long count = 0;
            long sum = 0;
            long[] last = {-1, -1};
            try (MpmcQueue queue = MpmcQueue.open(RegionDirectory.of(Path.of(args[0])), "q")) {
                long[] got = new long[2];
                while (queue.take((t, b, o, l) -> {
                    long[] m = TestMessages.check(b, o, l);
                    got[0] = m[0];
                    got[1] = m[1];
                }, 2, TimeUnit.SECONDS)) {
                    if (got[1] <= last[(int) got[0]]) {
                        throw new IllegalStateException("producer " + got[0] + " out of order: " + got[1]);
                    }
                    last[(int) got[0]] = got[1];
                    count++;
                    sum += identity(got[0], got[1]);
                }
            }
            System.out.println("TOOK " + count + " " + sum + " ");
        }
    }

    static final io.interproc.core.RegionType PROGRESS = io.interproc.core.RegionType.of("test-progress", 1);
    /** Producer kills; raise with -Dinterproc.test.mpmcKills=N. */
    static final int KILLS = Integer.getInteger("interproc.test.mpmcKills", 20);

    /** Offers messages of producer {@code id} for ever, recording after each how many it offered. */
    public static final class EndlessProducer implements JvmTask {
        @Override
        public void run(String[] args) {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            int id = Integer.parseInt(args[1]);
            try (MpmcQueue queue = MpmcQueue.open(directory, "q");
                 io.interproc.core.Region progress = directory.open("progress", PROGRESS)) {
                for (long seq = 0; ; seq++) {
                    byte[] message = TestMessages.bytes(id, seq);
                    while (!queue.offer(1, message)) {
                        Thread.onSpinWait();
                    }
                    progress.memory().putLongRelease(8L * id, seq + 1);
                }
            }
        }
    }

    @Test
    void shouldLoseNothingOfferedWhenProducersAreKilled() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (MpmcQueue queue = MpmcQueue.create(directory, "q", 256, 128);
             io.interproc.core.Region progress = directory.create("progress",
                 new io.interproc.core.RegionSpec(PROGRESS, 8L * KILLS), r -> { })) {
            java.util.Map<Long, Long> next = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CompletableFuture<Void> consumer = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    while (!stop.get() || queue.size() > 0) {
                        queue.take((t, b, o, l) -> {
                            long[] m = TestMessages.check(b, o, l);
                            long expected = next.getOrDefault(m[0], 0L);
                            if (m[1] != expected) {
                                throw new AssertionError("producer " + m[0] + ": got " + m[1] + ", expected " + expected);
                            }
                            next.put(m[0], expected + 1);
                        }, 20, TimeUnit.MILLISECONDS);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r));
            java.util.SplittableRandom random = new java.util.SplittableRandom(KILLS);
            for (int id = 0; id < KILLS; id++) {
                int slot = id;
                long killAfter = 1 + random.nextLong(5_000);
                try (ChildJvm producer = ChildJvm.builder(EndlessProducer.class).jvmOptions("-Xmx64m").captureOutput()
                    .args(dir.toString(), Integer.toString(id)).start()) {
                    assertTrue(io.interproc.core.testing.Poll.until(() -> progress.memory().getLongAcquire(8L * slot) >= killAfter
                        || !producer.isAlive(), LONG), "producer " + id + " made progress");
                    producer.kill();
                    assertTrue(producer.join(LONG));
                    assertEquals(OptionalInt.of(137), producer.exitCode(), () -> "killed, not failed: " + producer.output());
                }
            }
            stop.set(true);
            consumer.get(120, TimeUnit.SECONDS);
            for (int id = 0; id < KILLS; id++) {
                long offered = progress.memory().getLongVolatile(8L * id);
                long delivered = next.getOrDefault((long) id, 0L);
                assertTrue(delivered == offered || delivered == offered + 1,
                    "producer " + id + ": " + offered + " offered, " + delivered + " delivered");
            }
        }
    }

    /**
     * Takes messages, printing "GOT seq" for each; at its {@code args[1]}-th it prints "IN seq" and
     * waits in the handler to be killed.
     */
    public static final class DieInHandler implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            int at = Integer.parseInt(args[1]);
            CountDownLatch never = new CountDownLatch(1);
            try (MpmcQueue queue = MpmcQueue.open(RegionDirectory.of(Path.of(args[0])), "q")) {
                for (int n = 1; ; n++) {
                    int nth = n;
                    queue.take((t, b, o, l) -> {
                        long seq = TestMessages.check(b, o, l)[1];
                        if (nth < at) {
                            System.out.println("GOT " + seq);
                            return;
                        }
                        System.out.println("IN " + seq);
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, 60, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void shouldLoseOnlyTheMessageAConsumerKilledInItsHandlerHeldWhileAnotherTakesTheRest() throws Exception {
        // Consumer A takes 0..3 and dies handling 4; consumer B, started then, takes 5..n-1 while
        // A is killed: each exactly once, and 4 (A's message in flight) is not delivered again.
        long n = 2_000;
        try (MpmcQueue queue = MpmcQueue.create(RegionDirectory.of(dir), "q", 8, 128)) {
            try (ChildJvm a = ChildJvm.builder(DieInHandler.class).jvmOptions("-Xmx64m").captureOutput()
                .args(dir.toString(), "5").start()) {
                for (long seq = 0; seq < 5; seq++) {
                    assertTrue(queue.put(1, TestMessages.bytes(0, seq), 30, TimeUnit.SECONDS));
                }
                assertTrue(a.awaitOutput("IN 4", LONG), a.output());
                try (ChildJvm b = ChildJvm.builder(Consumer.class).jvmOptions("-Xmx64m").captureOutput()
                    .args(dir.toString()).start()) {
                    for (long seq = 5; seq < n; seq++) {
                        if (seq == 100) {
                            a.kill();
                        }
                        assertTrue(queue.put(1, TestMessages.bytes(0, seq), 30, TimeUnit.SECONDS), "put " + seq);
                    }
                    assertTrue(a.join(LONG));
                    assertTrue(b.join(LONG));
                    assertEquals(OptionalInt.of(0), b.exitCode(), b.output());
                    for (long seq = 0; seq < 4; seq++) {
                        assertTrue(a.output().contains("GOT " + seq + System.lineSeparator()), a.output());
                    }
                    long sum = 0;
                    for (long seq = 5; seq < n; seq++) {
                        sum += identity(0, seq);
                    }
                    assertTrue(b.output().contains("TOOK " + (n - 5) + " " + sum + " "), "B took exactly 5.." + (n - 1)
                        + ": " + b.output());
                    assertEquals(0, queue.size());
                }
            }
        }
    }

    static long identity(long producer, long seq) {
        long h = (producer * PER_PRODUCER + seq) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    @Test
    void shouldDeliverEveryMessageExactlyOnceToCompetingConsumerJvms() throws Exception {
        try (MpmcQueue queue = MpmcQueue.create(RegionDirectory.of(dir), "q", 1024, 128)) {
            List<ChildJvm> producers = new ArrayList<>();
            List<ChildJvm> consumers = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    consumers.add(ChildJvm.builder(Consumer.class).jvmOptions("-Xmx64m").captureOutput()
                        .args(dir.toString()).start());
                }
                for (int i = 0; i < 2; i++) {
                    producers.add(ChildJvm.builder(Producer.class).jvmOptions("-Xmx64m").captureOutput()
                        .args(dir.toString(), Integer.toString(i)).start());
                }
                for (ChildJvm producer : producers) {
                    assertTrue(producer.join(LONG));
                    assertEquals(OptionalInt.of(0), producer.exitCode(), producer.output());
                }
                long count = 0;
                long sum = 0;
                for (ChildJvm consumer : consumers) {
                    assertTrue(consumer.join(LONG));
                    assertEquals(OptionalInt.of(0), consumer.exitCode(), consumer.output());
                    String[] words = consumer.output().substring(consumer.output().indexOf("TOOK ")).split(" ");
                    long took = Long.parseLong(words[1]);
                    assertTrue(took > 0, "both consumers competed: " + consumer.output());
                    count += took;
                    sum += Long.parseLong(words[2]);
                }
                long expected = 0;
                for (long p = 0; p < 2; p++) {
                    for (long s = 0; s < PER_PRODUCER; s++) {
                        expected += identity(p, s);
                    }
                }
                assertEquals(2 * PER_PRODUCER, count, "nothing lost or duplicated");
                assertEquals(expected, sum, "exactly the messages sent");
                assertEquals(0, queue.size());
            } finally {
                producers.forEach(ChildJvm::close);
                consumers.forEach(ChildJvm::close);
            }
        }
    }
}
