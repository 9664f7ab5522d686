package io.interproc.queue.mpmc;

import static io.interproc.queue.mpmc.MpmcQueueDescriptor.ABANDONED_DEQUEUES_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.ABANDONED_ENQUEUES_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CONSUMER_WAIT_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.HEAD_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.LENGTH_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.MESSAGE_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.PRODUCER_WAIT_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.SEQUENCE_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.SKIP_BIT;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.SLOTS_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.TAIL_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.TYPE_OFFSET;

import io.interproc.core.Copy;
import io.interproc.core.LivenessCheck;
import io.interproc.core.MemoryAccess;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.WaitStrategy;
import io.interproc.core.WaitWord;
import io.interproc.queue.ring.MessageHandler;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A bounded queue of messages in a named shared region with competing consumers: any number of
 * processes put, any number take, and each message goes to exactly one taker — Python's
 * {@code multiprocessing.Queue}, between unrelated JVMs. Messages have a fixed maximum size; each
 * occupies one slot. Layout in {@link MpmcQueueDescriptor}.
 *
 * <p><b>Calls.</b> {@link #offer} and {@link #poll} never block; {@link #put} and {@link #take}
 * wait (timed and untimed forms, interruptible), sleeping in the kernel when there is nothing to do
 * and woken by the peer's next take or put. Order: messages are taken in the order their slots
 * were claimed; one producer thread's messages arrive in the order it put them (to competing
 * consumers, each sees them in that relative order).
 *
 * <p><b>Zero copies, one copy.</b> A message is copied into its slot by the producer, and out of
 * the slot into this handle's buffer by the consumer before the slot is freed: the handler sees a
 * private copy, so a slow handler never holds up producers.
 *
 * <p><b>Faults.</b> A producer that dies (or stalls past the {@link #unblockTimeout unblock
 * timeout}) between claiming a slot and publishing it: consumers skip that slot after the timeout
 * and count it ({@link #abandonedEnqueues()}); a stalled producer's late publication fails and
 * {@code offer} returns false. A consumer that dies between claiming a message and freeing its
 * slot loses that message (at most once) and producers reclaim the slot after the timeout
 * ({@link #abandonedDequeues()}). Corrupt lengths are reported as {@link RegionFormatException}.
 *
 * <p><b>Threads.</b> All methods are thread-safe except that each thread should use its own handle
 * for {@link #poll}/{@link #take} (a handle's copy buffer is reused); settings are for
 * configuration before use.
 */
public final class MpmcQueue implements AutoCloseable {
    /** Default time a stalled slot may hold up the queue before it is skipped or reclaimed. */
    public static final Duration DEFAULT_UNBLOCK_TIMEOUT = Duration.ofSeconds(1);

    private final Region region;
    private final MemoryAccess memory;
    private final int capacity;
    private final long mask;
    private final int maxMessageLength;
    private final long slotLength;
    private final WaitWord consumerWord;
    private final WaitWord producerWord;
    private final MemorySegment copy;
    /** {@link #copy} as handlers get it: read-only, as a ring's view is. */
    private final MemorySegment copyView;

    private WaitStrategy waitStrategy = WaitStrategy.blocking();
    private long unblockTimeoutNanos = DEFAULT_UNBLOCK_TIMEOUT.toNanos();
    private long stallPosition = -1;
    private long stallStart;

    private MpmcQueue(Region region) {
        this.region = region;
        this.memory = region.memory();
        long cap = region.parameter(0);
        long max = region.parameter(1);
        String what = "queue '" + region.name() + "'";
        if (cap < 2 || cap > (1 << 24) || Long.bitCount(cap) != 1) {
            throw new RegionFormatException(what + " has a corrupt capacity " + cap + " (a power of two from 2 to 2^24)");
        }
        if (max < 0 || max > (1 << 24)) {
            throw new RegionFormatException(what + " has a corrupt max message length " + max);
        }
        this.slotLength = MpmcQueueDescriptor.slotLength((int) max);
        if (region.body().byteSize() != SLOTS_OFFSET + cap * slotLength) {
            throw new RegionFormatException(what + " has a " + region.body().byteSize() + "-byte body; " + cap
                + " slots of " + slotLength + " bytes need " + (SLOTS_OFFSET + cap * slotLength));
        }
        this.capacity = (int) cap;
        this.mask = cap - 1;
        this.maxMessageLength = (int) max;
        this.consumerWord = region.waitWord(CONSUMER_WAIT_OFFSET);
        this.producerWord = region.waitWord(PRODUCER_WAIT_OFFSET);
        this.copy = Arena.ofAuto().allocate(Math.max(1, max), 8);
        this.copyView = copy.asReadOnly();
        long head;
        long tail;
        int attempts = 0;
        do {
            head = memory.getLongVolatile(HEAD_OFFSET);
            tail = memory.getLongVolatile(TAIL_OFFSET);
        } while (head != memory.getLongVolatile(HEAD_OFFSET) && ++attempts < 1_000);
        if (attempts < 1_000 && (head < 0 || tail < head || tail - head > cap)) {
            throw new RegionFormatException(what + " has corrupt positions: head " + head + ", tail " + tail
                + ", capacity " + cap);
        }
    }

    /**
     * Creates a queue of {@code capacity} slots (a power of two) for messages of up to
     * {@code maxMessageLength} bytes.
     */
    public static MpmcQueue create(RegionDirectory directory, String name, int capacity, int maxMessageLength) {
        return directory.create(name, spec(capacity, maxMessageLength), MpmcQueue::initialize).as(MpmcQueue::new);
    }

    /** Opens an existing queue, checking its header and layout. */
    public static MpmcQueue open(RegionDirectory directory, String name) {
        return directory.open(name, MpmcQueueDescriptor.TYPE).as(MpmcQueue::new);
    }

    /** Opens the queue, or creates it with these settings; an existing one must have the same ones. */
    public static MpmcQueue openOrCreate(RegionDirectory directory, String name, int capacity, int maxMessageLength) {
        return directory.openOrCreate(name, spec(capacity, maxMessageLength), MpmcQueue::initialize).as(MpmcQueue::new);
    }

    private static RegionSpec spec(int capacity, int maxMessageLength) {
        if (capacity < 2 || capacity > (1 << 24) || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("queue capacity must be a power of two from 2 to 2^24, got " + capacity);
        }
        if (maxMessageLength < 0 || maxMessageLength > (1 << 24)) {
            throw new IllegalArgumentException("max message length must be 0 to 2^24, got " + maxMessageLength);
        }
        long body = SLOTS_OFFSET + capacity * MpmcQueueDescriptor.slotLength(maxMessageLength);
        return new RegionSpec(MpmcQueueDescriptor.TYPE, body, capacity, maxMessageLength);
    }

    /** Slot i starts free for position i. */
    private static void initialize(Region region) {
        long capacity = region.parameter(0);
        long slotLength = MpmcQueueDescriptor.slotLength((int) region.parameter(1));
        MemoryAccess memory = region.memory();
        for (long i = 0; i < capacity; i++) {
            memory.putLongPlain(SLOTS_OFFSET + i * slotLength + SEQUENCE_OFFSET, i);
        }
    }

    /** Sets how blocking calls wait; returns this. */
    public MpmcQueue waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    /** Sets how long a stalled slot may hold up the queue; returns this. */
    public MpmcQueue unblockTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("unblock timeout must not be negative, got " + timeout);
        }
        this.unblockTimeoutNanos = timeout.toNanos();
        return this;
    }

    private long slot(long position) {
        return SLOTS_OFFSET + (position & mask) * slotLength;
    }

    // ------------------------------------------------------------------ producing

    /** Copies {@code message} in; false if the queue is full. Never blocks. */
    public boolean offer(int type, byte[] message) {
        return offer(type, MemorySegment.ofArray(message));
    }

    /**
     * Copies {@code message} in as one message of {@code type}; false if the queue is full (or the
     * slot claimed was given away after this producer stalled past the unblock timeout). Never blocks.
     *
     * @throws IllegalArgumentException if the message is longer than {@link #maxMessageLength()}
     */
    public boolean offer(int type, MemorySegment message) {
        long length = message.byteSize();
        if (length > maxMessageLength) {
            throw new IllegalArgumentException("message of " + length + " bytes exceeds the maximum message length "
                + maxMessageLength + " of queue '" + region.name() + "'");
        }
        long position = memory.getLongVolatile(TAIL_OFFSET);
        while (true) {
            long slot = slot(position);
            long sequence = memory.getLongAcquire(slot + SEQUENCE_OFFSET);
            long difference = (sequence & ~SKIP_BIT) - position;
            if (difference == 0) {
                if (memory.compareAndSetLong(TAIL_OFFSET, position, position + 1)) {
                    break;
                }
                position = memory.getLongVolatile(TAIL_OFFSET);
            } else if (difference < 0) {
                // The slot still holds the message of position - capacity: full, or its consumer stalled.
                if (!reclaimIfStalled(position - capacity, slot, sequence)) {
                    return false;
                }
            } else {
                position = memory.getLongVolatile(TAIL_OFFSET);
            }
        }
        long slot = slot(position);
        memory.putIntPlain(slot + LENGTH_OFFSET, (int) length);
        memory.putIntPlain(slot + TYPE_OFFSET, type);
        Copy.copy(message, 0, region.body(), slot + MESSAGE_OFFSET, length);
        if (!memory.compareAndSetLong(slot + SEQUENCE_OFFSET, position, position + 1)) {
            return false; // a consumer skipped this slot while we stalled
        }
        consumerWord.wakeAllAfterVolatileWrite();
        return true;
    }

    /**
     * Copies {@code message} in, waiting while the queue is full.
     *
     * @return true once offered, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean put(int type, byte[] message, long timeout, TimeUnit unit) throws InterruptedException {
        return waitStrategy.retry(producerWord, () -> offer(type, message), this::hasFreeSlot, unit.toNanos(timeout),
            LivenessCheck.NONE);
    }

    /** Puts without a timeout (interruptible). */
    public void put(int type, byte[] message) throws InterruptedException {
        put(type, message, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    private boolean hasFreeSlot() {
        long position = memory.getLongVolatile(TAIL_OFFSET);
        long sequence = memory.getLongAcquire(slot(position) + SEQUENCE_OFFSET) & ~SKIP_BIT;
        long held = position - capacity;
        // Free, or held past the unblock timeout by a consumer that claimed it (offer reclaims it).
        return sequence - position >= 0 || (memory.getLongVolatile(HEAD_OFFSET) > held && stallPosition == held
            && System.nanoTime() - stallStart >= unblockTimeoutNanos);
    }

    /** A consumer claimed position {@code held} but never freed its slot: after the timeout, free it. */
    private boolean reclaimIfStalled(long held, long slot, long sequence) {
        if (memory.getLongVolatile(HEAD_OFFSET) <= held) {
            return false; // genuinely full: the message is not taken yet
        }
        if (!stalled(held)) {
            return false;
        }
        if (memory.compareAndSetLong(slot + SEQUENCE_OFFSET, sequence, held + capacity)) {
            memory.getAndAddLong(ABANDONED_DEQUEUES_OFFSET, 1);
        }
        return true;
    }

    private boolean stalled(long position) {
        long now = System.nanoTime();
        if (stallPosition != position) {
            stallPosition = position;
            stallStart = now;
            return unblockTimeoutNanos == 0;
        }
        return now - stallStart >= unblockTimeoutNanos;
    }

    // ------------------------------------------------------------------ consuming

    /**
     * Takes one message, if any, and hands the handler a copy. Never blocks.
     *
     * @return 1 if a message was handled, 0 if none was ready
     */
    public int poll(MessageHandler handler) {
        long position = memory.getLongVolatile(HEAD_OFFSET);
        while (true) {
            long slot = slot(position);
            long sequence = memory.getLongAcquire(slot + SEQUENCE_OFFSET);
            long committed = position + 1;
            if (sequence == committed || sequence == (committed | SKIP_BIT)) {
                if (memory.compareAndSetLong(HEAD_OFFSET, position, position + 1)) {
                    return consume(handler, position, slot, sequence);
                }
                position = memory.getLongVolatile(HEAD_OFFSET);
            } else if (sequence == position) {
                // Claimed by a producer, not yet published: empty, or the producer stalled.
                if (memory.getLongVolatile(TAIL_OFFSET) <= position || !stalled(position)) {
                    return 0;
                }
                if (memory.compareAndSetLong(slot + SEQUENCE_OFFSET, position, committed | SKIP_BIT)) {
                    memory.getAndAddLong(ABANDONED_ENQUEUES_OFFSET, 1);
                }
            } else if (sequence - position < 0) {
                return 0;
            } else {
                position = memory.getLongVolatile(HEAD_OFFSET);
            }
        }
    }

    private int consume(MessageHandler handler, long position, long slot, long sequence) {
        boolean skipped = (sequence & SKIP_BIT) != 0;
        int length = memory.getIntPlain(slot + LENGTH_OFFSET);
        int type = memory.getIntPlain(slot + TYPE_OFFSET);
        if (!skipped && (length < 0 || length > maxMessageLength)) {
            release(slot, sequence, position);
            throw new RegionFormatException("queue '" + region.name() + "' has a corrupt message length " + length
                + " at position " + position);
        }
        if (!skipped) {
            Copy.copy(region.body(), slot + MESSAGE_OFFSET, copy, 0, length);
        }
        boolean mine = release(slot, sequence, position);
        if (skipped || !mine) {
            return 0;
        }
        handler.onMessage(type, copyView, 0, length);
        return 1;
    }

    /** Frees the slot for the producer of position + capacity; false if a producer already reclaimed it. */
    private boolean release(long slot, long sequence, long position) {
        boolean released = memory.compareAndSetLong(slot + SEQUENCE_OFFSET, sequence, position + capacity);
        producerWord.wakeAllAfterVolatileWrite();
        return released;
    }

    /**
     * Waits for one message and hands the handler a copy.
     *
     * @return true once a message was handled, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean take(MessageHandler handler, long timeout, TimeUnit unit) throws InterruptedException {
        return waitStrategy.retry(consumerWord, () -> poll(handler) > 0, this::hasMessageOrStall, unit.toNanos(timeout),
            LivenessCheck.NONE);
    }

    /** Takes without a timeout (interruptible). */
    public void take(MessageHandler handler) throws InterruptedException {
        take(handler, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    private boolean hasMessageOrStall() {
        long position = memory.getLongVolatile(HEAD_OFFSET);
        long sequence = memory.getLongAcquire(slot(position) + SEQUENCE_OFFSET);
        // A message, or a claimed slot (poll decides whether its producer stalled past the timeout).
        return sequence - (position + 1) >= 0 || (sequence == position && memory.getLongVolatile(TAIL_OFFSET) > position
            && stallPosition == position && System.nanoTime() - stallStart >= unblockTimeoutNanos);
    }

    // ------------------------------------------------------------------ introspection

    /** @return the number of slots */
    public int capacity() {
        return capacity;
    }

    /** @return the longest message accepted */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** @return messages claimed by producers and not yet taken (approximate while others run) */
    public long size() {
        long head = memory.getLongVolatile(HEAD_OFFSET);
        long tail = memory.getLongVolatile(TAIL_OFFSET);
        return Math.max(0, Math.min(capacity, tail - head));
    }

    /**
     * @return messages ever claimed by consumers (taken, or being taken): the position of the next
     *         take. With a single producer thread, the message it put n-th (from 0) is taken at
     *         position n, so everything it put before this position has left the queue.
     */
    public long consumerPosition() {
        return memory.getLongVolatile(HEAD_OFFSET);
    }

    /** @return slots ever claimed by producers: the position of the next put */
    public long producerPosition() {
        return memory.getLongVolatile(TAIL_OFFSET);
    }

    /** @return slots skipped because their producer stalled past the unblock timeout */
    public long abandonedEnqueues() {
        return memory.getLongVolatile(ABANDONED_ENQUEUES_OFFSET);
    }

    /** @return slots reclaimed because their consumer stalled past the unblock timeout */
    public long abandonedDequeues() {
        return memory.getLongVolatile(ABANDONED_DEQUEUES_OFFSET);
    }

    /** @return the region holding the queue */
    public Region region() {
        return region;
    }

    /** Unmaps this handle. */
    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "MpmcQueue[" + region.name() + ", " + capacity + " slots of up to " + maxMessageLength + " bytes]";
    }
}
