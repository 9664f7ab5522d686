package io.interproc.queue.mpmc;

import static io.interproc.core.testing.DeliveryLedger.violation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.RegionDirectory;
import io.interproc.core.testing.DeliveryLedger;
import io.interproc.core.testing.FaultCampaign;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
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
 * count what {@code put} acknowledged; consumers check every message (a torn one fails) and mark
 * it in a {@link DeliveryLedger} (marked twice is a duplicate). At the end every acknowledged
 * message must be there exactly once, and nothing was taken over.
 */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(900)
class MpmcFaultCampaignTest {
    static final int PRODUCERS = 2;
    static final long PER_PRODUCER = 1 << 24;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** args: dir, index (producers first, then consumers). Runs until the ledger says stop, then drains and exits. */
    public static final class Peer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            Path root = Path.of(args[0]);
            int index = Integer.parseInt(args[1]);
            try (MpmcQueue queue = MpmcQueue.open(RegionDirectory.of(root), "q");
                 DeliveryLedger ledger = DeliveryLedger.open(root, "ledger", PER_PRODUCER)) {
                System.out.println("READY");
                if (index < PRODUCERS) {
                    for (long seq = 0; seq < PER_PRODUCER && ledger.phase() == DeliveryLedger.RUNNING; seq++) {
                        if (!queue.put(1, TestMessages.bytes(index, seq), 60, TimeUnit.SECONDS)) {
                            violation("put of " + seq + " timed out");
                        }
                        ledger.acknowledged(index, seq);
                    }
                    while (ledger.phase() == DeliveryLedger.RUNNING) {
                        Thread.sleep(10); // done producing: wait for the end of the campaign
                    }
                } else {
                    while (queue.take((t, b, o, l) -> {
                        long[] message = TestMessages.check(b, o, l);
                        if (!ledger.received((int) message[0], message[1])) {
                            violation("duplicate: producer " + message[0] + " seq " + message[1]);
                        }
                    }, 100, TimeUnit.MILLISECONDS) || ledger.phase() != DeliveryLedger.LEAVE || queue.size() > 0) {
                        // take until told to leave and the queue is empty
                    }
                }
            } catch (AssertionError e) {
                violation(e.getMessage());
            }
        }
    }

    @Test
    void shouldLoseDuplicateAndTearNothingWhenLivePeersAreStoppedPastEveryTimeout() throws Exception {
        int stops = FaultCampaign.LONG ? 300 : 12;
        try (MpmcQueue queue = MpmcQueue.create(RegionDirectory.of(dir), "q", 64, 128);
             DeliveryLedger ledger = DeliveryLedger.create(dir, "ledger", PRODUCERS, PER_PRODUCER);
             FaultCampaign campaign = new FaultCampaign(i -> ChildJvm.builder(Peer.class)
                 .jvmOptions("-Xmx64m").args(dir.toString(), Integer.toString(i)), 2 * PRODUCERS, "READY")) {
            String done = campaign.stops(stops, Duration.ofMillis(1500)).maxDelayMillis(200).run(() -> { });
            ledger.phase(DeliveryLedger.STOP_PRODUCING);
            assertTrue(Poll.until(() -> queue.size() == 0, Duration.ofSeconds(120)), "drained");
            ledger.phase(DeliveryLedger.LEAVE);
            campaign.awaitExit(Duration.ofSeconds(120));
            long delivered = ledger.checkNothingLost(PRODUCERS, done);
            for (int p = 0; p < PRODUCERS; p++) {
                long acked = ledger.acknowledged(p);
                assertTrue(acked == PER_PRODUCER || !ledger.wasReceived(p, acked + 1), "delivered, never offered");
            }
            assertEquals(0, queue.abandonedEnqueues() + queue.abandonedDequeues(), "nobody died: nothing was taken over");
            System.out.println("mpmc stop campaign: " + done + ", " + delivered + " acknowledged messages delivered once");
        }
    }
}
