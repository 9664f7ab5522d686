package io.interproc.queue.ring;

import static io.interproc.core.testing.DeliveryLedger.violation;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.RegionDirectory;
import io.interproc.core.testing.DeliveryLedger;
import io.interproc.core.testing.FaultCampaign;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import io.interproc.queue.MessageSink;
import io.interproc.queue.MessageSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Producer and consumer JVMs on an SPSC ring (one producer) and an MPSC ring of lanes (two), each
 * stopped (SIGSTOP) now and then for longer than every wait slice, with no kill: a live peer that
 * is only slow must cost nothing. Producers count what {@code put}
 * acknowledged; the consumer checks every message and its producer's order (a torn or reordered
 * one fails) and marks it in a {@link DeliveryLedger}; at the end every acknowledged message is
 * there exactly once.
 */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(900)
class RingFaultCampaignTest {
    static final long PER_PRODUCER = 1 << 24;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** @return whether the ring named "ring" (an SPSC ring for one producer, else lanes) holds no message */
    static boolean drained(RegionDirectory directory, int producers) {
        if (producers == 1) {
            try (SpscRing ring = SpscRing.open(directory, "ring")) {
                return ring.isEmpty();
            }
        }
        try (MpscRing ring = MpscRing.open(directory, "ring")) {
            return ring.lanes().stream().allMatch(lane -> lane.backlog() <= 0);
        }
    }

    /** args: dir, index, producers. Index 0 consumes, the others produce. */
    public static final class Peer implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            Path root = Path.of(args[0]);
            int index = Integer.parseInt(args[1]);
            int producers = Integer.parseInt(args[2]);
            RegionDirectory directory = RegionDirectory.of(root);
            MpscRing lanes = producers == 1 ? null : MpscRing.open(directory, "ring");
            try (AutoCloseable table = lanes == null || index == 0 ? null : lanes;
                 MessageSink sink = index == 0 ? null : lanes == null ? SpscRing.open(directory, "ring") : lanes.attach();
                 MessageSource ring = index != 0 ? null : lanes == null ? SpscRing.open(directory, "ring") : lanes;
                 DeliveryLedger ledger = DeliveryLedger.open(root, "ledger", PER_PRODUCER)) {
                System.out.println("READY");
                if (index > 0) {
                    int id = index - 1;
                    for (long seq = 0; seq < PER_PRODUCER && ledger.phase() == DeliveryLedger.RUNNING; seq++) {
                        if (!sink.put(1, TestMessages.bytes(id, seq), 60, TimeUnit.SECONDS)) {
                            violation("put of " + seq + " timed out");
                        }
                        ledger.acknowledged(id, seq);
                    }
                    while (ledger.phase() == DeliveryLedger.RUNNING) {
                        Thread.sleep(10); // done producing: wait for the end of the campaign
                    }
                } else {
                    long[] next = new long[producers];
                    while (ring.take((t, b, o, l) -> {
                        long[] message = TestMessages.check(b, o, l);
                        int id = (int) message[0];
                        if (message[1] != next[id]) {
                            violation("producer " + id + ": got " + message[1] + ", expected " + next[id]);
                        }
                        next[id]++;
                        ledger.received(id, message[1]);
                    }, 100, TimeUnit.MILLISECONDS) || ledger.phase() != DeliveryLedger.LEAVE || !drained(directory, producers)) {
                        // take until told to leave and the ring is empty
                    }
                }
            } catch (AssertionError e) {
                violation(e.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "producers={0}")
    @ValueSource(ints = {1, 2})
    void shouldLoseDuplicateAndTearNothingWhenLivePeersAreStopped(int producers) throws Exception {
        int stops = FaultCampaign.LONG ? 150 : 8;
        RegionDirectory directory = RegionDirectory.of(dir);
        RingOptions options = RingOptions.of(1 << 16, 128).withMaxLanes(4);
        try (AutoCloseable ring = producers == 1 ? SpscRing.create(directory, "ring", options)
                : MpscRing.create(directory, "ring", options);
             DeliveryLedger ledger = DeliveryLedger.create(dir, "ledger", producers, PER_PRODUCER);
             FaultCampaign campaign = new FaultCampaign(i -> ChildJvm.builder(Peer.class).jvmOptions("-Xmx64m")
                 .args(dir.toString(), Integer.toString(i), Integer.toString(producers)), producers + 1, "READY")) {
            String done = campaign.stops(stops, Duration.ofMillis(1500)).maxDelayMillis(200).run(() -> { });
            ledger.phase(DeliveryLedger.STOP_PRODUCING);
            assertTrue(Poll.until(() -> drained(directory, producers), Duration.ofSeconds(120)), "drained");
            ledger.phase(DeliveryLedger.LEAVE);
            campaign.awaitExit(Duration.ofSeconds(120));
            long delivered = ledger.checkNothingLost(producers, done);
            System.out.println((producers == 1 ? "spsc" : "mpsc lanes") + " ring stop campaign: " + done + ", " + delivered
                + " acknowledged messages delivered once, in order");
        }
    }
}
