package io.interproc.core.testing;

import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.internal.memory.MemoryAccess;
import java.nio.file.Path;

/**
 * A ledger in a region of its own that survives the kill of whoever writes it: how many messages
 * each producer had acknowledged (a put that returned), one bit per message a consumer received
 * (a bit set twice is a duplicate), and a phase word by which the test tells its children to stop
 * producing ({@link #STOP_PRODUCING}) and to leave once drained ({@link #LEAVE}). Shared by the
 * queue and ring fault campaigns.
 */
public final class DeliveryLedger implements AutoCloseable {
    public static final RegionType TYPE = RegionType.of("test-ledger", 1);
    public static final long RUNNING = 0;
    public static final long STOP_PRODUCING = 1;
    public static final long LEAVE = 2;
    private static final int PHASE = 0;
    private static final int ACKED = 8;
    private static final int MAX_PRODUCERS = 7;
    private static final int BITS = 64;

    private final Region region;
    private final MemoryAccess memory;
    private final long perProducer;

    private DeliveryLedger(Region region, long perProducer) {
        this.region = region;
        this.memory = region.memory();
        this.perProducer = perProducer;
    }

    /** Creates the ledger {@code name} for {@code producers} producers of up to {@code perProducer} messages each. */
    public static DeliveryLedger create(Path dir, String name, int producers, long perProducer) {
        if (producers > MAX_PRODUCERS) {
            throw new IllegalArgumentException("at most " + MAX_PRODUCERS + " producers");
        }
        return new DeliveryLedger(RegionDirectory.of(dir).create(name,
            new RegionSpec(TYPE, BITS + producers * perProducer / 8 + 8), r -> { }), perProducer);
    }

    /** Opens the ledger in a child. */
    public static DeliveryLedger open(Path dir, String name, long perProducer) {
        return new DeliveryLedger(RegionDirectory.of(dir).open(name, TYPE), perProducer);
    }

    /** @return how many messages each producer may send */
    public long perProducer() {
        return perProducer;
    }

    public long phase() {
        return memory.getLongVolatile(PHASE);
    }

    public void phase(long phase) {
        memory.putLongVolatile(PHASE, phase);
    }

    /** Records that {@code producer}'s put of message {@code seq} returned. */
    public void acknowledged(int producer, long seq) {
        memory.putLongVolatile(ACKED + 8L * producer, seq + 1);
    }

    /** @return how many of {@code producer}'s messages were acknowledged */
    public long acknowledged(int producer) {
        return memory.getLongVolatile(ACKED + 8L * producer);
    }

    /**
     * Records that message {@code seq} of {@code producer} was received.
     *
     * @return false if it had been received before (a duplicate)
     */
    public boolean received(int producer, long seq) {
        long bit = producer * perProducer + seq;
        long word = BITS + 8 * (bit >>> 6);
        long mask = 1L << (bit & 63);
        long old;
        do {
            old = memory.getLongVolatile(word);
            if ((old & mask) != 0) {
                return false;
            }
        } while (!memory.compareAndSetLong(word, old, old | mask));
        return true;
    }

    /** @return true if message {@code seq} of {@code producer} was received */
    public boolean wasReceived(int producer, long seq) {
        long bit = producer * perProducer + seq;
        return (memory.getLongVolatile(BITS + 8 * (bit >>> 6)) & (1L << (bit & 63))) != 0;
    }

    /**
     * Checks that every acknowledged message of every producer was received.
     *
     * @return the number of acknowledged messages
     * @throws AssertionError naming the first lost one, or a producer that acknowledged nothing
     */
    public long checkNothingLost(int producers, String context) {
        long total = 0;
        for (int p = 0; p < producers; p++) {
            long acked = acknowledged(p);
            if (acked == 0) {
                throw new AssertionError("producer " + p + " made no progress (" + context + ")");
            }
            for (long seq = 0; seq < acked; seq++) {
                if (!wasReceived(p, seq)) {
                    throw new AssertionError("producer " + p + " seq " + seq + " acknowledged and lost (" + context + ")");
                }
            }
            total += acked;
        }
        return total;
    }

    /** Ends a child that found the promise broken: prints the violation (the campaign shows it) and halts. */
    public static void violation(String message) {
        System.out.println("VIOLATION: " + message);
        System.out.flush();
        Runtime.getRuntime().halt(3);
    }

    @Override
    public void close() {
        region.close();
    }
}
