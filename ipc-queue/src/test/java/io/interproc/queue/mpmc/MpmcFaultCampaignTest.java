package io.interproc.queue.mpmc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.FaultCampaign;
import io.interproc.core.JvmTask;
import io.interproc.core.MemoryAccess;
import io.interproc.core.NoLeftoverProcesses;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.ShmTempDir;
import io.interproc.queue.ring.TestMessages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two producer and two consumer JVMs on one queue while each is stopped (SIGSTOP) now and then for
 * longer than a wait slice, with no kill: a peer that is only slow must cost nothing. Producers
 * count what {@code put} acknowledged; consumers check every message (a torn one fails) and set
 * its bit in a shared ledger (a bit already set is a duplicate). At the end every acknowledged
 * message must be there exactly once.
 */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(900)
class MpmcFaultCampaignTest {
    static final RegionType LEDGER = RegionType.of("test-ledger", 1);
    static final int PRODUCERS = 2;
    static final long PER_PRODUCER = 1 << 24;
    static final int STOP = 0;
    static final int ACKED = 8;
    static final int BITS = 64;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** args: dir, index (producers first, then consumers). Runs until the ledger's stop flag, then drains and exits. */
    public static final class Peer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            int index = Integer.parseInt(args[1]);
            try (MpmcQueue queue = MpmcQueue.open(directory, "q"); Region ledger = directory.open("ledger", LEDGER)) {
                MemoryAccess m = ledger.memory();
                System.out.println("READY");
                if (index < PRODUCERS) {
                    for (long seq = 0; seq < PER_PRODUCER && m.getLongVolatile(STOP) == 0; seq++) {
                        if (!queue.put(1, TestMessages.bytes(index, seq), 60, TimeUnit.SECONDS)) {
                            fail("put of " + seq + " timed out");
                        }
                        m.putLongVolatile(ACKED + 8L * index, seq + 1);
                    }
                    while (m.getLongVolatile(STOP) == 0) {
                        Thread.sleep(10); // done producing: wait for the end of the campaign
                    }
                } else {
                    while (true) {
                        boolean got = queue.take((t, b, o, l) -> {
                            long[] message = TestMessages.check(b, o, l);
                            long bit = message[0] * PER_PRODUCER + message[1];
                            long word = BITS + 8 * (bit >>> 6);
                            long mask = 1L << (bit & 63);
                            long old;
                            do {
                                old = m.getLongVolatile(word);
                                if ((old & mask) != 0) {
                                    fail("duplicate: producer " + message[0] + " seq " + message[1]);
                                }
                            } while (!m.compareAndSetLong(word, old, old | mask));
                        }, 100, TimeUnit.MILLISECONDS);
                        if (!got && m.getLongVolatile(STOP) == 2 && queue.size() == 0) {
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

    @Test
    void shouldLoseDuplicateAndTearNothingWhenLivePeersAreStoppedPastEveryTimeout() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        int stops = FaultCampaign.LONG ? 300 : 12;
        try (MpmcQueue queue = MpmcQueue.create(directory, "q", 64, 128);
             Region ledger = directory.create("ledger", new RegionSpec(LEDGER, BITS + PRODUCERS * PER_PRODUCER / 8), r -> { });
             FaultCampaign campaign = new FaultCampaign(i -> ChildJvm.builder(Peer.class)
                 .jvmOptions("-Xmx64m").args(dir.toString(), Integer.toString(i)), 2 * PRODUCERS, "READY")) {
            String done = campaign.stops(stops, Duration.ofMillis(1500)).maxDelayMillis(200).run(() -> { });
            MemoryAccess m = ledger.memory();
            m.putLongVolatile(STOP, 1); // producers finish their put and stop
            assertTrue(io.interproc.core.Poll.until(() -> queue.size() == 0, Duration.ofSeconds(120)), "drained");
            m.putLongVolatile(STOP, 2); // consumers leave once the queue is empty
            campaign.awaitExit(Duration.ofSeconds(120));
            long delivered = 0;
            for (int p = 0; p < PRODUCERS; p++) {
                long acked = m.getLongVolatile(ACKED + 8L * p);
                assertTrue(acked > 0, "producer " + p + " made progress");
                for (long seq = 0; seq < PER_PRODUCER; seq++) {
                    long bit = p * PER_PRODUCER + seq;
                    boolean seen = (m.getLongVolatile(BITS + 8 * (bit >>> 6)) & (1L << (bit & 63))) != 0;
                    if (seq < acked) {
                        assertTrue(seen, "producer " + p + " seq " + seq + " acknowledged and lost (" + done + ")");
                        delivered++;
                    } else {
                        assertTrue(!seen || seq == acked, "producer " + p + " seq " + seq + " delivered, never offered");
                    }
                }
            }
            assertEquals(0, queue.abandonedEnqueues() + queue.abandonedDequeues(), "nobody died: nothing was taken over");
            System.out.println("mpmc stop campaign: " + done + ", " + delivered + " acknowledged messages delivered once");
        }
    }
}
