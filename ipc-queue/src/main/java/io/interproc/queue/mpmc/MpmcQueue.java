package io.interproc.queue.mpmc;

import static io.interproc.queue.mpmc.MpmcQueueDescriptor.ABANDONED_DEQUEUES_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.ABANDONED_ENQUEUES_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CONSUMER_CLAIM;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.CONSUMER_WAIT_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.HEAD_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.LENGTH_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.MESSAGE_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.NO_CLAIM;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.PRODUCER_WAIT_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.SEQUENCE_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.SKIP_BIT;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.SLOTS_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.TAIL_OFFSET;
import static io.interproc.queue.mpmc.MpmcQueueDescriptor.TYPE_OFFSET;

import io.interproc.core.LivenessCheck;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.Copy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import io.interproc.queue.MessageReceiver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * <p><b>Faults.</b> A peer that is only slow — a GC pause, SIGSTOP, a descheduled thread — is
 * waited for, however long: its put or take completes when it runs again, and nothing it claimed
 * is given to anyone else meanwhile (the queue holds back behind its slot). Only a process that
 * died is overtaken (each claim names its process, see {@link MpmcQueueDescriptor}): a producer
 * killed between claiming a slot and publishing it never acknowledged that message, and consumers
 * skip the slot within one wait slice ({@link #abandonedEnqueues()}); a consumer killed between
 * claiming a message and freeing its slot loses that message (at most once, as one killed in its
 * handler does), and producers reclaim the slot ({@link #abandonedDequeues()}). A corrupt length
 * or slot sequence is reported as {@link RegionFormatException}; no call spins on one.
 *
 * <p><b>Threads.</b> All methods are thread-safe except that each thread should use its own handle
 * for {@link #poll}/{@link #take} (a handle's copy buffer is reused); settings are for
 * configuration before use.
 */
public final class MpmcQueue implements AutoCloseable {
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

    private final ClaimTable claims;
    private WaitStrategy waitStrategy = WaitStrategy.blocking();

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
        this.claims = new ClaimTable(memory, what, this::settled);
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
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param capacity capacity, a power of two
     * @param maxMessageLength longest message
     * @return a handle on it
     */
    public static MpmcQueue create(RegionDirectory directory, String name, int capacity, int maxMessageLength) {
        return directory.create(name, spec(capacity, maxMessageLength), MpmcQueue::initialize).as(MpmcQueue::new);
    }

    /**
     * Opens an existing queue, checking its header and layout.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static MpmcQueue open(RegionDirectory directory, String name) {
        return directory.open(name, MpmcQueueDescriptor.TYPE).as(MpmcQueue::new);
    }

    /**
     * Opens the queue, or creates it with these settings; an existing one must have the same ones.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param capacity capacity, a power of two
     * @param maxMessageLength longest message
     * @return a handle on it
     */
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

    /**
     * Sets how blocking calls wait; returns this.
     *
     * @param strategy how to wait
     * @return this handle
     */
    public MpmcQueue waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    private long slot(long position) {
        return SLOTS_OFFSET + (position & mask) * slotLength;
    }

    // ------------------------------------------------------------------ producing

    /**
     * Copies {@code message} in; false if the queue is full. Never blocks.
     *
     * @param type message type, &gt;= 0
     * @param message the message
     */
    public boolean offer(int type, byte[] message) {
        return offer(type, MemorySegment.ofArray(message));
    }

    /**
     * Copies {@code message} in as one message of {@code type}; false if the queue is full (or its
     * next slot is still held by a slow consumer). Never blocks.
     *
     * @param type message type, &gt;= 0
     * @param message the message
     * @throws IllegalArgumentException if the message is longer than {@link #maxMessageLength()}
     * @throws RegionFormatException    if a slot sequence is corrupt
     */
    public boolean offer(int type, MemorySegment message) {
        checkOpen();
        long length = message.byteSize();
        if (length > maxMessageLength) {
            throw new IllegalArgumentException("message of " + length + " bytes exceeds the maximum message length "
                + maxMessageLength + " of queue '" + region.name() + "'");
        }
        long claim = claims.acquire();
        try {
            return offer(type, message, length, claim);
        } finally {
            claims.release(claim);
        }
    }

    private boolean offer(int type, MemorySegment message, long length, long claim) {
        long position = memory.getLongVolatile(TAIL_OFFSET);
        while (true) {
            long slot = slot(position);
            long sequence = memory.getLongAcquire(slot + SEQUENCE_OFFSET);
            long difference = (sequence & ~SKIP_BIT) - position;
            if (difference == 0) {
                memory.putLongVolatile(claim, position); // named before it is ours: see MpmcQueueDescriptor
                if (memory.compareAndSetLong(TAIL_OFFSET, position, position + 1)) {
                    break;
                }
                position = memory.getLongVolatile(TAIL_OFFSET);
            } else if (difference == 1 - capacity || difference == -capacity) {
                // The slot still holds the message of position - capacity (or its producer has not published
                // it): full, or its consumer is slow or dead.
                if (difference == -capacity || !reclaimIfConsumerDied(position - capacity, slot, sequence)) {
                    memory.putLongRelease(claim, NO_CLAIM);
                    return false;
                }
            } else {
                long tail = memory.getLongVolatile(TAIL_OFFSET);
                if (difference < 0 || tail == position) {
                    memory.putLongRelease(claim, NO_CLAIM);
                    checkSequence(false, sequence, position, "producer");
                }
                position = tail;
            }
        }
        long slot = slot(position);
        memory.putIntPlain(slot + LENGTH_OFFSET, (int) length);
        memory.putIntPlain(slot + TYPE_OFFSET, type);
        boolean published = false;
        try {
            Copy.copy(message, 0, region.body(), slot + MESSAGE_OFFSET, length);
            // Only a peer that judged this process dead could have moved the sequence: then nothing is published.
            published = memory.compareAndSetLong(slot + SEQUENCE_OFFSET, position, position + 1);
        } finally {
            if (!published) {
                memory.compareAndSetLong(slot + SEQUENCE_OFFSET, position, (position + 1) | SKIP_BIT); // the source failed
            }
            memory.putLongRelease(claim, NO_CLAIM);
        }
        consumerWord.wakeAllAfterVolatileWrite();
        return published;
    }

    /** @throws RegionFormatException naming the slot sequence, unless {@code sound} */
    private void checkSequence(boolean sound, long sequence, long position, String side) {
        if (!sound) {
            throw new RegionFormatException("queue '" + region.name() + "' is corrupt: the sequence of the slot for "
                + side + " position " + position + " is " + sequence + " (head " + memory.getLongVolatile(HEAD_OFFSET)
                + ", tail " + memory.getLongVolatile(TAIL_OFFSET) + ", capacity " + capacity + ")");
        }
    }

    /**
     * Copies {@code message} in, waiting while the queue is full.
     *
     * @param type message type, &gt;= 0
     * @param message the message
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return true once offered, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean put(int type, byte[] message, long timeout, TimeUnit unit) throws InterruptedException {
        return Waiter.of(waitStrategy).retry(producerWord, () -> offer(type, message), this::hasFreeSlot, unit.toNanos(timeout),
            LivenessCheck.NONE);
    }

    /**
     * Puts without a timeout (interruptible).
     *
     * @param type message type, &gt;= 0
     * @param message the message
     * @throws InterruptedException if interrupted while waiting
     */
    public void put(int type, byte[] message) throws InterruptedException {
        put(type, message, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** Free, held by a consumer that died (offer reclaims it), or a sequence offer must report. */
    private boolean hasFreeSlot() {
        long position = memory.getLongVolatile(TAIL_OFFSET);
        long sequence = memory.getLongAcquire(slot(position) + SEQUENCE_OFFSET);
        long difference = (sequence & ~SKIP_BIT) - position;
        if (difference == -capacity) {
            return false;
        }
        if (difference == 1 - capacity) {
            long held = position - capacity;
            return memory.getLongVolatile(HEAD_OFFSET) > held && !claims.claimedByLiveProcess(held | CONSUMER_CLAIM);
        }
        return true;
    }

    /**
     * A consumer claimed position {@code held} and has not freed its slot: if no live process names
     * that claim (it died), frees the slot for the producer of {@code held + capacity}.
     *
     * @return true if the slot may be free now (look again), false if the queue is full or the consumer is alive
     */
    private boolean reclaimIfConsumerDied(long held, long slot, long sequence) {
        if (memory.getLongVolatile(HEAD_OFFSET) <= held || (sequence & ~SKIP_BIT) != held + 1) {
            return false; // genuinely full (the message is not taken yet), or a sequence that is not a claimed message
        }
        if (claims.claimedByLiveProcess(held | CONSUMER_CLAIM)) {
            return false;
        }
        if (memory.compareAndSetLong(slot + SEQUENCE_OFFSET, sequence, held + capacity)) {
            memory.getAndAddLong(ABANDONED_DEQUEUES_OFFSET, 1);
            producerWord.wakeAllAfterVolatileWrite();
        }
        return true;
    }

    /** For the claim table: true once a claim's slot no longer waits for its claimer. */
    private boolean settled(long claim) {
        long position = claim & ~CONSUMER_CLAIM;
        long sequence = memory.getLongVolatile(slot(position) + SEQUENCE_OFFSET) & ~SKIP_BIT;
        return (claim & CONSUMER_CLAIM) != 0 ? sequence != position + 1 : sequence != position;
    }

    // ------------------------------------------------------------------ consuming

    /**
     * Takes one message, if any, and hands the handler a copy. Never blocks.
     *
     * @param handler gets each message, zero-copy, on this thread
     * @return 1 if a message was handled, 0 if none was ready
     * @throws RegionFormatException if a slot sequence or message length is corrupt
     */
    public int poll(MessageReceiver handler) {
        checkOpen();
        long claim = claims.acquire();
        try {
            return poll(handler, claim);
        } finally {
            claims.release(claim);
        }
    }

    private int poll(MessageReceiver handler, long claim) {
        long position = memory.getLongVolatile(HEAD_OFFSET);
        while (true) {
            long slot = slot(position);
            long sequence = memory.getLongAcquire(slot + SEQUENCE_OFFSET);
            long committed = position + 1;
            if (sequence == committed || sequence == (committed | SKIP_BIT)) {
                memory.putLongVolatile(claim, position | CONSUMER_CLAIM); // named before it is ours
                if (memory.compareAndSetLong(HEAD_OFFSET, position, position + 1)) {
                    return consume(handler, claim, position, slot, sequence);
                }
                position = memory.getLongVolatile(HEAD_OFFSET);
            } else if (sequence == position) {
                // Claimed by a producer, not yet published: empty, or the producer is slow or dead.
                if (memory.getLongVolatile(TAIL_OFFSET) <= position || !skipIfProducerDied(position, slot)) {
                    memory.putLongRelease(claim, NO_CLAIM);
                    return 0;
                }
            } else if ((sequence & ~SKIP_BIT) == position + 1 - capacity) {
                memory.putLongRelease(claim, NO_CLAIM);
                return 0; // the consumer of position - capacity has not freed the slot yet
            } else {
                long head = memory.getLongVolatile(HEAD_OFFSET);
                if (head == position) {
                    memory.putLongRelease(claim, NO_CLAIM);
                    checkSequence(false, sequence, position, "consumer");
                }
                position = head;
            }
        }
    }

    /** The producer of {@code position} claimed it and has not published: if it died, skip the slot. */
    private boolean skipIfProducerDied(long position, long slot) {
        if (claims.claimedByLiveProcess(position)) {
            return false;
        }
        if (memory.compareAndSetLong(slot + SEQUENCE_OFFSET, position, (position + 1) | SKIP_BIT)) {
            memory.getAndAddLong(ABANDONED_ENQUEUES_OFFSET, 1);
        }
        return true;
    }

    private int consume(MessageReceiver handler, long claim, long position, long slot, long sequence) {
        boolean skipped = (sequence & SKIP_BIT) != 0;
        int length = memory.getIntPlain(slot + LENGTH_OFFSET);
        int type = memory.getIntPlain(slot + TYPE_OFFSET);
        boolean mine;
        try {
            if (!skipped && (length < 0 || length > maxMessageLength)) {
                throw new RegionFormatException("queue '" + region.name() + "' has a corrupt message length " + length
                    + " at position " + position);
            }
            if (!skipped) {
                Copy.copy(region.body(), slot + MESSAGE_OFFSET, copy, 0, length);
            }
        } finally {
            mine = release(slot, sequence, position);
            memory.putLongRelease(claim, NO_CLAIM);
        }
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
     * @param handler gets each message, zero-copy, on this thread
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return true once a message was handled, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean take(MessageReceiver handler, long timeout, TimeUnit unit) throws InterruptedException {
        return Waiter.of(waitStrategy).retry(consumerWord, () -> poll(handler) > 0, this::hasMessageOrStall, unit.toNanos(timeout),
            LivenessCheck.NONE);
    }

    /**
     * Takes without a timeout (interruptible).
     *
     * @param handler gets each message, zero-copy, on this thread
     * @throws InterruptedException if interrupted while waiting
     */
    public void take(MessageReceiver handler) throws InterruptedException {
        take(handler, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** A message, a sequence poll must report, or a claimed slot whose producer died (poll skips it). */
    private boolean hasMessageOrStall() {
        long position = memory.getLongVolatile(HEAD_OFFSET);
        long sequence = memory.getLongAcquire(slot(position) + SEQUENCE_OFFSET);
        if ((sequence & ~SKIP_BIT) == position + 1 - capacity) {
            return false;
        }
        if (sequence == position) {
            return memory.getLongVolatile(TAIL_OFFSET) > position && !claims.claimedByLiveProcess(position);
        }
        return true;
    }

    // ------------------------------------------------------------------ introspection

    /** {@return the number of slots} */
    public int capacity() {
        return capacity;
    }

    /** {@return the longest message accepted} */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** {@return messages claimed by producers and not yet taken (approximate while others run)} */
    public long size() {
        long head = memory.getLongVolatile(HEAD_OFFSET);
        long tail = memory.getLongVolatile(TAIL_OFFSET);
        return Math.max(0, Math.min(capacity, tail - head));
    }

    /**
     * {@return messages ever claimed by consumers (taken, or being taken): the position of the
     *    next take. With a single producer thread, the message it put n-th (from 0) is taken at
     *    position n, so everything it put before this position has left the queue.}
     */
    public long consumerPosition() {
        return memory.getLongVolatile(HEAD_OFFSET);
    }

    /** {@return slots ever claimed by producers: the position of the next put} */
    public long producerPosition() {
        return memory.getLongVolatile(TAIL_OFFSET);
    }

    /** {@return slots skipped because their producer died between claiming and publishing them} */
    public long abandonedEnqueues() {
        return memory.getLongVolatile(ABANDONED_ENQUEUES_OFFSET);
    }

    /** {@return slots reclaimed because their consumer died between claiming and freeing them (messages lost)} */
    public long abandonedDequeues() {
        return memory.getLongVolatile(ABANDONED_DEQUEUES_OFFSET);
    }

    /** {@return the region holding the queue} */
    public Region region() {
        return region;
    }

    /** A volatile load per call: next to a queue operation's compare-and-sets, nothing. */
    private void checkOpen() {
        if (region.isClosed()) {
            throw new IllegalStateException("mpmc queue '" + region.name() + "' is closed");
        }
    }

    /** Gives back this handle's claim entries and unmaps it; no other thread may be using it. Using it afterwards throws
     * {@link IllegalStateException} naming the queue. */
    @Override
    public void close() {
        if (!region.isClosed()) {
            claims.close();
        }
        region.close();
    }

    @Override
    public String toString() {
        return "MpmcQueue[" + region.name() + ", " + capacity + " slots of up to " + maxMessageLength + " bytes]";
    }
}
