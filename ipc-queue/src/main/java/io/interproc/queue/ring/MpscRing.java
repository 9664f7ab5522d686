package io.interproc.queue.ring;

import static io.interproc.queue.ring.MpscRingDescriptor.ACTIVE;
import static io.interproc.queue.ring.MpscRingDescriptor.ATTACHING;
import static io.interproc.queue.ring.MpscRingDescriptor.CONSUMER_WAIT_OFFSET;
import static io.interproc.queue.ring.MpscRingDescriptor.GENERATION_OFFSET;
import static io.interproc.queue.ring.MpscRingDescriptor.LEFT;
import static io.interproc.queue.ring.MpscRingDescriptor.MAX_LANES;
import static io.interproc.queue.ring.MpscRingDescriptor.NEXT_GENERATION_OFFSET;
import static io.interproc.queue.ring.MpscRingDescriptor.OWNER_OFFSET;
import static io.interproc.queue.ring.MpscRingDescriptor.STATE_MASK;
import static io.interproc.queue.ring.MpscRingDescriptor.TYPE;
import static io.interproc.queue.ring.MpscRingDescriptor.VERSION_OFFSET;
import static io.interproc.queue.ring.MpscRingDescriptor.laneName;
import static io.interproc.queue.ring.MpscRingDescriptor.laneOffset;

import io.interproc.core.LivenessCheck;
import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionException;
import io.interproc.core.RegionExistsException;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import io.interproc.queue.MessageReceiver;
import io.interproc.queue.MessageSink;
import io.interproc.queue.MessageSource;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Many producers, one consumer, as one SPSC lane per producer: a named lane table
 * ({@link MpscRingDescriptor}) and, for each attached producer, an SPSC {@link SpscRing} in a
 * region file of its own. A producer (a thread of any process) {@link #attach() attaches} and gets a
 * {@link Producer} with a lane nobody else writes; the consumer reads the lanes in turn, at most
 * {@value #LANE_BATCH} messages from one lane before the next lane's turn, so no lane starves
 * another.
 *
 * <p><b>Order.</b> Messages of one producer arrive in the order it committed them; there is no order
 * across producers. A user who needs one total order over several writers wants a journal (one
 * shared sequence), not this ring.
 *
 * <p><b>Isolation.</b> A producer's claim, commit and full lane are its own: a producer that stalls
 * (a GC pause, a stopped process) or dies between claim and commit delays no other producer's
 * messages, and needs no timeout to be got past. A dead producer's lane is drained (what it
 * committed is delivered; what it had only claimed never is) and then removed, and its entry in the
 * table serves the next producer to attach. A producer that {@link Producer#close() closes} its lane
 * has left: the consumer drains and removes it the same way.
 *
 * <p><b>Memory.</b> The table holds {@code maxLanes} entries of 64 bytes; lane files (each
 * {@code laneCapacity} bytes plus a 1 KiB control block) exist only for attached producers and for
 * lanes not yet drained. A producer beyond {@code maxLanes} gets an {@link IllegalStateException}
 * naming the limit.
 *
 * <p><b>Waiting.</b> {@link #take} sleeps on one futex word in the table that every lane's commit
 * wakes (the committing producer pays a system call only while the consumer sleeps); a producer's
 * {@link Producer#put} sleeps on its own lane until the consumer frees space there.
 *
 * <p><b>Threads.</b> Consuming methods ({@link #read}, {@link #poll}, {@link #take}) are for one
 * thread of one process at a time. A {@link Producer} is for one thread; {@link #attach()} is
 * thread-safe. A consumer that dies loses at most the messages its last read had handed to its
 * handler (as an SPSC ring's consumer: at most once); the next consumer continues after them.
 */
public final class MpscRing implements MessageSource {
    /** Messages read from one lane before the next lane gets its turn. */
    public static final int LANE_BATCH = 64;

    private final Region region;
    private final RegionDirectory directory;
    private final String what;
    private final MemoryAccess memory;
    private final WaitWord consumerWord;
    private final int laneCapacity;
    private final int maxMessageLength;
    private final int maxLanes;
    private WaitStrategy waitStrategy = WaitStrategy.blocking();
    private final List<Producer> producers = new ArrayList<>();
    /** The consumer's side: the lanes it opened and whose turn it is (one thread). */
    private final LaneReader reader;

    private MpscRing(Region region) {
        this.region = region;
        this.directory = region.directory();
        this.what = "mpsc ring '" + region.name() + "'";
        this.memory = region.memory();
        long capacity = region.parameter(0);
        long max = region.parameter(1);
        long lanesMax = region.parameter(2);
        if (lanesMax < 1 || lanesMax > MAX_LANES) {
            throw new RegionFormatException(what + " has a corrupt max lanes " + lanesMax + " (1 to " + MAX_LANES + ")");
        }
        RingDescriptor.checkStored(what + "'s lanes", capacity, max);
        if (region.body().byteSize() != MpscRingDescriptor.bodyLength((int) lanesMax)) {
            throw new RegionFormatException(what + " has a " + region.body().byteSize() + "-byte body; " + lanesMax
                + " lanes need " + MpscRingDescriptor.bodyLength((int) lanesMax));
        }
        this.laneCapacity = (int) capacity;
        this.maxMessageLength = (int) max;
        this.maxLanes = (int) lanesMax;
        this.consumerWord = region.waitWord(CONSUMER_WAIT_OFFSET);
        this.reader = new LaneReader(region, maxLanes);
    }

    /**
     * Creates a ring: {@code options.capacity()} is each lane's capacity, {@code options.maxLanes()}
     * the most producers attached at once; the handle gets {@code options.waitStrategy()}.
     *
     * @param directory where the ring's table and lane files go
     * @param name      the ring's name in {@code directory}
     * @param options   lane capacity, max message length, max lanes and this handle's wait strategy
     * @return a handle on the new ring
     * @throws IllegalArgumentException if the name leaves no room for the lane files' names
     * @throws RegionExistsException    if {@code name} exists
     */
    public static MpscRing create(RegionDirectory directory, String name, RingOptions options) {
        return directory.create(name, spec(name, options), r -> { }).as(MpscRing::new)
            .waitStrategy(options.waitStrategy());
    }

    /**
     * Opens an existing ring (as its consumer, a producer, or both).
     *
     * @param directory where the ring's table is
     * @param name      the ring's name in {@code directory}
     * @return a handle on the ring
     */
    public static MpscRing open(RegionDirectory directory, String name) {
        return directory.open(name, TYPE).as(MpscRing::new);
    }

    /**
     * Opens the ring {@code name}, creating it with these options if it does not exist.
     *
     * @param directory where the ring's table is or goes
     * @param name      the ring's name in {@code directory}
     * @param options   lane capacity, max message length, max lanes and this handle's wait strategy
     * @return a handle on the ring
     */
    public static MpscRing openOrCreate(RegionDirectory directory, String name, RingOptions options) {
        return directory.openOrCreate(name, spec(name, options), r -> { }).as(MpscRing::new)
            .waitStrategy(options.waitStrategy());
    }

    private static RegionSpec spec(String name, RingOptions options) {
        int maxLanes = options.maxLanes();
        RegionDirectory.checkName(name);
        String longest = laneName(name, maxLanes - 1, Long.MAX_VALUE);
        if (longest.length() > RegionDirectory.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("mpsc ring name '" + name + "' leaves no room for its lane files' names (at "
                + "most " + (RegionDirectory.MAX_NAME_LENGTH - (longest.length() - name.length())) + " characters)");
        }
        return new RegionSpec(TYPE, MpscRingDescriptor.bodyLength(maxLanes), options.capacity(), options.maxMessageLength(),
            maxLanes);
    }

    /**
     * Removes the ring {@code name} and its lane files. Handles still open keep their mappings.
     *
     * @param directory where the ring is
     * @param name      the ring's name in {@code directory}
     * @return true if the table existed
     */
    public static boolean remove(RegionDirectory directory, String name) {
        String prefix = name + ".lane";
        for (String file : directory.list()) {
            if (file.startsWith(prefix) && file.substring(prefix.length()).matches("[0-9]+\\.[0-9]+")) {
                directory.unlink(file);
            }
        }
        return directory.unlink(name);
    }

    /**
     * Sets how blocking calls of this handle (and of producers attached after this) wait.
     *
     * @param strategy how to wait
     * @return this handle
     */
    @Override
    public MpscRing waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = java.util.Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    // ---------------------------------------------------------------- producers

    /**
     * Attaches a producer: takes a free entry of the lane table and creates its lane file.
     *
     * @return the producer, for the calling thread
     * @throws IllegalStateException if all {@code maxLanes} lanes are attached or not yet drained
     */
    public Producer attach() {
        if (region.isClosed()) {
            throw new IllegalStateException(what + " is closed");
        }
        long stamp = ProcessIdentity.current().stamp();
        for (int i = 0; i < maxLanes; i++) {
            long owner = laneOffset(i) + OWNER_OFFSET;
            if (memory.getLongVolatile(owner) != 0 || !memory.compareAndSetLong(owner, 0, stamp | ATTACHING)) {
                continue;
            }
            long generation = memory.getAndAddLong(NEXT_GENERATION_OFFSET, 1);
            memory.putLongVolatile(laneOffset(i) + GENERATION_OFFSET, generation);
            SpscRing ring;
            try {
                ring = createLane(laneName(region.name(), i, generation));
            } catch (RuntimeException | Error e) {
                memory.putLongVolatile(owner, 0);
                bumpVersion();
                throw e;
            }
            memory.putLongVolatile(owner, stamp | ACTIVE);
            bumpVersion();
            Producer producer = new Producer(i, generation, ring, stamp);
            synchronized (producers) {
                producers.add(producer);
            }
            return producer;
        }
        throw new IllegalStateException(what + " has all " + maxLanes + " lanes taken (max lanes " + maxLanes
            + "); a lane comes free once its producer has closed it or died and the consumer has drained it");
    }

    private SpscRing createLane(String name) {
        try {
            return SpscRing.create(directory, name, laneOptions());
        } catch (RegionExistsException e) {
            // A file of this name can only be left from a table of the same name that was removed
            // while a producer attached: nobody uses it, and generations are never reused.
            directory.unlink(name);
            return SpscRing.create(directory, name, laneOptions());
        }
    }

    private RingOptions laneOptions() {
        return RingOptions.of(laneCapacity, maxMessageLength).withWaitStrategy(waitStrategy);
    }

    private void bumpVersion() {
        memory.getAndAddLong(VERSION_OFFSET, 1);
        consumerWord.wakeAllAfterVolatileWrite();
    }

    /**
     * One producer's lane: the SPSC producer side of {@link SpscRing} ({@code tryClaim}/{@code
     * commit}, {@code offer}, {@code put}), each publication also waking the ring's consumer. For one
     * thread. Close it when done: the consumer then drains the lane and removes it. A producer whose
     * process exits or dies without closing is treated the same way once the consumer notices
     * (within about 100 ms). A producer that is neither closed nor in a dead process keeps its
     * lane: a thread that ends without closing its producer holds a lane until its process exits.
     */
    public final class Producer implements MessageSink {
        private final int index;
        private final long generation;
        private final SpscRing lane;
        private final long stamp;
        private boolean closed;

        private Producer(int index, long generation, SpscRing lane, long stamp) {
            this.index = index;
            this.generation = generation;
            this.lane = lane;
            this.stamp = stamp;
        }

        @Override
        public long tryClaim(int type, int length) {
            checkOpen();
            return lane.tryClaim(type, length);
        }

        @Override
        public long claim(int type, int length, long timeout, TimeUnit unit) throws InterruptedException {
            checkOpen();
            return lane.claim(type, length, timeout, unit);
        }

        /** {@return the lane's buffer, where {@link #tryClaim} offsets point} */
        @Override
        public MemorySegment buffer() {
            return lane.buffer();
        }

        /** Commits the pending claim and wakes the consumer if it sleeps. */
        @Override
        public void commit(long offset) {
            checkOpen();
            lane.commit(offset);
            consumerWord.wakeAllAfterRelease();
        }

        @Override
        public void abort(long offset) {
            checkOpen();
            lane.abort(offset);
        }

        /** Copies a message in; false when the lane is full. Never blocks. */
        @Override
        public boolean offer(int type, MemorySegment source, long offset, int length) {
            checkOpen();
            if (!lane.offer(type, source, offset, length)) {
                return false;
            }
            consumerWord.wakeAllAfterRelease();
            return true;
        }

        /**
         * Copies a message in, waiting while the lane is full.
         *
         * @return true once offered, false if {@code timeout} passed first
         * @throws InterruptedException if interrupted while waiting
         * @throws io.interproc.core.PeerDiedException if the lane's consumer died while this waited
         */
        @Override
        public boolean put(int type, MemorySegment message, long timeout, TimeUnit unit) throws InterruptedException {
            checkOpen();
            if (!lane.put(type, message, timeout, unit)) {
                return false;
            }
            consumerWord.wakeAllAfterRelease();
            return true;
        }

        @Override
        public int maxMessageLength() {
            return maxMessageLength;
        }

        /** Sets how this producer's blocking calls wait; returns this. */
        @Override
        public Producer waitStrategy(WaitStrategy strategy) {
            lane.waitStrategy(strategy);
            return this;
        }

        /** {@return this producer's lane (its entry in the table)} */
        public int lane() {
            return index;
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException(what + ": the producer of lane " + index + " is closed");
            }
        }

        /** Leaves the ring: the consumer delivers what is in the lane, then removes it. Idempotent. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (producers) {
                producers.remove(this);
            }
            if (!region.isClosed()) {
                long owner = laneOffset(index) + OWNER_OFFSET;
                if (memory.compareAndSetLong(owner, stamp | ACTIVE, stamp | LEFT)) {
                    bumpVersion();
                }
            }
            lane.close();
        }

        @Override
        public String toString() {
            return what + " lane " + index + " (generation " + generation + ")";
        }
    }

    // ---------------------------------------------------------------- consumer

    /**
     * Hands up to {@code limit} messages to {@code handler}, zero-copy, reading the lanes in turn: a
     * lane's turn lasts until it has no message or has given {@value #LANE_BATCH}, across calls. Never
     * blocks.
     *
     * @return the number of messages handled
     */
    @Override
    public int read(MessageReceiver handler, int limit) {
        if (region.isClosed()) {
            throw new IllegalStateException(what + " is closed");
        }
        return reader.read(handler, limit);
    }

    /**
     * Waits for one message and hands it to {@code handler}.
     *
     * @return true once a message was handled, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    @Override
    public boolean take(MessageReceiver handler, long timeout, TimeUnit unit) throws InterruptedException {
        return take(handler, timeout, unit, LivenessCheck.NONE);
    }

    /**
     * {@link #take(MessageReceiver, long, TimeUnit)}, also calling {@code liveness} between waits.
     *
     * @param handler  gets the message, zero-copy, on this thread
     * @param timeout  longest wait
     * @param unit     unit of {@code timeout}
     * @param liveness the caller's own check, run between waits; what it throws ends the wait
     * @return true once a message was handed, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean take(MessageReceiver handler, long timeout, TimeUnit unit, LivenessCheck liveness)
        throws InterruptedException {
        return Waiter.of(waitStrategy).retry(consumerWord, () -> read(handler, 1) > 0, reader::anyReadable, unit.toNanos(timeout),
            liveness);
    }

    // ---------------------------------------------------------------- introspection

    /** {@return data bytes of each lane} */
    public int laneCapacity() {
        return laneCapacity;
    }

    /** {@return the largest message} */
    @Override
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** {@return the most lanes at once} */
    public int maxLanes() {
        return maxLanes;
    }

    /**
     * One entry of the lane table, as {@link #lanes()} reports it.
     *
     * @param index       the entry's index in the table
     * @param generation  the lane's generation: its file is {@code NAME.laneINDEX.GENERATION}
     * @param producerPid the pid of the producer that attached it
     * @param state       {@code attaching}, {@code active}, {@code left}, or {@code dead}
     * @param backlog     bytes committed and not yet read, -1 if the lane file cannot be read
     */
    public record LaneInfo(int index, long generation, long producerPid, String state, long backlog) {
    }

    /**
     * {@return the table's taken entries: producer's pid, state ({@code attaching}, {@code
     *    active}, {@code left}, or {@code dead} for a producer whose process is gone) and backlog
     *    in bytes (-1 where the lane file cannot be read)}
     */
    public List<LaneInfo> lanes() {
        List<LaneInfo> info = new ArrayList<>();
        for (int i = 0; i < maxLanes; i++) {
            long owner = memory.getLongVolatile(laneOffset(i) + OWNER_OFFSET);
            if (owner == 0) {
                continue;
            }
            long generation = memory.getLongVolatile(laneOffset(i) + GENERATION_OFFSET);
            long stamp = owner & ~STATE_MASK;
            long state = owner & STATE_MASK;
            String name = !ProcessIdentity.isStampAlive(stamp) && state != LEFT ? "dead"
                : state == ACTIVE ? "active" : state == LEFT ? "left" : "attaching";
            long backlog = -1;
            try (SpscRing ring = SpscRing.open(directory, laneName(region.name(), i, generation))) {
                backlog = ring.size();
            } catch (RegionException e) {
                // not created yet, or removed meanwhile
            }
            info.add(new LaneInfo(i, generation, ProcessIdentity.pidOfStamp(stamp), name, backlog));
        }
        return info;
    }

    /** {@return the table's region} */
    public Region region() {
        return region;
    }

    /**
     * Closes this handle: its producers leave (see {@link Producer#close()}), the consumer's lanes are
     * closed. Files stay until {@link #remove}.
     */
    @Override
    public void close() {
        List<Producer> mine;
        synchronized (producers) {
            mine = new ArrayList<>(producers);
        }
        for (Producer p : mine) {
            p.close();
        }
        reader.close();
        region.close();
    }

    @Override
    public String toString() {
        return what;
    }
}
