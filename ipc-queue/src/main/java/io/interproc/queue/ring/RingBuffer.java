package io.interproc.queue.ring;

import static io.interproc.queue.ring.RingDescriptor.ABANDONED_BYTES_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.ABANDONED_RECORDS_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.ALIGNMENT;
import static io.interproc.queue.ring.RingDescriptor.CONSUMER_HEARTBEAT_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.CONSUMER_PID_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.CONSUMER_START_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.CONSUMER_WAIT_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.DATA_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.HANDED_POSITION_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.HEADER_LENGTH;
import static io.interproc.queue.ring.RingDescriptor.HEAD_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.MIN_CAPACITY;
import static io.interproc.queue.ring.RingDescriptor.PADDING_TYPE;
import static io.interproc.queue.ring.RingDescriptor.PRODUCER_PID_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.PRODUCER_START_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.PRODUCER_WAIT_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.TAIL_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.CLAIMING;
import static io.interproc.queue.ring.RingDescriptor.NO_CLAIM;
import static io.interproc.queue.ring.RingDescriptor.DEFAULT_PRODUCER_SLOTS;
import static io.interproc.queue.ring.RingDescriptor.MAX_PRODUCER_SLOTS;
import static io.interproc.queue.ring.RingDescriptor.SLOT_CLAIM;
import static io.interproc.queue.ring.RingDescriptor.SLOT_LENGTH;
import static io.interproc.queue.ring.RingDescriptor.SLOT_PID;
import static io.interproc.queue.ring.RingDescriptor.SLOT_START;
import static io.interproc.queue.ring.RingDescriptor.align;
import static io.interproc.queue.ring.RingDescriptor.header;
import static io.interproc.queue.ring.RingDescriptor.recordLength;

import io.interproc.core.Copy;
import io.interproc.core.LivenessCheck;
import io.interproc.core.MemoryAccess;
import io.interproc.core.PeerDiedException;
import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.WaitStrategy;
import io.interproc.core.WaitWord;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A ring buffer of variable-length messages in a named shared region, between processes: one
 * producer (SPSC) or many (MPSC), and one consumer. Layout in {@link RingDescriptor}.
 *
 * <p><b>Producing.</b> Zero-copy: {@link #tryClaim(int, int)} reserves space and returns the offset
 * of the message in {@link #buffer()}; write the message there, then {@link #commit(long)} (or
 * {@link #abort(long)}). Copying: {@link #offer(int, byte[])} and its overloads, among them
 * {@link #offer(int, MemorySegment, long, int)} for part of a segment (no slice to make); 8 to 64
 * bytes are copied with straight-line moves ({@link io.interproc.core.Copy}). Neither blocks:
 * a full ring returns {@link #INSUFFICIENT_CAPACITY} / false. {@link #put} waits for space.
 *
 * <p><b>Consuming.</b> {@link #read(MessageHandler, int)} hands up to {@code limit} messages to the
 * handler, zero-copy (a read-only view of the mapped ring: a write through it throws
 * {@link IllegalArgumentException}, so a handler cannot corrupt the ring), and never blocks;
 * {@link #take} waits for one. Messages from one producer
 * thread arrive in the order committed. A message whose handler throws counts as consumed: delivery
 * is at most once.
 *
 * <p><b>Waiting.</b> Blocking calls use the handle's {@link WaitStrategy} (by default spin, yield,
 * then futex sleep): a blocked producer or consumer burns no CPU and is woken by the peer's next
 * read or commit; the other side pays a system call only when someone sleeps.
 *
 * <p><b>Faults.</b> A producer that dies between claim and commit never exposes a torn message:
 * after the {@link #unblockTimeout(Duration) unblock timeout} the consumer skips the record (or
 * the space it claimed), counts it in {@link #abandonedRecords()}, and later messages flow. On an
 * MPSC ring a live producer's claim is never skipped, however long it takes (a GC pause, a stopped
 * process): each producing thread names its claim in a slot of the ring, so the consumer can tell
 * a dead producer's record from a slow one's, and commit needs no atomic instruction. So commit or
 * abort every claim, in a {@code finally}: a claim a live process never finishes holds the
 * consumer back until that process exits or closes this handle. (A thread's earlier claims, when
 * it holds several, are not named; those may be skipped after the timeout, and their late
 * {@link #commit} returns false.) At most {@link #producerSlots()} threads produce into one
 * MPSC ring at a time; a slot is given back when its thread ends (reused by this handle) or its
 * handle closes or its process dies. A consumer that dies while its handler runs loses that
 * message and the ones its read had handed before it (at most once): before each message goes
 * to the handler the consumer stores where it ends (Handed Position, see {@link RingDescriptor}),
 * and the next consumer to register starts there; the messages after it are delivered to that
 * consumer, in order. A producer blocked in {@link #put} on a ring whose registered consumer
 * died gets {@link PeerDiedException}; a consumer blocked in {@link #take} on an SPSC ring whose
 * producer died gets it once the ring is drained. A peer that {@link #close() closed} its handle
 * or whose process exited normally has left, not died: its registration is cleared, the other
 * side keeps waiting (until its timeout) and a new producer or consumer may register. A corrupt record header is reported as
 * {@link RegionFormatException}, never read outside the region.
 *
 * <p><b>Threads.</b> Producing methods are thread-safe on an MPSC ring; on an SPSC ring one thread
 * (of one process) produces. Consuming methods must be called by one thread. Settings
 * ({@link #waitStrategy}, {@link #unblockTimeout}) are for configuration before use.
 */
public final class RingBuffer extends RingBufferFields.TrailingPadding implements AutoCloseable {
    /** {@link #tryClaim} result: not enough free space now (back-pressure). */
    public static final long INSUFFICIENT_CAPACITY = -2;
    /** Default time a stalled record may block the consumer before it is skipped. */
    public static final Duration DEFAULT_UNBLOCK_TIMEOUT = Duration.ofSeconds(1);

    private final Region region;
    private final String what;
    private final MemoryAccess memory;
    /** The ring's memory, as {@link #memory} accesses it: the per-message paths use it directly (one load less). */
    private final MemorySegment segment;
    private final MemorySegment buffer;
    /** {@link #buffer} as handlers get it: read-only, so that a handler cannot corrupt the ring. */
    private final MemorySegment readView;
    private final int capacity;
    private final long mask;
    private final int maxMessageLength;
    private final boolean multiProducer;
    private final int producerSlots;
    private final long slotsOffset;
    private final WaitWord consumerWord;
    private final WaitWord producerWord;
    private final int pid = (int) ProcessIdentity.current().pid();

    private WaitStrategy waitStrategy = WaitStrategy.blocking();
    private long unblockTimeoutNanos = DEFAULT_UNBLOCK_TIMEOUT.toNanos();

    /** MPSC consumer: it frees consumed space in steps of at most this many bytes (see {@link #consumed}). */
    private final long freeStep;
    /**
     * MPSC: the producer slot of the thread that produced last through this handle (a fast check;
     * among the fields both sides read, since it changes only when another thread produces).
     */
    private ProducerSlot lastSlot;
    private final ThreadLocal<ProducerSlot> threadSlot = new ThreadLocal<>();
    /** MPSC: the slots this handle's threads took, released by {@link #close()}. */
    private final List<ProducerSlot> ownSlots = new ArrayList<>();

    /**
     * A producing thread's slot in the ring's slot table, and its last claim (that thread only,
     * for every message: padded against the fields of other threads' slots).
     */
    static final class ProducerSlot extends RingBufferFields.Padding {
        final Thread thread;
        final long claimOffset;
        /** Position of this thread's last claim, while it is not committed or aborted; else -1. */
        long pending = -1;
        /** What the slot's Claim word says between claims: the last claimed position, or NO_CLAIM. */
        long named = NO_CLAIM;

        ProducerSlot(Thread thread, long base) {
            this.thread = thread;
            this.claimOffset = base + SLOT_CLAIM;
        }

        long base() {
            return claimOffset - SLOT_CLAIM;
        }
    }

    private RingBuffer(Region region) {
        this(region, 0, region.parameter(0), region.parameter(1), region.parameter(2), "ring '" + region.name() + "'");
        long expected = DATA_OFFSET + (long) capacity + (long) producerSlots * SLOT_LENGTH;
        if (region.body().byteSize() != expected) {
            throw new RegionFormatException(what + " has a " + region.body().byteSize() + "-byte body; capacity "
                + capacity + " and " + producerSlots + " producer slots need " + expected);
        }
    }

    /**
     * A ring laid out at {@code base} in the body of {@code region} (which may hold other things,
     * as a pipe holds two rings).
     */
    RingBuffer(Region region, long base, long cap, long max, long slots, String what) {
        this.region = region;
        this.what = what;
        if (cap < MIN_CAPACITY || cap > (1 << 30) || Long.bitCount(cap) != 1) {
            throw new RegionFormatException(what + " has a corrupt capacity " + cap + " (a power of two from "
                + MIN_CAPACITY + " to 2^30)");
        }
        if (max < 0 || align((int) Math.min(max, Integer.MAX_VALUE - 16) + HEADER_LENGTH) > cap / 2) {
            throw new RegionFormatException(what + " has a corrupt max message length " + max + " for capacity " + cap);
        }
        if (slots < 0 || slots > MAX_PRODUCER_SLOTS) {
            throw new RegionFormatException(what + " has a corrupt producer slot count " + slots + " (0 to "
                + MAX_PRODUCER_SLOTS + ")");
        }
        long footprint = DATA_OFFSET + cap + slots * SLOT_LENGTH;
        if (base < 0 || base % 128 != 0 || base + footprint > region.body().byteSize()) {
            throw new RegionFormatException(what + " does not fit its region");
        }
        this.capacity = (int) cap;
        this.mask = cap - 1;
        this.freeStep = Math.max(cap / 16, ALIGNMENT);
        this.maxMessageLength = (int) max;
        this.producerSlots = (int) slots;
        this.multiProducer = slots > 0;
        this.slotsOffset = DATA_OFFSET + cap;
        MemorySegment self = region.body().asSlice(base, footprint);
        this.memory = new MemoryAccess(self);
        this.segment = self;
        this.buffer = self.asSlice(DATA_OFFSET, cap);
        this.readView = buffer.asReadOnly();
        this.consumerWord = region.waitWord(base + CONSUMER_WAIT_OFFSET);
        this.producerWord = region.waitWord(base + PRODUCER_WAIT_OFFSET);
        if (!consumerWord.isAt(self, CONSUMER_WAIT_OFFSET) || !producerWord.isAt(self, PRODUCER_WAIT_OFFSET)) {
            throw new IllegalStateException(what + ": its wait words are not where its own view maps them");
        }
        // A consistent snapshot: others may be producing and consuming while we open.
        long head;
        long tail;
        int attempts = 0;
        do {
            head = memory.getLongVolatile(HEAD_OFFSET);
            tail = memory.getLongVolatile(TAIL_OFFSET);
        } while (head != memory.getLongVolatile(HEAD_OFFSET) && ++attempts < 1_000);
        // An SPSC producer that died between publishing a record and moving the tail leaves the tail
        // behind the head; the next producer repairs it.
        long lowestTail = multiProducer ? head : head - cap;
        boolean stable = attempts < 1_000; // a ring that never held still cannot be checked here
        if ((stable && (head < 0 || tail < lowestTail || tail - head > cap))
            || (head & (ALIGNMENT - 1)) != 0 || (tail & (ALIGNMENT - 1)) != 0) {
            throw new RegionFormatException(what + " has corrupt positions: head " + head + ", tail " + tail
                + ", capacity " + cap);
        }
        this.headCache = head;
    }

    /** Bytes an SPSC ring of {@code capacity} occupies when embedded in another region. */
    static long footprint(int capacity) {
        return DATA_OFFSET + (long) capacity;
    }

    /**
     * Creates a ring.
     *
     * @param capacity         data bytes, a power of two, at least {@value RingDescriptor#MIN_CAPACITY}
     * @param maxMessageLength longest message; a record (8-byte header plus message) may take at
     *                         most half the capacity
     * @param multiProducer    true for MPSC (with {@value RingDescriptor#DEFAULT_PRODUCER_SLOTS}
     *                         producer slots), false for SPSC
     * @throws IllegalArgumentException for impossible sizes
     * @throws io.interproc.core.RegionExistsException if the name exists
     */
    public static RingBuffer create(RegionDirectory directory, String name, int capacity, int maxMessageLength,
                                    boolean multiProducer) {
        return directory.create(name, spec(capacity, maxMessageLength, multiProducer ? DEFAULT_PRODUCER_SLOTS : 0),
            r -> { }).as(RingBuffer::new);
    }

    /**
     * Creates an MPSC ring into which at most {@code producerThreads} threads (of all processes) may
     * produce at a time; each takes a 128-byte slot in the region.
     *
     * @param producerThreads 1 to {@value RingDescriptor#MAX_PRODUCER_SLOTS}
     * @throws IllegalArgumentException for impossible sizes
     * @throws io.interproc.core.RegionExistsException if the name exists
     */
    public static RingBuffer createMultiProducer(RegionDirectory directory, String name, int capacity,
                                                 int maxMessageLength, int producerThreads) {
        if (producerThreads < 1 || producerThreads > MAX_PRODUCER_SLOTS) {
            throw new IllegalArgumentException("an MPSC ring takes 1 to " + MAX_PRODUCER_SLOTS
                + " producer threads, got " + producerThreads);
        }
        return directory.create(name, spec(capacity, maxMessageLength, producerThreads), r -> { }).as(RingBuffer::new);
    }

    /** Opens an existing ring, checking its header and layout. */
    public static RingBuffer open(RegionDirectory directory, String name) {
        return directory.open(name, RingDescriptor.TYPE).as(RingBuffer::new);
    }

    /** Opens the ring, or creates it with these settings; an existing ring must have the same ones. */
    public static RingBuffer openOrCreate(RegionDirectory directory, String name, int capacity, int maxMessageLength,
                                          boolean multiProducer) {
        return directory.openOrCreate(name, spec(capacity, maxMessageLength, multiProducer ? DEFAULT_PRODUCER_SLOTS : 0),
            r -> { }).as(RingBuffer::new);
    }

    private static RegionSpec spec(int capacity, int maxMessageLength, int producerSlots) {
        checkSizes(capacity, maxMessageLength);
        return new RegionSpec(RingDescriptor.TYPE, DATA_OFFSET + (long) capacity + (long) producerSlots * SLOT_LENGTH,
            capacity, maxMessageLength, producerSlots);
    }

    static void checkSizes(int capacity, int maxMessageLength) {
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("ring capacity must be a power of two from " + MIN_CAPACITY
                + " to 2^30, got " + capacity);
        }
        if (maxMessageLength < 0 || maxMessageLength > Integer.MAX_VALUE - 16
            || align(maxMessageLength + HEADER_LENGTH) > capacity / 2) {
            throw new IllegalArgumentException("max message length " + maxMessageLength + " is impossible for capacity "
                + capacity + ": a record (8-byte header plus message) may take at most half the capacity");
        }
    }

    // ------------------------------------------------------------------ settings

    /** Sets how blocking calls wait (default {@link WaitStrategy#blocking()}); returns this. */
    public RingBuffer waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    /**
     * Sets how long a claimed but uncommitted record of a dead producer may block the consumer
     * before it is skipped (a live producer's is waited for); returns this.
     */
    public RingBuffer unblockTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("unblock timeout must not be negative, got " + timeout);
        }
        this.unblockTimeoutNanos = timeout.toNanos();
        return this;
    }

    // ------------------------------------------------------------------ producing

    /**
     * Claims space for a message of {@code length} bytes. Never blocks.
     *
     * @param type message type, &gt;= 0
     * @return the offset of the message in {@link #buffer()}, or {@link #INSUFFICIENT_CAPACITY}
     * @throws IllegalArgumentException if {@code length} exceeds {@link #maxMessageLength()} or is negative
     */
    public long tryClaim(int type, int length) {
        checkMessage(type, length);
        if (producerRegistered == 0) {
            registerProducer();
        }
        int recordLength = length + HEADER_LENGTH;
        int aligned = align(recordLength);
        long claimed = header(-recordLength, type);
        return multiProducer ? claimShared(aligned, claimed) : claimExclusive(aligned, claimed);
    }

    /**
     * Claims space for a message of {@code length} bytes, waiting while the ring is full: the
     * blocking form of {@link #tryClaim}, for a producer that would otherwise spin on a full ring.
     * Sleeps as {@link #put} does (the handle's {@link WaitStrategy}), woken when the consumer frees
     * space.
     *
     * @return the offset of the message in {@link #buffer()}, or {@link #INSUFFICIENT_CAPACITY} if
     *     {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     * @throws PeerDiedException    if the ring's consumer died while this waited
     */
    public long claim(int type, int length, long timeout, TimeUnit unit) throws InterruptedException {
        long claimed = tryClaim(type, length);
        if (claimed >= 0) {
            return claimed;
        }
        int aligned = align(length + HEADER_LENGTH);
        long[] result = {INSUFFICIENT_CAPACITY};
        waitStrategy.retry(producerWord, () -> (result[0] = tryClaim(type, length)) >= 0, () -> canClaim(aligned),
            unit.toNanos(timeout), producerLiveness);
        return result[0];
    }

    /**
     * SPSC: the space at the tail is this producer's alone. The claim zeroes the header slot after
     * the record and writes the claimed header (negative length: not ready) at the record; {@link
     * #commit} writes the committed header with a release store (the consumer follows headers up to
     * one that is not positive) and then moves the tail. A producer that dies mid-record leaves a
     * claimed header at the tail, and the next producer starts again there (see
     * {@link #takeOverProducerSide}).
     *
     * <p>Writing the claimed header first takes the record's first cache line from a consumer
     * spinning on it before the message is copied in, so that the commit finds the line already
     * this core's. Measured effect, in alternating pinned runs of the cross-process benchmarks: the
     * spin round trip a little lower with it (490-571 ns against 572-601 ns without, and 171 against
     * 190 ns in the VM's fast state), SPSC throughput at 64 B the same (47.6-48.8 M msg/s with,
     * 47.7-48.5 M without, fast state). (An earlier in-process measurement that credited it with
     * more was confounded by garbage collection moving the handles next to each other.)
     */
    private long claimExclusive(int aligned, long claimed) {
        if (pendingEnd >= 0) {
            throw oneClaimAtATime();
        }
        long tail = producerTail;
        long padding = padding(tail, aligned);
        // One spare header slot beyond the record: zeroed here, so the consumer never needs to.
        if (!hasCapacity(tail, padding + aligned + HEADER_LENGTH)) {
            return INSUFFICIENT_CAPACITY;
        }
        pendingTail = tail;
        pendingHeader = claimed;
        pendingEnd = tail + padding + aligned;
        long recordIndex = (tail + padding) & mask;
        writeClaim(segment, recordIndex, pendingEnd, claimed);
        pendingOffset = recordIndex + HEADER_LENGTH;
        return pendingOffset;
    }

    /** SPSC claim stores: the header slot after the record (ending at {@code end}) zeroed, then the claimed header. */
    private void writeClaim(MemorySegment memorySegment, long recordIndex, long end, long claimed) {
        MemoryAccess.putLongPlain(memorySegment, DATA_OFFSET + (end & mask), 0L);
        MemoryAccess.putLongPlain(memorySegment, DATA_OFFSET + recordIndex, claimed);
    }

    private static IllegalStateException oneClaimAtATime() {
        return new IllegalStateException("an SPSC ring allows one claim at a time: commit or abort the previous one");
    }

    /**
     * Takes over the producer's side of an SPSC ring, once per producer handle. A previous producer
     * may have died at any instruction: after writing a record header but before moving the tail
     * (so the tail is moved past every such complete record: a commit that had not returned is
     * delivered once a new producer takes over), or after writing message bytes it never committed
     * (so the free space is zeroed: later record headers may fall there). The header chain beyond
     * the tail ends at a header that is not positive (zero, or a claimed record's) because every
     * claim zeroes the header slot after its record. The consumer follows headers only up to that
     * one, never into the free space being zeroed.
     */
    private void takeOverProducerSide() {
        long tail = memory.getLongVolatile(TAIL_OFFSET);
        long head = memory.getLongVolatile(HEAD_OFFSET);
        long position = tail;
        while (position < head + capacity) {
            long index = position & mask;
            int length = recordLength(memory.getLongAcquire(DATA_OFFSET + index));
            if (length < HEADER_LENGTH || align(length) > capacity - index) {
                break;
            }
            position += align(length);
        }
        tail = Math.max(position, memory.getLongVolatile(HEAD_OFFSET));
        memory.putLongVolatile(TAIL_OFFSET, tail);
        producerTail = tail;
        head = memory.getLongVolatile(HEAD_OFFSET);
        long free = capacity - (tail - head);
        long index = tail & mask;
        long first = Math.min(free, capacity - index);
        buffer.asSlice(index, first).fill((byte) 0);
        if (free > first) {
            buffer.asSlice(0, free - first).fill((byte) 0);
        }
    }

    /**
     * MPSC: producers race for the tail with one compare-and-set; the thread's slot names the
     * position first as being claimed, then as claimed, so the consumer never skips it while this
     * process lives (see {@link RingDescriptor}).
     */
    private long claimShared(int aligned, long claimed) {
        ProducerSlot slot = producerSlot();
        while (true) {
            long tail = memory.getLongVolatile(TAIL_OFFSET);
            long padding = padding(tail, aligned);
            if (!hasCapacity(tail, padding + aligned)) {
                return INSUFFICIENT_CAPACITY;
            }
            // A plain store: the compare-and-set below (a volatile write) publishes it first. It
            // stays as the thread's claim when the compare-and-set succeeds, unless the record is
            // placed after wrap padding: one store to the slot per message.
            memory.putLongPlain(slot.claimOffset, tail | CLAIMING);
            if (memory.compareAndSetLong(TAIL_OFFSET, tail, tail + padding + aligned)) {
                long position = tail + padding;
                slot.named = tail | CLAIMING;
                if (padding != 0) {
                    memory.putLongOpaque(slot.claimOffset, position);
                    slot.named = position;
                    // Compare-and-set: if this thread stalled here past the unblock timeout, the
                    // consumer (seeing the gap end at this claim) has written this padding already.
                    memory.compareAndSetLong(DATA_OFFSET + (tail & mask), 0, header((int) padding, PADDING_TYPE));
                }
                long index = position & mask;
                memory.putLongPlain(DATA_OFFSET + index, claimed);
                MemoryAccess.releaseFence(); // the claimed header before the message the caller writes
                slot.pending = position;
                return index + HEADER_LENGTH;
            }
            // Lost the race: stop naming a position another producer took (if this thread then found
            // the ring full, a stale CLAIMING would hold the consumer at that position for good).
            memory.putLongOpaque(slot.claimOffset, slot.named);
        }
    }

    private ProducerSlot producerSlot() {
        Thread me = Thread.currentThread();
        ProducerSlot slot = lastSlot;
        if (slot != null && slot.thread == me) {
            return slot;
        }
        slot = threadSlot.get();
        if (slot == null) {
            slot = registerSlot(me);
            threadSlot.set(slot);
        }
        lastSlot = slot;
        return slot;
    }

    /** Takes a free slot, a dead process's, or one of this handle's whose thread ended. */
    private ProducerSlot registerSlot(Thread thread) {
        ProcessIdentity me = ProcessIdentity.current();
        synchronized (ownSlots) {
            for (int i = 0; i < ownSlots.size(); i++) {
                ProducerSlot old = ownSlots.get(i);
                if (!old.thread.isAlive()) {
                    ProducerSlot slot = new ProducerSlot(thread, old.base());
                    memory.putLongVolatile(slot.claimOffset, NO_CLAIM);
                    ownSlots.set(i, slot);
                    return slot;
                }
            }
            for (int i = 0; i < producerSlots; i++) {
                long base = slotsOffset + (long) i * SLOT_LENGTH;
                long pid = memory.getLongVolatile(base + SLOT_PID);
                if (pid != 0 && region.peer("producer slot pid", pid, memory.getLongVolatile(base + SLOT_START)).isAlive()) {
                    continue;
                }
                if (memory.compareAndSetLong(base + SLOT_PID, pid, me.pid())) {
                    memory.putLongVolatile(base + SLOT_START, me.startTime());
                    memory.putLongVolatile(base + SLOT_CLAIM, NO_CLAIM);
                    ProducerSlot slot = new ProducerSlot(thread, base);
                    ownSlots.add(slot);
                    return slot;
                }
            }
        }
        throw new IllegalStateException(what + " has " + producerSlots + " live producer threads already: it was created"
            + " for at most " + producerSlots + " threads producing at a time");
    }

    /**
     * MPSC: how many bytes from {@code head} the consumer may skip, given the positions live
     * producers name in their slots (see {@link RingDescriptor}): 0 if one names {@code head}
     * itself, else at most {@code limit}.
     */
    private long liveClaimLimit(long head, long limit) {
        Map<Long, Boolean> alive = new HashMap<>();
        for (int i = 0; i < producerSlots; i++) {
            long base = slotsOffset + (long) i * SLOT_LENGTH;
            long pid = memory.getLongVolatile(base + SLOT_PID);
            if (pid == 0) {
                continue;
            }
            long start = memory.getLongVolatile(base + SLOT_START);
            long claim = memory.getLongVolatile(base + SLOT_CLAIM);
            long position = claim & ~CLAIMING;
            if (claim < 0 || position < head) {
                continue;
            }
            if (alive.computeIfAbsent(pid, p -> region.peer("producer slot pid", p, start).isAlive())) {
                if (position == head) {
                    return 0;
                }
                limit = Math.min(limit, position - head);
            }
        }
        return limit;
    }

    /**
     * Publishes a claimed message.
     *
     * @param offset what {@link #tryClaim} returned
     * @return true; false (MPSC only) if the record was abandoned: an earlier claim of a thread
     *         holding several, or another thread's, skipped after stalling past the unblock timeout
     * @throws IllegalStateException if there is no claimed record at {@code offset}
     */
    public boolean commit(long offset) {
        return finish(offset, false);
    }

    /** Gives up a claimed message: the consumer skips it. Returns false if it was already abandoned. */
    public boolean abort(long offset) {
        return finish(offset, true);
    }

    private boolean finish(long offset, boolean abort) {
        // Each path small, the rare ones in methods of their own, so that the JIT inlines commit.
        return multiProducer ? finishShared(offset, abort) : finishExclusive(offset, abort);
    }

    private boolean finishExclusive(long offset, boolean abort) {
        if (offset != pendingOffset || pendingEnd < 0) {
            throw notPending(offset);
        }
        long recordStart = offset - HEADER_LENGTH;
        long paddingIndex = pendingTail & mask;
        // The claim zeroed the header slot after this record (the consumer reads it next): this
        // release store publishes that too.
        int length = -recordLength(pendingHeader);
        long header = abort ? header(align(length), PADDING_TYPE) : header(length, RingDescriptor.type(pendingHeader));
        if (paddingIndex != recordStart) {
            return finishPadded(recordStart, header, paddingIndex);
        }
        // The header, then the tail: on x86 one fence and one check of the segment for both stores
        // and the wake check's load (the padded case, in a method of its own, would make it check
        // again here; so would reading the field again: the volatile load's barrier makes the JIT
        // load it anew and check what it holds, so publishExclusive gets it once, as a parameter).
        long end = pendingEnd;
        pendingEnd = -1;
        publishExclusive(segment, recordStart, header, end);
        return true;
    }

    /**
     * SPSC commit stores: the committed header, then the tail (one release), then the consumer's
     * wait word read to wake it if it sleeps.
     */
    private void publishExclusive(MemorySegment memorySegment, long recordStart, long header, long end) {
        MemoryAccess.putLongsRelease(memorySegment, DATA_OFFSET + recordStart, header, TAIL_OFFSET, end);
        producerTail = end;
        consumerWord.wakeAllIfWatched(
            MemoryAccess.getIntVolatile(memorySegment, CONSUMER_WAIT_OFFSET + WaitWord.COUNTS_OFFSET));
    }

    /** SPSC commit of a record placed at index 0 after padding at {@code paddingIndex}. */
    private boolean finishPadded(long recordStart, long header, long paddingIndex) {
        memory.putLongRelease(DATA_OFFSET + recordStart, header);
        // Only now: the consumer jumps from the padding to the record at index 0.
        memory.putLongRelease(DATA_OFFSET + paddingIndex, header((int) (capacity - paddingIndex), PADDING_TYPE));
        memory.putLongRelease(TAIL_OFFSET, pendingEnd);
        producerTail = pendingEnd;
        pendingEnd = -1;
        consumerWord.wakeAllAfterRelease();
        return true;
    }

    private IllegalStateException notPending(long offset) {
        return new IllegalStateException("offset " + offset + " is not the pending claim of " + what);
    }

    private boolean finishShared(long offset, boolean abort) {
        ProducerSlot slot = lastSlot;
        if (slot == null || slot.thread != Thread.currentThread()) {
            slot = threadSlot.get();
        }
        if (slot == null || slot.pending < 0 || (slot.pending & mask) + HEADER_LENGTH != offset) {
            return finishUnnamed(offset, abort);
        }
        // This thread's last claim, named by its slot: the consumer leaves it alone while this
        // process lives, so a release store publishes it.
        slot.pending = -1;
        long at = DATA_OFFSET + offset - HEADER_LENGTH;
        long claimed = memory.getLongPlain(at);
        int length = recordLength(claimed);
        if (length >= 0) {
            throw overwritten(offset, claimed);
        }
        memory.putLongRelease(at, abort ? header(align(-length), PADDING_TYPE)
            : header(-length, RingDescriptor.type(claimed)));
        consumerWord.wakeAllAfterRelease();
        return true;
    }

    private IllegalStateException overwritten(long offset, long claimed) {
        return new IllegalStateException("the claimed record at offset " + offset + " of " + what
            + " was overwritten: header " + claimed);
    }

    /** MPSC: an earlier claim of this thread, or another thread's: the consumer may have skipped it. */
    private boolean finishUnnamed(long offset, boolean abort) {
        long at = DATA_OFFSET + offset - HEADER_LENGTH;
        long claimed = memory.getLongVolatile(at);
        int length = recordLength(claimed);
        if (length >= 0) {
            if (offset < HEADER_LENGTH || offset >= capacity) {
                throw new IllegalArgumentException("offset " + offset + " is not a claimed message of " + what);
            }
            return false;
        }
        long done = abort ? header(align(-length), PADDING_TYPE) : header(-length, RingDescriptor.type(claimed));
        if (!memory.compareAndSetLong(at, claimed, done)) {
            return false;
        }
        consumerWord.wakeAllAfterVolatileWrite();
        return true;
    }

    /** Copies {@code message} in as one message of {@code type}; false if the ring is full. Never blocks. */
    public boolean offer(int type, byte[] message) {
        return offer(type, MemorySegment.ofArray(message));
    }

    /** Copies {@code message}'s remaining bytes in (its position is not changed); false if full. */
    public boolean offer(int type, ByteBuffer message) {
        return offer(type, MemorySegment.ofBuffer(message));
    }

    /** Copies {@code message} in as one message of {@code type}; false if the ring is full. Never blocks. */
    public boolean offer(int type, MemorySegment message) {
        return offer(type, message, 0, checkLength(message.byteSize()));
    }

    /**
     * Copies the {@code length} bytes of {@code source} at {@code offset} in as one message of
     * {@code type} (as Agrona's {@code write(type, buffer, offset, length)}: no slice to make);
     * false if the ring is full. Never blocks.
     *
     * @throws IllegalArgumentException  if {@code length} exceeds {@link #maxMessageLength()} or is
     *     negative, or {@code type} is negative
     * @throws IndexOutOfBoundsException if the bytes are not all inside {@code source} (nothing is
     *     offered)
     */
    public boolean offer(int type, MemorySegment source, long offset, int length) {
        checkMessage(type, length);
        Objects.checkFromIndexSize(offset, length, source.byteSize());
        if (!multiProducer && pendingEnd < 0 && producerRegistered != 0
            && align(length + HEADER_LENGTH) <= capacity - (producerTail & mask)) {
            return offerExclusive(type, source, offset, length);
        }
        if (multiProducer && producerRegistered != 0) {
            return offerShared(type, source, offset, length);
        }
        return offerClaimed(type, source, offset, length);
    }

    /** {@link #offer} as {@link #tryClaim}, a copy and {@link #commit}. */
    private boolean offerClaimed(int type, MemorySegment source, long offset, int length) {
        long at = tryClaim(type, length);
        if (at < 0) {
            return false;
        }
        try {
            Copy.copy(source, offset, buffer, at, length);
        } catch (RuntimeException | Error e) {
            abort(at); // the source was closed under the copy: an MPSC claim must not stay named
            throw e;
        }
        return commit(at);
    }

    /**
     * MPSC {@link #offer} of a record that fits before the end of the buffer: the stores of
     * {@link #claimShared} and {@link #finishShared} around the copy, in the same order (so the same
     * producer-death cases: the claimed header is written before the message, the committed one with
     * a release store after it), no pending claim kept, and every access to the ring through
     * {@link #segment}, so that the JIT checks it once. Single-thread, 64 B, an offer and a read of
     * one message ({@link #readOne}): 28-33 ns per message with both (9 forks), 35 and 38 ns before
     * them, Agrona's ManyToOneRingBuffer 22-25 ns (bin/bench --pin SingleThreadRing.offerThenReadEach,
     * 2026-12-03).
     * Cross-process MPSC throughput did not change with them (see the README). Its claim loop is
     * {@link #claimShared}'s without the wrap padding (that case takes {@link #offerClaimed}):
     * calling claimShared from here instead measured 33.5-37.0 ns against 29.1-30.8 ns in
     * alternating forks, so the loop is kept twice.
     */
    private boolean offerShared(int type, MemorySegment source, long sourceOffset, int length) {
        int recordLength = length + HEADER_LENGTH;
        int aligned = align(recordLength);
        ProducerSlot slot = producerSlot();
        MemorySegment memorySegment = segment; // read once: see finishExclusive
        long claimOffset = slot.claimOffset;
        long tail;
        while (true) {
            tail = MemoryAccess.getLongVolatile(memorySegment, TAIL_OFFSET);
            if (aligned > capacity - (tail & mask)) {
                return offerClaimed(type, source, sourceOffset, length); // wrap padding first
            }
            if (!hasCapacity(tail, aligned)) {
                return false;
            }
            MemoryAccess.putLongPlain(memorySegment, claimOffset, tail | CLAIMING); // as in claimShared
            if (MemoryAccess.compareAndSetLong(memorySegment, TAIL_OFFSET, tail, tail + aligned)) {
                break;
            }
            MemoryAccess.putLongOpaque(memorySegment, claimOffset, slot.named);
        }
        slot.named = tail | CLAIMING;
        slot.pending = -1; // an earlier claim of this thread is no longer the one its slot names
        long recordAt = DATA_OFFSET + (tail & mask);
        MemoryAccess.putLongPlain(memorySegment, recordAt, header(-recordLength, type));
        MemoryAccess.releaseFence(); // the claimed header before the message
        try {
            Copy.copy(source, sourceOffset, memorySegment, recordAt + HEADER_LENGTH, length);
        } catch (RuntimeException | Error e) {
            MemoryAccess.putLongRelease(memorySegment, recordAt, header(aligned, PADDING_TYPE));
            consumerWord.wakeAllAfterRelease();
            throw e;
        }
        MemoryAccess.putLongRelease(memorySegment, recordAt, header(recordLength, type));
        consumerWord.wakeAllAfterRelease();
        return true;
    }

    /**
     * SPSC {@link #offer} of a record that fits before the end of the buffer: the claim's stores,
     * the copy and the commit's stores of {@link #claimExclusive}, {@link #finishExclusive} and a
     * copy, in the same order (so the same producer-death cases), but no pending claim kept, and
     * every access through {@link #segment}, so that the JIT checks it once for the claim's stores
     * and the copy, and once for the commit. Records that need wrap padding take the claim and
     * commit path.
     */
    private boolean offerExclusive(int type, MemorySegment source, long sourceOffset, int length) {
        int recordLength = length + HEADER_LENGTH;
        int aligned = align(recordLength);
        long tail = producerTail;
        if (!hasCapacity(tail, aligned + HEADER_LENGTH)) {
            return false;
        }
        long recordIndex = tail & mask;
        long end = tail + aligned;
        MemorySegment memorySegment = segment; // read once: see finishExclusive
        writeClaim(memorySegment, recordIndex, end, header(-recordLength, type));
        Copy.copy(source, sourceOffset, memorySegment, DATA_OFFSET + recordIndex + HEADER_LENGTH, length);
        publishExclusive(memorySegment, recordIndex, header(recordLength, type), end);
        return true;
    }

    /**
     * Copies {@code message} in, waiting for space.
     *
     * @return true once offered, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     * @throws PeerDiedException    if the ring's consumer died while this waited
     */
    public boolean put(int type, MemorySegment message, long timeout, TimeUnit unit) throws InterruptedException {
        return put(type, message, timeout, unit, LivenessCheck.NONE);
    }

    /** {@link #put(int, MemorySegment, long, TimeUnit)}, also calling {@code liveness} between waits. */
    public boolean put(int type, MemorySegment message, long timeout, TimeUnit unit, LivenessCheck liveness)
        throws InterruptedException {
        LivenessCheck check = liveness == LivenessCheck.NONE ? producerLiveness : () -> {
            checkConsumer();
            liveness.check();
        };
        int length = checkLength(message.byteSize());
        checkMessage(type, length);
        int aligned = align(length + HEADER_LENGTH);
        return waitStrategy.retry(producerWord, () -> offer(type, message), () -> canClaim(aligned), unit.toNanos(timeout),
            check);
    }

    /** {@link #put(int, MemorySegment, long, TimeUnit)} for a byte array. */
    public boolean put(int type, byte[] message, long timeout, TimeUnit unit) throws InterruptedException {
        return put(type, MemorySegment.ofArray(message), timeout, unit);
    }

    /** Puts without a timeout (still interruptible, and ended by a dead consumer). */
    public void put(int type, byte[] message) throws InterruptedException {
        put(type, MemorySegment.ofArray(message), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    private boolean canClaim(int aligned) {
        long tail = memory.getLongVolatile(TAIL_OFFSET);
        long head = memory.getLongVolatile(HEAD_OFFSET);
        long spare = multiProducer ? 0 : HEADER_LENGTH;
        return padding(tail, aligned) + aligned + spare <= capacity - (tail - head);
    }

    private long padding(long tail, int aligned) {
        long toEnd = capacity - (tail & mask);
        return aligned > toEnd ? toEnd : 0;
    }

    private boolean hasCapacity(long tail, long required) {
        if (required <= capacity - (tail - headCache)) {
            return true;
        }
        headCache = memory.getLongVolatile(HEAD_OFFSET);
        return required <= capacity - (tail - headCache);
    }

    private void checkMessage(int type, int length) {
        if (length < 0 || length > maxMessageLength || type < 0) {
            throw badMessage(type, length);
        }
    }

    private IllegalArgumentException badMessage(int type, int length) {
        if (type < 0) {
            return new IllegalArgumentException("message type must be >= 0, got " + type);
        }
        return new IllegalArgumentException("message of " + length + " bytes exceeds the maximum message length "
            + maxMessageLength + " of " + what);
    }

    private int checkLength(long length) {
        if (length > maxMessageLength) {
            throw new IllegalArgumentException("message of " + length + " bytes exceeds the maximum message length "
                + maxMessageLength + " of " + what);
        }
        return (int) length;
    }

    private void checkConsumer() {
        long consumerPid = memory.getLongVolatile(CONSUMER_PID_OFFSET);
        if (consumerPid != 0) {
            ProcessIdentity consumer = region.peer("consumer pid", consumerPid, memory.getLongVolatile(CONSUMER_START_OFFSET));
            if (!consumer.isAlive()) {
                throw new PeerDiedException(consumer, "waiting for space in " + what);
            }
        }
    }

    private void registerProducer() {
        if (!multiProducer) {
            register(PRODUCER_PID_OFFSET, PRODUCER_START_OFFSET, "producer");
            takeOverProducerSide();
            REGISTERED.add(this);
        }
        producerRegistered = 1;
    }

    /**
     * Handles whose process is the ring's registered producer or consumer. A normal exit gives the
     * registrations back, as {@link #close()} does, so that peers see a peer that left, not one that
     * died; {@code kill -9} skips shutdown hooks, and then the registration names a dead process.
     */
    private static final Set<RingBuffer> REGISTERED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<RingBuffer> handles;
            synchronized (REGISTERED) {
                handles = new ArrayList<>(REGISTERED);
            }
            handles.forEach(RingBuffer::releaseRegistrations);
        }, "interproc-ring-exit"));
    }

    /** Clears this process's producer and consumer registrations (if they are still this process's). */
    private void releaseRegistrations() {
        try {
            if (!region.isClosed()) {
                if (!multiProducer && producerRegistered != 0) {
                    unregister(PRODUCER_PID_OFFSET, PRODUCER_START_OFFSET);
                }
                if (consumerRegistered != 0) {
                    unregister(CONSUMER_PID_OFFSET, CONSUMER_START_OFFSET);
                }
            }
        } catch (IllegalStateException closedMeanwhile) {
            // another thread closed the region: nothing left to give back through this handle
        }
    }

    private void unregister(int pidOffset, int startOffset) {
        ProcessIdentity me = ProcessIdentity.current();
        if (memory.getLongVolatile(startOffset) == me.startTime()) {
            memory.compareAndSetLong(pidOffset, me.pid(), 0);
        }
    }

    private void register(int pidOffset, int startOffset, String role) {
        ProcessIdentity me = ProcessIdentity.current();
        long otherPid = memory.getLongVolatile(pidOffset);
        long otherStart = memory.getLongVolatile(startOffset);
        if (otherPid != 0 && (otherPid != me.pid() || otherStart != me.startTime())
            && region.peer(role + " pid", otherPid, otherStart).isAlive()) {
            throw new IllegalStateException(what + " already has a live " + role + ": pid " + otherPid);
        }
        memory.putLongVolatile(startOffset, me.startTime());
        memory.putLongVolatile(pidOffset, me.pid());
    }

    // ------------------------------------------------------------------ consuming

    /**
     * Hands up to {@code limit} messages to {@code handler}. Never blocks.
     *
     * @return the number of messages handled (0 when none is ready)
     * @throws RegionFormatException if a record header in the ring is corrupt
     */
    public int read(MessageHandler handler, int limit) {
        // Small, the rest in methods of their own, so that the JIT inlines it into the caller's
        // polling loop: an empty read is done here.
        if (consumerRegistered == 0) {
            registerConsumer();
        }
        long head = consumerHead;
        if (limit > 0) {
            // A plain load: readRecords fences it with the headers after it, an empty read here.
            long header = MemoryAccess.getLongPlain(segment, DATA_OFFSET + (head & mask));
            if (recordLength(header) > 0) {
                return limit == 1 ? readOne(handler, head, header) : readRecords(handler, limit, head, header);
            }
            MemoryAccess.acquireFence();
            // The end of the committed records (a zero header or a claimed record's). Looked into
            // after 256 empty reads in a row (see emptyReads).
            if ((++emptyReads & 0xFF) == 0) {
                endOfRecords(head, 0, header);
            }
        }
        consumed(head, head & mask, 0, true);
        return 0;
    }

    /**
     * {@link #read}: hands the committed records from {@code head}, whose header is {@code first}
     * (a plain load), in two passes. The first follows the committed headers (plain loads, then
     * one acquire fence for them all) to the end of what this read hands: up to {@code limit}
     * messages, the end of the buffer, the first header that is not committed, or a corrupt one.
     * The second hands the records: for each message, Handed Position first (a plain store, then
     * a store-store fence, so it is written before anything the handler stores; see
     * {@link RingDescriptor}), then the handler. One fence per read instead of one per message
     * lets the JIT keep the segments' fields in registers across the records (bin/bench
     * SpscThroughput, 64 B, Intel Xeon VM: see the README).
     */
    private int readRecords(MessageHandler handler, int limit, long head, long first) {
        long headIndex = head & mask;
        int contiguous = (int) (capacity - headIndex);
        MemorySegment memorySegment = segment; // read once: see finishExclusive
        long header = first;
        int end = 0;
        int messages = 0;
        boolean corrupt = false;
        while (true) {
            int length = recordLength(header);
            int type = RingDescriptor.type(header);
            int aligned = align(length);
            if (isBadRecord(type, length, aligned, contiguous - end)) {
                corrupt = true;
                break;
            }
            end += aligned;
            if (type != PADDING_TYPE && ++messages >= limit || end >= contiguous) {
                break;
            }
            header = MemoryAccess.getLongPlain(memorySegment, DATA_OFFSET + headIndex + end);
            if (recordLength(header) <= 0) {
                break; // the end of the committed records
            }
        }
        MemoryAccess.acquireFence();
        MemorySegment view = readView;
        int bytes = 0;
        int count = 0;
        try {
            while (bytes < end) {
                // Read again (a committed header does not change until it is freed): no storage
                // for the first pass's results. Checked again against a file changed in between.
                long index = headIndex + bytes;
                long record = MemoryAccess.getLongPlain(memorySegment, DATA_OFFSET + index);
                int length = recordLength(record);
                int aligned = align(length);
                int type = RingDescriptor.type(record);
                if (length < HEADER_LENGTH || aligned > end - bytes) {
                    throw corruptRecord(head + bytes, length, type);
                }
                bytes += aligned;
                if (type != PADDING_TYPE) {
                    count++;
                    MemoryAccess.putLongPlain(memorySegment, HANDED_POSITION_OFFSET, head + bytes);
                    MemoryAccess.storeStoreFence();
                    handler.onMessage(type, view, index + HEADER_LENGTH, length - HEADER_LENGTH);
                }
            }
        } finally {
            consumed(head, headIndex, bytes, count < limit);
        }
        if (corrupt) {
            throw corruptRecord(head + end, recordLength(header), RingDescriptor.type(header));
        }
        if (count < limit && (consumerHead & mask) == 0) {
            return readOn(handler, limit, count);
        }
        return count;
    }

    /**
     * {@link #read} of one message (a poll, a take, a round trip's reply): the record at {@code
     * head}, whose header is {@code header} (a plain load), in one pass: checked, one acquire fence,
     * Handed Position, the handler. Padding goes to {@link #readRecords}, which reads on past it.
     * Single-thread, 64 B offer and a read of one message, MPSC: see {@link #offerShared}.
     */
    private int readOne(MessageHandler handler, long head, long header) {
        long headIndex = head & mask;
        int length = recordLength(header);
        int type = RingDescriptor.type(header);
        int aligned = align(length);
        if (type == PADDING_TYPE || isBadRecord(type, length, aligned, capacity - headIndex)) {
            return readRecords(handler, 1, head, header);
        }
        MemoryAccess.acquireFence();
        MemorySegment memorySegment = segment; // read once: see finishExclusive
        MemoryAccess.putLongPlain(memorySegment, HANDED_POSITION_OFFSET, head + aligned);
        MemoryAccess.storeStoreFence();
        try {
            handler.onMessage(type, readView, headIndex + HEADER_LENGTH, length - HEADER_LENGTH);
        } finally {
            consumed(head, headIndex, aligned, false);
        }
        return 1;
    }

    /** Went through the padding at the end of the buffer: reads on from index 0. */
    private int readOn(MessageHandler handler, int limit, int count) {
        return count + read(handler, limit - count);
    }

    /**
     * @return true if a record of this type and length (aligned: {@code aligned}) cannot be in this
     *     ring where {@code room} bytes are left before the end of the buffer (small: inlined per record)
     */
    private boolean isBadRecord(int type, int length, int aligned, long room) {
        return length < HEADER_LENGTH || aligned > room
            || type != PADDING_TYPE && (type < 0 || length - HEADER_LENGTH > maxMessageLength);
    }

    private void registerConsumer() {
        register(CONSUMER_PID_OFFSET, CONSUMER_START_OFFSET, "consumer");
        memory.putLongOpaque(CONSUMER_HEARTBEAT_OFFSET, System.currentTimeMillis());
        consumerHead = memory.getLongVolatile(HEAD_OFFSET);
        freedHead = consumerHead;
        consumerRegistered = 1;
        REGISTERED.add(this);
        skipHanded(memory.getLongVolatile(HANDED_POSITION_OFFSET));
    }

    /**
     * Registering: frees, unread, the records from Head Position up to {@code position}, the
     * Handed Position the last consumer left: it handed them to its handler and died (or was
     * closed) before it freed them, so they are not delivered again (at most once). A position
     * that is not ahead of Head Position, not within a buffer of it, or not at the end of a
     * committed record (a file written by a version without it, or a stale one) skips nothing
     * past the last record it covers whole.
     */
    private void skipHanded(long position) {
        if (position <= consumerHead || position - consumerHead > capacity) {
            return;
        }
        while (consumerHead < position) {
            long head = consumerHead;
            long index = head & mask;
            long header = memory.getLongAcquire(DATA_OFFSET + index);
            int length = recordLength(header);
            int type = RingDescriptor.type(header);
            int aligned = align(length);
            if (length <= 0 || aligned > position - head) {
                return;
            }
            if (isBadRecord(type, length, aligned, capacity - index)) {
                throw corruptRecord(head, length, type);
            }
            consumed(head, index, aligned, false);
        }
    }

    /** @return where the consumer reads next: its own position once registered, else Head Position */
    private long readPosition() {
        return consumerRegistered != 0 ? consumerHead : memory.getLongVolatile(HEAD_OFFSET);
    }

    private RegionFormatException corruptRecord(long position, int length, int type) {
        return new RegionFormatException(what + " has a corrupt record at position " + position + ": length " + length
            + ", type " + type);
    }

    /**
     * The header at {@code head + bytes} ends the committed records. MPSC: a claimed record, or
     * space claimed whose header is not written yet, checked for a stall (this reads the producers'
     * tail line, taking it from them, and the clock). SPSC: see {@link #checkSpscEnd}.
     */
    private void endOfRecords(long head, int bytes, long header) {
        if (multiProducer) {
            checkStall(head, header);
        } else {
            checkSpscEnd(head + bytes);
        }
    }

    /**
     * After a read: frees what it consumed, and now and then beats the consumer's heart.
     *
     * <p>SPSC: moves Head Position at once (the producer zeroes the header slot after each record it claims,
     * so consumed space needs no zeroing).
     *
     * <p>MPSC: free space must read as 0 (that is how claims and the consumer tell committed records
     * apart), and the consumer frees it in steps: Head Position moves when the consumer has caught
     * up with the producers (the next record is not committed), reached the end of the buffer,
     * consumed {@link #freeStep} bytes (a sixteenth of the capacity), or sees a producer asleep
     * waiting for space. Until then the run
     * consumed since Head Position is zeroed but for its first header, which is a padding record
     * spanning the run, so a consumer that takes over after this one died skips it: nothing is
     * delivered twice. Moving Head Position for every message, with producers claiming the space
     * it frees at once, sends the cache line of the record being consumed back and forth between
     * the consumer and a producer for every message: in steps, the producers write where the
     * consumer is no longer reading (MPSC with 2 producer JVMs, 64 B: 13.3 M msg/s against 5.2-5.6 M
     * in A/B runs here).
     */
    private void consumed(long head, long headIndex, int bytes, boolean caughtUp) {
        // Small, the MPSC and heartbeat paths in methods of their own, so that the JIT inlines it.
        if (bytes > 0) {
            long end = head + bytes;
            consumerHead = end;
            stallHead = -1;
            emptyReads = 0;
            if (!multiProducer) {
                // The head, then the producers' wait word read through the same segment: one check.
                producerWord.wakeAllIfWatched(MemoryAccess.putLongReleaseThenGetIntVolatile(segment, HEAD_OFFSET, end,
                    PRODUCER_WAIT_OFFSET + WaitWord.COUNTS_OFFSET));
            } else {
                consumedShared(headIndex, bytes, end, caughtUp);
            }
        } else if (multiProducer && consumerHead != freedHead) {
            free(); // nothing more to read: free what was consumed
        }
        if ((++reads & 0xFF) == 0) {
            heartbeat();
        }
    }

    /** MPSC: the run read so far becomes one padding record, freed now or at a later step. */
    private void consumedShared(long headIndex, int bytes, long end, boolean caughtUp) {
        long runIndex = freedHead & mask;
        MemorySegment memorySegment = segment; // read once: see finishExclusive
        // First the padding that covers what was read (a consumer killed here skips it), then
        // the zeroing of what it covers.
        MemoryAccess.putLongPlain(memorySegment, DATA_OFFSET + runIndex, header((int) (end - freedHead), PADDING_TYPE));
        long from = runIndex == headIndex ? headIndex + HEADER_LENGTH : headIndex;
        buffer.asSlice(from, headIndex + bytes - from).fill((byte) 0);
        if (caughtUp || (end & mask) == 0 || end - freedHead >= freeStep || producerWord.sleepers() != 0
            || recordLength(MemoryAccess.getLongAcquire(memorySegment, DATA_OFFSET + (end & mask))) <= 0) {
            free();
        }
    }

    private void heartbeat() {
        memory.putLongOpaque(CONSUMER_HEARTBEAT_OFFSET, System.currentTimeMillis());
    }

    /** MPSC: frees the consumed run: its padding header zeroed, then Head Position moved over it. */
    private void free() {
        memory.putLongPlain(DATA_OFFSET + (freedHead & mask), 0L);
        memory.putLongRelease(HEAD_OFFSET, consumerHead);
        freedHead = consumerHead;
        producerWord.wakeAllAfterRelease();
    }

    /**
     * SPSC: the consumer follows committed headers up to one that is not positive and never needs
     * the tail. Each claim zeroes the header slot after its record and marks its own header claimed
     * (negative length), commit then writes the committed header (a release store, then the tail),
     * and only the producer writes headers, so the records from the head form a chain that ends at
     * a zero or claimed header. A consumer waiting for the next message polls one line (the
     * header at the head) rather than the tail's and then the record's: one cache-line transfer per
     * message instead of two, about twice the messages/s of tail polling measured here (bin/bench
     * SpscThroughput, 64 B: 14.0-15.8 M against 7.5-8.4 M in the same VM state) and half the spin
     * round trip.
     *
     * <p>Called for a header at {@code position} that ends the chain after every 256 empty reads in
     * a row: a tail beyond a header that is not positive is corruption.
     */
    private void checkSpscEnd(long position) {
        long tail = memory.getLongAcquire(TAIL_OFFSET);
        // Commit writes the header before the tail: a tail seen past this position means the header
        // must read as committed now, unless the ring is corrupt.
        long now = memory.getLongAcquire(DATA_OFFSET + (position & mask));
        if ((tail > position && recordLength(now) <= 0) || tail - position > capacity) {
            throw new RegionFormatException(what + " has a corrupt record at position " + position + ": header "
                + now + " below the tail " + tail + " (corrupt positions or record)");
        }
    }

    /** Hands at most one message to {@code handler}; see {@link #read}. */
    public int poll(MessageHandler handler) {
        return read(handler, 1);
    }

    /**
     * Waits for one message and hands it to {@code handler}.
     *
     * @return true once a message was handled, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     * @throws PeerDiedException    on an SPSC ring whose producer died, once it is drained
     */
    public boolean take(MessageHandler handler, long timeout, TimeUnit unit) throws InterruptedException {
        return take(handler, timeout, unit, LivenessCheck.NONE);
    }

    /** {@link #take(MessageHandler, long, TimeUnit)}, also calling {@code liveness} between waits. */
    public boolean take(MessageHandler handler, long timeout, TimeUnit unit, LivenessCheck liveness)
        throws InterruptedException {
        LivenessCheck check = liveness == LivenessCheck.NONE ? consumerLiveness : () -> {
            consumerLiveness.check();
            liveness.check();
        };
        return waitStrategy.retry(consumerWord, () -> read(handler, 1) > 0, this::headReady, unit.toNanos(timeout), check);
    }

    /** Takes without a timeout (interruptible). */
    public void take(MessageHandler handler) throws InterruptedException {
        take(handler, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    private final LivenessCheck consumerLiveness = this::checkProducersWhileWaiting;
    private final LivenessCheck producerLiveness = this::checkConsumer;

    private boolean headReady() {
        long head = readPosition();
        if (!multiProducer) {
            return memory.getLongAcquire(TAIL_OFFSET) > head;
        }
        return recordLength(memory.getLongAcquire(DATA_OFFSET + (head & mask))) > 0;
    }

    private void checkProducersWhileWaiting() {
        long head = readPosition();
        if (multiProducer) {
            checkStall(head, memory.getLongVolatile(DATA_OFFSET + (head & mask)));
        }
        if (!multiProducer && memory.getLongVolatile(TAIL_OFFSET) <= head) {
            long producerPid = memory.getLongVolatile(PRODUCER_PID_OFFSET);
            if (producerPid != 0) {
                ProcessIdentity producer = region.peer("producer pid", producerPid, memory.getLongVolatile(PRODUCER_START_OFFSET));
                if (!producer.isAlive()) {
                    throw new PeerDiedException(producer, "waiting for a message in " + what);
                }
            }
        }
    }

    /** The record at head is not committed: if that has lasted past the unblock timeout, skip it. */
    private void checkStall(long head, long header) {
        if (memory.getLongVolatile(TAIL_OFFSET) == head) {
            stallHead = -1;
            return;
        }
        long now = System.nanoTime();
        if (stallHead != head) {
            stallHead = head;
            stallStart = now;
            return;
        }
        if (now - stallStart >= unblockTimeoutNanos) {
            unblock(head, header);
            stallHead = -1;
        }
    }

    private void unblock(long head, long header) {
        long index = head & mask;
        long limit = liveClaimLimit(head, Math.min(memory.getLongVolatile(TAIL_OFFSET) - head, capacity - index));
        if (limit <= 0) {
            return; // a live producer's claim: it will commit or abort
        }
        int length = recordLength(header);
        long skip;
        if (length < 0) {
            int recordLength = -length;
            if (recordLength < HEADER_LENGTH || recordLength - HEADER_LENGTH > maxMessageLength
                || align(recordLength) > capacity - index) {
                throw new RegionFormatException(what + " has a corrupt claimed record at position "
                    + head + ": length " + recordLength);
            }
            skip = align(recordLength);
        } else {
            // Claimed by a dead producer that never wrote its header: free space up to the next written
            // header or the first position a live producer claims.
            skip = ALIGNMENT;
            while (skip < limit && memory.getLongVolatile(DATA_OFFSET + index + skip) == 0) {
                skip += ALIGNMENT;
            }
        }
        if (memory.compareAndSetLong(DATA_OFFSET + index, header, header((int) skip, PADDING_TYPE))) {
            memory.getAndAddLong(ABANDONED_RECORDS_OFFSET, 1);
            memory.getAndAddLong(ABANDONED_BYTES_OFFSET, skip);
        }
    }

    // ------------------------------------------------------------------ introspection

    /** @return the data capacity in bytes */
    public int capacity() {
        return capacity;
    }

    /** @return the longest message accepted */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** @return true for a many-producer ring */
    public boolean isMultiProducer() {
        return multiProducer;
    }

    /** @return how many threads may produce at a time into this MPSC ring (0 for SPSC) */
    public int producerSlots() {
        return producerSlots;
    }

    /**
     * @return MPSC: one pid per producer slot held by a live process (a pid appears once per thread
     *         of it that produces); empty for SPSC. Reads /proc: for monitoring, not hot paths.
     */
    public List<Long> producerSlotPids() {
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < producerSlots; i++) {
            long base = slotsOffset + (long) i * SLOT_LENGTH;
            long pid = memory.getLongVolatile(base + SLOT_PID);
            if (pid != 0 && region.peer("producer slot pid", pid, memory.getLongVolatile(base + SLOT_START)).isAlive()) {
                pids.add(pid);
            }
        }
        return pids;
    }

    /**
     * @return bytes claimed but not yet freed by the consumer (records, headers and padding),
     *         0..capacity; an MPSC consumer frees what it read in steps (at the latest when it has
     *         caught up, or read a sixteenth of the capacity)
     */
    public long size() {
        long head;
        long tail;
        do {
            head = memory.getLongVolatile(HEAD_OFFSET);
            tail = memory.getLongVolatile(TAIL_OFFSET);
        } while (head != memory.getLongVolatile(HEAD_OFFSET));
        return Math.max(0, Math.min(capacity, tail - head));
    }

    /** @return total bytes ever claimed by producers */
    public long producerPosition() {
        return memory.getLongVolatile(TAIL_OFFSET);
    }

    /** @return total bytes ever freed by the consumer (see {@link #size()}) */
    public long consumerPosition() {
        return memory.getLongVolatile(HEAD_OFFSET);
    }

    /**
     * @return the end of the record the consumer last handed to its handler (0 if none yet): ahead
     *     of {@link #consumerPosition()} by what it has read and not yet freed (behind it only where
     *     a version without this field consumed); a consumer that registers after one died in its
     *     handler starts here (see Faults in the class documentation)
     */
    public long handedPosition() {
        return memory.getLongVolatile(HANDED_POSITION_OFFSET);
    }

    /** @return when the consumer last read, in ms since the epoch (0 if never) */
    public long consumerHeartbeat() {
        return memory.getLongOpaque(CONSUMER_HEARTBEAT_OFFSET);
    }

    /** @return records skipped because they stalled past the unblock timeout */
    public long abandonedRecords() {
        return memory.getLongVolatile(ABANDONED_RECORDS_OFFSET);
    }

    /** @return the ring's data, where claimed messages are written and read messages live */
    public MemorySegment buffer() {
        return buffer;
    }

    /** @return the region holding the ring */
    public Region region() {
        return region;
    }

    /**
     * Waits until a message can be read, without reading it.
     *
     * @return true if one is ready, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitReadable(long timeout, TimeUnit unit, LivenessCheck liveness) throws InterruptedException {
        if (multiProducer && consumerRegistered != 0 && consumerHead != freedHead) {
            free(); // about to wait: producers may be waiting for what was consumed
        }
        return waitStrategy.await(consumerWord, this::headReady, unit.toNanos(timeout), () -> {
            consumerLiveness.check();
            liveness.check();
        });
    }

    /** @return true if no committed message is waiting at the head */
    public boolean isEmpty() {
        return !headReady();
    }

    /**
     * Unmaps this handle (the ring stays for other processes; see {@link Region#unlink()}). On an
     * MPSC ring it first gives back the producer slots of its threads: a claim they left
     * uncommitted is skipped after the unblock timeout.
     */
    @Override
    public void close() {
        synchronized (ownSlots) {
            if (!region.isClosed()) {
                for (ProducerSlot slot : ownSlots) {
                    memory.putLongVolatile(slot.claimOffset, NO_CLAIM);
                    memory.putLongVolatile(slot.base() + SLOT_PID, 0);
                }
            }
            ownSlots.clear();
        }
        if (multiProducer && consumerRegistered != 0 && consumerHead != freedHead && !region.isClosed()
            && memory.getLongVolatile(HEAD_OFFSET) == freedHead) {
            free(); // unless another consumer handle has read on since (it skipped this run's padding)
        }
        releaseRegistrations();
        REGISTERED.remove(this);
        region.close();
    }

    @Override
    public String toString() {
        return "RingBuffer[" + what + ", " + (multiProducer ? "MPSC" : "SPSC") + ", capacity " + capacity
            + ", max message " + maxMessageLength + "]";
    }

}
