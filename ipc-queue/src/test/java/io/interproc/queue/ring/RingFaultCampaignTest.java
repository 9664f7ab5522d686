package io.interproc.queue.ring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.FaultCampaign;
import io.interproc.core.JvmTask;
import io.interproc.core.MemoryAccess;
import io.interproc.core.NoLeftoverProcesses;
import io.interproc.core.Poll;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.ShmTempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer and consumer JVMs on an SPSC ring (one producer) and an MPSC ring (two), each stopped
 * (SIGSTOP) now and then for longer than every wait slice and the MPSC unblock timeout, with no
 * kill: a live peer that is only slow must cost nothing. Producers count what {@code put}
 * acknowledged, the consumer checks every message and its producer's order (a torn or reordered one
 * fails) and sets its bit in a ledger (a bit already set is a duplicate); at the end every
 * acknowledged message is there exactly once.
 */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(900)
class RingFaultCampaignTest {
    static final RegionType LEDGER = RegionType.of("test-ledger", 1);
    static final long PER_PRODUCER = 1 << 24;
    static final int STOP = 0;
    static final int ACKED = 8;
    static final int BITS = 64;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** args: dir, index, producers. Index 0 consumes, the others produce. */
    public static final class Peer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            int index = Integer.parseInt(args[1]);
            int producers = Integer.parseInt(args[2]);
            try (RingBuffer ring = RingBuffer.open(directory, "ring"); Region ledger = directory.open("ledger", LEDGER)) {
                MemoryAccess m = ledger.memory();
                System.out.println("READY");
                if (index > 0) {
                    int id = index - 1;
                    for (long seq = 0; seq < PER_PRODUCER && m.getLongVolatile(STOP) == 0; seq++) {
                        if (!ring.put(1, TestMessages.bytes(id, seq), 60, TimeUnit.SECONDS)) {
                            fail("put of " + seq + " timed out");
                        }
                        m.putLongVolatile(ACKED + 8L * id, seq + 1);
                    }
                    while (m.getLongVolatile(STOP) == 0) {
                        Thread.sleep(10); // done producing: wait for the end of the campaign
                    }
                } else {
                    long[] next = new long[producers];
                    while (true) {
                        boolean got = ring.take((t, b, o, l) -> {
                            long[] message = TestMessages.check(b, o, l);
                            int id = (int) message[0];
                            if (message[1] != next[id]) {
                                fail("producer " + id + ": got " + message[1] + ", expected " + next[id]);
                            }
                            next[id]++;
                            long bit = id * PER_PRODUCER + message[1];
                            long word = BITS + 8 * (bit >>> 6);
                            m.putLongVolatile(word, m.getLongVolatile(word) | (1L << (bit & 63)));
                        }, 100, TimeUnit.MILLISECONDS);
                        if (!got && m.getLongVolatile(STOP) == 2 && ring.isEmpty()) {
                            break;
                        }
                    }
                }
            } catch (AssertionError e) {
                fail(e.getMessage());
            }
        }

        private static void fail(String message) {
            System.out.println("VIOLATION: " + message);
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldLoseDuplicateAndTearNothingWhenLivePeersAreStopped(int producers) throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        int stops = FaultCampaign.LONG ? 150 : 8;
        try (RingBuffer ring = producers == 1 ? RingBuffer.create(directory, "ring", 1 << 16, 128, false)
                : RingBuffer.createMultiProducer(directory, "ring", 1 << 16, 128, 4);
             Region ledger = directory.create("ledger", new RegionSpec(LEDGER, BITS + producers * PER_PRODUCER / 8), r -> { });
             FaultCampaign campaign = new FaultCampaign(i -> ChildJvm.builder(Peer.class).jvmOptions("-Xmx64m")
                 .args(dir.toString(), Integer.toString(i), Integer.toString(producers)), producers + 1, "READY")) {
            String done = campaign.stops(stops, Duration.ofMillis(1500)).maxDelayMillis(200).run(() -> { });
            MemoryAccess m = ledger.memory();
            m.putLongVolatile(STOP, 1);
            assertTrue(Poll.until(ring::isEmpty, Duration.ofSeconds(120)), "drained");
            m.putLongVolatile(STOP, 2);
            campaign.awaitExit(Duration.ofSeconds(120));
            long delivered = 0;
            for (int p = 0; p < producers; p++) {
                long acked = m.getLongVolatile(ACKED + 8L * p);
                assertTrue(acked > 0, "producer " + p + " made progress");
                for (long seq = 0; seq < acked; seq++) {
                    long bit = p * PER_PRODUCER + seq;
                    assertTrue((m.getLongVolatile(BITS + 8 * (bit >>> 6)) & (1L << (bit & 63))) != 0,
                        "producer " + p + " seq " + seq + " acknowledged and lost (" + done + ")");
                }
                delivered += acked;
            }
            System.out.println((producers == 1 ? "spsc" : "mpsc") + " ring stop campaign: " + done + ", " + delivered
                + " acknowledged messages delivered once, in order");
        }
    }
}
