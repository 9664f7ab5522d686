package io.interproc.queue.ring;

import static io.interproc.queue.ring.MpscRingDescriptor.ATTACHING;
import static io.interproc.queue.ring.MpscRingDescriptor.GENERATION_OFFSET;
import static io.interproc.queue.ring.MpscRingDescriptor.LEFT;
import static io.interproc.queue.ring.MpscRingDescriptor.OWNER_OFFSET;
import static io.interproc.queue.ring.MpscRingDescriptor.STATE_MASK;
import static io.interproc.queue.ring.MpscRingDescriptor.VERSION_OFFSET;
import static io.interproc.queue.ring.MpscRingDescriptor.laneName;
import static io.interproc.queue.ring.MpscRingDescriptor.laneOffset;

import io.interproc.core.NoSuchRegionException;
import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.queue.MessageReceiver;
import java.util.concurrent.TimeUnit;

/**
 * The consumer's side of an {@link MpscRing}: the lanes it has opened, whose turn it is, and the
 * retiring of lanes whose producer left or died (drained, then the file removed and the table
 * entry freed). For the one consuming thread.
 */
final class LaneReader {
    /** How often the consumer looks for producers that died (every 1,024 reads, or while it waits). */
    private static final long LIVENESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Region region;
    private final RegionDirectory directory;
    private final MemoryAccess memory;
    private final int maxLanes;
    /** The consumer's view: an open lane per table entry that has one (one thread). */
    private final Lane[] lanes;
    /** Entries with an open lane, in table order; the consumer reads them in turn from {@link #cursor}. */
    private int[] order = new int[0];
    private int cursor;
    /** Messages the lane at {@link #cursor} has given in its current turn. */
    private int inTurn;
    private long seenVersion = -1;
    private long lastLivenessCheck = System.nanoTime();
    private int readsSinceCheck;
    /**
     * Entries whose lane file (of the generation in {@link #corruptGeneration}) was found corrupt: set
     * aside, never read again, so that one bad lane does not stop the others.
     */
    private final boolean[] corrupt;
    private final long[] corruptGeneration;

    LaneReader(Region region, int maxLanes) {
        this.region = region;
        this.directory = region.directory();
        this.memory = region.memory();
        this.maxLanes = maxLanes;
        this.lanes = new Lane[maxLanes];
        this.corrupt = new boolean[maxLanes];
        this.corruptGeneration = new long[maxLanes];
    }

    /** A lane the consumer opened. */
    private static final class Lane {
        final int index;
        final long generation;
        final SpscRing ring;
        /** Its producer left or died: drain it, then remove it. */
        boolean retiring;

        Lane(int index, long generation, SpscRing ring) {
            this.index = index;
            this.generation = generation;
            this.ring = ring;
        }
    }

    /**
     * Hands up to {@code limit} messages to {@code handler}, zero-copy, reading the lanes in turn: a
     * lane's turn lasts until it has no message or has given {@value MpscRing#LANE_BATCH}, across calls. Never
     * blocks.
     *
     * @return the number of messages handled
     */
    int read(MessageReceiver handler, int limit) {
        if (memory.getLongVolatile(VERSION_OFFSET) != seenVersion) {
            refresh();
        }
        int n = 0;
        int visited = 0;
        int[] lanesNow = order;
        while (n < limit && visited < lanesNow.length) {
            if (cursor >= lanesNow.length) {
                cursor = 0;
            }
            Lane lane = lanes[lanesNow[cursor]];
            int want = Math.min(limit - n, MpscRing.LANE_BATCH - inTurn);
            int got;
            try {
                got = lane.ring.read(handler, want);
            } catch (RegionFormatException e) {
                throw setAside(lane.index, lane.generation, e);
            }
            n += got;
            inTurn += got;
            // A lane whose producer left or died gets nothing more: the first empty read has drained
            // it. (Its tail may even lag the head: a producer killed between its record's header
            // and the tail store published the record, which the consumer reads by its header.)
            if (got == 0 && lane.retiring) {
                retire(lane);
                inTurn = 0;
                lanesNow = order;
                continue; // retire rebuilt the order; cursor now points at the next lane
            }
            // A lane keeps its turn across calls until it runs dry or has given LANE_BATCH messages:
            // a consumer reading one message per call then still reads a run from one lane.
            if (got < want || inTurn >= MpscRing.LANE_BATCH) {
                cursor++;
                inTurn = 0;
                visited++;
            }
        }
        if ((++readsSinceCheck & 1023) == 0) { // not per read: a clock read costs more than an empty lane
            maybeCheckProducers();
        }
        return n;
    }

    /** {@return true if a lane has a message or the table changed (a wait's re-check before sleeping)} */
    boolean anyReadable() {
        if (memory.getLongVolatile(VERSION_OFFSET) != seenVersion) {
            return true;
        }
        for (int index : order) {
            SpscRing ring = lanes[index].ring;
            if (ring.producerPosition() > ring.consumerPosition()) {
                return true;
            }
        }
        // A waiting consumer looks for dead producers itself (its reads are too few to do it).
        return maybeCheckProducers();
    }

    /** Opens the lanes the table lists that this consumer has not opened; marks leaving ones to retire. */
    private void refresh() {
        RegionFormatException found = null;
        long version;
        do {
            version = memory.getLongVolatile(VERSION_OFFSET);
            for (int i = 0; i < maxLanes; i++) {
                long owner = memory.getLongVolatile(laneOffset(i) + OWNER_OFFSET);
                long state = owner & STATE_MASK;
                long generation = memory.getLongVolatile(laneOffset(i) + GENERATION_OFFSET);
                Lane lane = lanes[i];
                if (lane != null && (owner == 0 || lane.generation != generation)) {
                    close(lane); // freed or replaced without us: another consumer retired it
                    lane = null;
                }
                if (owner == 0 || state == ATTACHING && ProcessIdentity.isStampAlive(owner & ~STATE_MASK)) {
                    continue;
                }
                if (corrupt[i] && corruptGeneration[i] == generation) {
                    continue;
                }
                if (lane == null) {
                    try {
                        lane = openLane(i, generation, owner);
                    } catch (RegionFormatException e) {
                        RegionFormatException reported = setAside(i, generation, e);
                        found = found == null ? reported : found;
                        continue;
                    }
                    if (lane == null) {
                        continue;
                    }
                }
                if (state == LEFT || state == ATTACHING) {
                    lane.retiring = true; // ATTACHING here: its producer died while creating the lane
                }
            }
        } while (memory.getLongVolatile(VERSION_OFFSET) != version);
        seenVersion = version;
        rebuildOrder();
        if (found != null) {
            throw found;
        }
    }

    /**
     * Sets lane {@code index} aside after its file was found corrupt: this consumer closes it and
     * never reads it again (its file stays, for inspection), and the other lanes go on.
     *
     * @return the exception to report once, naming the ring, the lane and its file
     */
    private RegionFormatException setAside(int index, long generation, RegionFormatException cause) {
        corrupt[index] = true;
        inTurn = 0;
        corruptGeneration[index] = generation;
        Lane lane = lanes[index];
        if (lane != null) {
            close(lane);
        }
        rebuildOrder();
        RegionFormatException e = new RegionFormatException("mpsc ring '" + region.name() + "': lane " + index
            + " (file " + laneName(region.name(), index, generation) + ") is corrupt and is set aside; the other lanes"
            + " go on: " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    /**
     * @return the lane of entry {@code i}; null while its file is not there yet, or after freeing an
     *     entry whose producer died (or left) without a lane file
     * @throws RegionFormatException if the lane file is corrupt (named in the message)
     */
    private Lane openLane(int i, long generation, long owner) {
        String name = laneName(region.name(), i, generation);
        SpscRing ring;
        try {
            ring = SpscRing.open(directory, name);
        } catch (NoSuchRegionException e) {
            if ((owner & STATE_MASK) == LEFT || !ProcessIdentity.isStampAlive(owner & ~STATE_MASK)) {
                if (memory.compareAndSetLong(laneOffset(i) + OWNER_OFFSET, owner, 0)) {
                    memory.getAndAddLong(VERSION_OFFSET, 1);
                }
            }
            return null; // else its producer is creating it: seen at the next version
        }
        Lane lane = new Lane(i, generation, ring);
        lanes[i] = lane;
        return lane;
    }

    private void rebuildOrder() {
        int count = 0;
        for (Lane lane : lanes) {
            if (lane != null) {
                count++;
            }
        }
        int[] next = new int[count];
        int k = 0;
        for (int i = 0; i < lanes.length; i++) {
            if (lanes[i] != null) {
                next[k++] = i;
            }
        }
        order = next;
        if (cursor >= order.length) {
            cursor = 0;
            inTurn = 0;
        }
    }

    /** A drained lane whose producer left or died: remove its file and free its entry. */
    private void retire(Lane lane) {
        long ownerOffset = laneOffset(lane.index) + OWNER_OFFSET;
        long owner = memory.getLongVolatile(ownerOffset);
        close(lane);
        directory.unlink(laneName(region.name(), lane.index, lane.generation));
        if (memory.compareAndSetLong(ownerOffset, owner, 0)) {
            memory.getAndAddLong(VERSION_OFFSET, 1);
        }
        rebuildOrder();
    }

    private void close(Lane lane) {
        lanes[lane.index] = null;
        lane.ring.close();
    }

    /**
     * At most every {@value #LIVENESS_INTERVAL_NANOS} ns: marks the lanes of dead producers to retire.
     *
     * @return true if it found a lane to retire or to open (a read has work to do)
     */
    private boolean maybeCheckProducers() {
        long now = System.nanoTime();
        if (now - lastLivenessCheck < LIVENESS_INTERVAL_NANOS) {
            return false;
        }
        lastLivenessCheck = now;
        region.checkIntact();
        boolean changed = false;
        for (int i = 0; i < maxLanes; i++) {
            long owner = memory.getLongVolatile(laneOffset(i) + OWNER_OFFSET);
            if (owner != 0 && (owner & STATE_MASK) != LEFT && !ProcessIdentity.isStampAlive(owner & ~STATE_MASK)) {
                Lane lane = lanes[i];
                if (lane == null) {
                    changed = true; // refresh opens it (or frees an entry without a lane file)
                } else if (!lane.retiring) {
                    lane.retiring = true;
                    changed = true;
                }
            }
        }
        if (changed) {
            seenVersion = -1;
        }
        return changed;
    }

    /** Closes the lanes this consumer opened (their files stay). */
    void close() {
        for (Lane lane : lanes) {
            if (lane != null) {
                close(lane);
            }
        }
    }
}
