package io.interproc.queue.ring;

import static io.interproc.queue.ring.RecordDescriptor.HEADER_LENGTH;
import static io.interproc.queue.ring.RecordDescriptor.PADDING_TYPE;
import static io.interproc.queue.ring.RecordDescriptor.align;
import static io.interproc.queue.ring.RecordDescriptor.header;
import static io.interproc.queue.ring.RecordDescriptor.recordLength;
import static io.interproc.queue.ring.RingDescriptor.CONSUMER_HEARTBEAT_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.CONSUMER_WAIT_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.DATA_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.HANDED_POSITION_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.HEAD_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.PRODUCER_WAIT_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.TAIL_OFFSET;

import io.interproc.core.LivenessCheck;
import io.interproc.core.PeerDiedException;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.Copy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.queue.MessageReceiver;
import io.interproc.queue.MessageSink;
import io.interproc.queue.MessageSource;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A ring of variable-length typed messages in a named shared region, from one producer to one
 * consumer (each a thread of any process): the one ring protocol of the library, which {@link
 * MpscRing} uses as a lane per producer and a pipe uses once per direction. Layout in {@link
 * RingDescriptor} and {@link RecordDescriptor}.
 *
 * <p><b>Producing</b> ({@link MessageSink}). Zero-copy: {@link #tryClaim} (never blocks) or
 * {@link #claim} (waits for room) returns the offset of the message in {@link #buffer()}; write it
 * there, then {@link #commit} or {@link #abort}. Copying: {@link #offer} (never blocks; false when
 * full), {@link #put} (waits). 8 to 64 bytes are copied with straight-line moves.
 *
 * <p><b>Consuming</b> ({@link MessageSource}). {@link #read} hands up to {@code limit} messages to
 * the receiver, zero-copy (a read-only view of the mapped ring, so a receiver cannot corrupt it) and
 * never blocks; {@link #take} waits for one. Messages arrive in the order committed. A message
 * whose receiver throws counts as consumed: delivery is at most once.
 *
 * <p><b>Waiting.</b> Blocking calls use the handle's {@link WaitStrategy} (by default spin, yield,
 * then futex sleep): a blocked producer or consumer burns no CPU and is woken by the peer's next
 * read or commit; the other side pays a system call only when someone sleeps.
 *
 * <p><b>Faults.</b> A producer that dies between claim and commit never exposes the message: a claim
 * is invisible until committed, and the next producer to register takes over from the last
 * committed record (see {@link RingDescriptor}); no timeout is involved. A consumer that dies while
 * its receiver runs loses that message and the ones its read had handed before it (at most once):
 * the next consumer starts after them. A producer blocked in {@link #put} or {@link #claim} whose
 * registered consumer died gets {@link PeerDiedException}; a consumer blocked in {@link #take} whose
 * producer died gets it once the ring is drained. A peer that {@link #close() closed} its handle or
 * whose process exited normally has left, not died: the other side keeps waiting (until its
 * timeout) and a new producer or consumer may register. A second live producer (or consumer) is
 * refused with {@link IllegalStateException}. A corrupt record header is reported as {@link
 * RegionFormatException}, never read outside the region.
 *
 * <p><b>Threads.</b> One thread produces and one thread consumes through a ring at a time (the two
 * may share a handle). Using a handle after {@link #close()} throws {@link IllegalStateException}
 * ("ring 'orders' is closed").
 */
public final class SpscRing extends SpscRingFields.TrailingPadding implements MessageSink, MessageSource {
    private final Region region;
    private final String what;
    private final MemoryAccess memory;
    /** The ring's memory, as {@link #memory} accesses it: the per-message paths use it directly (one load less). */
    private final MemorySegment segment;
    private final MemorySegment buffer;
    /** {@link #buffer} as receivers get it: read-only, so that a receiver cannot corrupt the ring. */
    private final MemorySegment readView;
    private final int capacity;
    private final long mask;
    private final int maxMessageLength;
    private final WaitWord consumerWord;
    private final WaitWord producerWord;
    private final RingPeers peers;
    private final RingWaits waits;

    private SpscRing(Region region) {
        this(region, 0, region.parameter(0), region.parameter(1), "ring '" + region.name() + "'");
        long expected = RingDescriptor.footprint(capacity);
        if (region.body().byteSize() != expected) {
            throw new RegionFormatException(what + " has a " + region.body().byteSize() + "-byte body; capacity "
                + capacity + " needs " + expected);
        }
    }

    /**
     * A ring laid out at {@code base} in the body of {@code region} (which may hold other things,
     * as a pipe holds two rings).
     */
    SpscRing(Region region, long base, long cap, long max, String what) {
        this.region = region;
        this.what = what;
        RingDescriptor.checkStored(what, cap, max);
        long footprint = RingDescriptor.footprint((int) cap);
        if (base < 0 || base % 128 != 0 || base + footprint > region.body().byteSize()) {
            throw new RegionFormatException(what + " does not fit its region");
        }
        this.capacity = (int) cap;
        this.mask = cap - 1;
        this.maxMessageLength = (int) max;
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
        this.peers = new RingPeers(region, memory, what);
        this.waits = new RingWaits(this, memory, producerWord, consumerWord, capacity, peers);
        long head = RingDescriptor.checkPositions(what, memory, cap);
        this.headCache = head;
    }

    /**
     * Creates a ring; {@code options.maxLanes} is not used.
     *
     * @param directory where the ring's file goes
     * @param name      the ring's name in {@code directory}
     * @param options   capacity, max message length and this handle's wait strategy
     * @return a handle on the new ring
     * @throws io.interproc.core.RegionExistsException if the name exists
     */
    public static SpscRing create(RegionDirectory directory, String name, RingOptions options) {
        return directory.create(name, spec(options), r -> { }).as(SpscRing::new).waitStrategy(options.waitStrategy());
    }

    /**
     * Opens an existing ring, checking its header and layout.
     *
     * @param directory where the ring's file is
     * @param name      the ring's name in {@code directory}
     * @return a handle on the ring
     * @throws io.interproc.core.NoSuchRegionException if there is none
     * @throws io.interproc.core.RegionFormatException if it is not a ring of this version, or corrupt
     */
    public static SpscRing open(RegionDirectory directory, String name) {
        return directory.open(name, RingDescriptor.TYPE).as(SpscRing::new);
    }

    /**
     * Opens the ring, or creates it with these options; an existing ring must have the same sizes.
     *
     * @param directory where the ring's file is or goes
     * @param name      the ring's name in {@code directory}
     * @param options   capacity, max message length and this handle's wait strategy
     * @return a handle on the ring
     */
    public static SpscRing openOrCreate(RegionDirectory directory, String name, RingOptions options) {
        return directory.openOrCreate(name, spec(options), r -> { }).as(SpscRing::new)
            .waitStrategy(options.waitStrategy());
    }

    private static RegionSpec spec(RingOptions options) {
        return new RegionSpec(RingDescriptor.TYPE, RingDescriptor.footprint(options.capacity()), options.capacity(),
            options.maxMessageLength());
    }

    /**
     * Sets how this handle's blocking calls wait (default {@link WaitStrategy#blocking()}).
     *
     * @param strategy how to wait
     * @return this handle
     */
    @Override
    public SpscRing waitStrategy(WaitStrategy strategy) {
        waits.strategy(strategy);
        return this;
    }

    // ------------------------------------------------------------------ producing

    /**
     * {@inheritDoc}
     *
     * <p>The claim zeroes the header slot after the record and writes the claimed header (negative
     * length: not ready) at the record; {@link #commit} writes the committed header with a release
     * store and then moves the tail. Writing the claimed header first takes the record's first cache
     * line from a consumer spinning on it before the message is copied in, which lowers the spin
     * round trip (measured in docs/bench/HISTORY.md, "Figures that were in Javadoc").
     */
    @Override
    public long tryClaim(int type, int length) {
        checkMessage(type, length);
        if (producerRegistered == 0) {
            registerProducer();
        }
        if (pendingEnd >= 0) {
            throw new IllegalStateException(what + " allows one claim at a time: commit or abort the previous one");
        }
        int recordLength = length + HEADER_LENGTH;
        int aligned = align(recordLength);
        long claimed = header(-recordLength, type);
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

    @Override
    public long claim(int type, int length, long timeout, TimeUnit unit) throws InterruptedException {
        long claimed = tryClaim(type, length);
        if (claimed >= 0) {
            return claimed;
        }
        return waits.claim(type, length, unit.toNanos(timeout));
    }

    /** Claim stores: the header slot after the record (ending at {@code end}) zeroed, then the claimed header. */
    private void writeClaim(MemorySegment memorySegment, long recordIndex, long end, long claimed) {
        MemoryAccess.putLongPlain(memorySegment, DATA_OFFSET + (end & mask), 0L);
        MemoryAccess.putLongPlain(memorySegment, DATA_OFFSET + recordIndex, claimed);
    }

    @Override
    public void commit(long offset) {
        finish(offset, false);
    }

    @Override
    public void abort(long offset) {
        finish(offset, true);
    }

    private void finish(long offset, boolean abort) {
        // Small, the padded case in a method of its own, so that the JIT inlines commit.
        if (offset != pendingOffset || pendingEnd < 0) {
            throw notPending(offset);
        }
        long recordStart = offset - HEADER_LENGTH;
        long paddingIndex = pendingTail & mask;
        // The claim zeroed the header slot after this record (the consumer reads it next): this
        // release store publishes that too.
        int length = -recordLength(pendingHeader);
        long header = abort ? header(align(length), PADDING_TYPE) : header(length, RecordDescriptor.type(pendingHeader));
        if (paddingIndex != recordStart) {
            finishPadded(recordStart, header, paddingIndex);
            return;
        }
        // The header, then the tail: on x86 one fence and one check of the segment for both stores
        // and the wake check's load (reading the field again would make the JIT load and check it
        // anew after the volatile load's barrier, so publish gets it once, as a parameter).
        long end = pendingEnd;
        pendingEnd = -1;
        publish(segment, recordStart, header, end);
    }

    /** Commit stores: the committed header, then the tail (one release), then the consumer's wait word read. */
    private void publish(MemorySegment memorySegment, long recordStart, long header, long end) {
        MemoryAccess.putLongsRelease(memorySegment, DATA_OFFSET + recordStart, header, TAIL_OFFSET, end);
        producerTail = end;
        consumerWord.wakeAllIfWatched(
            MemoryAccess.getIntVolatile(memorySegment, CONSUMER_WAIT_OFFSET + WaitWord.COUNTS_OFFSET));
    }

    /** Commit of a record placed at index 0 after padding at {@code paddingIndex}. */
    private void finishPadded(long recordStart, long header, long paddingIndex) {
        memory.putLongRelease(DATA_OFFSET + recordStart, header);
        // Only now: the consumer jumps from the padding to the record at index 0.
        memory.putLongRelease(DATA_OFFSET + paddingIndex, header((int) (capacity - paddingIndex), PADDING_TYPE));
        memory.putLongRelease(TAIL_OFFSET, pendingEnd);
        producerTail = pendingEnd;
        pendingEnd = -1;
        consumerWord.wakeAllAfterRelease();
    }

    private IllegalStateException notPending(long offset) {
        if (region.isClosed()) {
            return closed();
        }
        return new IllegalStateException("offset " + offset + " is not the pending claim of " + what);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A record that fits before the end of the buffer takes the claim's stores, the copy and the
     * commit's stores in one method, in the same order as {@link #tryClaim} and {@link #commit} (so the
     * same producer-death cases), with every access through one segment, so that the JIT checks it
     * once; a record that needs wrap padding takes the claim and commit path.
     */
    @Override
    public boolean offer(int type, MemorySegment source, long offset, int length) {
        checkMessage(type, length);
        Objects.checkFromIndexSize(offset, length, source.byteSize());
        if (pendingEnd < 0 && producerRegistered != 0
            && align(length + HEADER_LENGTH) <= capacity - (producerTail & mask)) {
            return offerInPlace(type, source, offset, length);
        }
        return offerClaimed(type, source, offset, length);
    }

    /** {@link #offer} of a record that fits before the end of the buffer. */
    private boolean offerInPlace(int type, MemorySegment source, long sourceOffset, int length) {
        int recordLength = length + HEADER_LENGTH;
        int aligned = align(recordLength);
        long tail = producerTail;
        if (!hasCapacity(tail, aligned + HEADER_LENGTH)) {
            return false;
        }
        long recordIndex = tail & mask;
        long end = tail + aligned;
        MemorySegment memorySegment = segment; // read once: see finish
        writeClaim(memorySegment, recordIndex, end, header(-recordLength, type));
        Copy.copy(source, sourceOffset, memorySegment, DATA_OFFSET + recordIndex + HEADER_LENGTH, length);
        publish(memorySegment, recordIndex, header(recordLength, type), end);
        return true;
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
            abort(at); // the source was closed under the copy: no claim stays pending
            throw e;
        }
        commit(at);
        return true;
    }

    @Override
    public boolean put(int type, MemorySegment message, long timeout, TimeUnit unit) throws InterruptedException {
        return put(type, message, timeout, unit, LivenessCheck.NONE);
    }

    /**
     * {@link #put(int, MemorySegment, long, TimeUnit)}, also calling {@code liveness} between waits.
     *
     * @param type     message type, &gt;= 0
     * @param message  the message
     * @param timeout  longest wait
     * @param unit     unit of {@code timeout}
     * @param liveness the caller's own check, run between waits; what it throws ends the wait
     * @return true once offered, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean put(int type, MemorySegment message, long timeout, TimeUnit unit, LivenessCheck liveness)
        throws InterruptedException {
        int length = checkLength(message.byteSize());
        checkMessage(type, length);
        return waits.put(type, message, length, unit.toNanos(timeout), liveness);
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
            throw badMessage(0, (int) Math.min(length, Integer.MAX_VALUE));
        }
        return (int) length;
    }

    private void registerProducer() {
        checkOpen();
        peers.registerProducer();
        producerTail = peers.takeOverProducerSide(buffer, capacity);
        producerRegistered = 1;
    }

    // ------------------------------------------------------------------ consuming

    @Override
    public int read(MessageReceiver receiver, int limit) {
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
                return limit == 1 ? readOne(receiver, head, header) : readRecords(receiver, limit, head, header);
            }
            MemoryAccess.acquireFence();
            if ((++emptyReads & 0xFF) == 0) {
                checkEnd(head);
            }
        }
        if ((++reads & 0xFF) == 0) {
            heartbeat();
        }
        return 0;
    }

    /**
     * {@link #read}: hands the committed records from {@code head}, whose header is {@code first}
     * (a plain load), in two passes. The first follows the committed headers (plain loads, then
     * one acquire fence for them all) to the end of what this read hands: up to {@code limit}
     * messages, the end of the buffer, the first header that is not committed, or a corrupt one.
     * The second hands the records: for each message, Handed Position first (a plain store, then
     * a store-store fence, so it is written before anything the receiver stores; see
     * {@link RingDescriptor}), then the receiver. One fence per read instead of one per message
     * lets the JIT keep the segments' fields in registers across the records.
     */
    private int readRecords(MessageReceiver receiver, int limit, long head, long first) {
        long headIndex = head & mask;
        int contiguous = (int) (capacity - headIndex);
        MemorySegment memorySegment = segment; // read once: see finish
        long header = first;
        int end = 0;
        int messages = 0;
        boolean corrupt = false;
        while (true) {
            int length = recordLength(header);
            int type = RecordDescriptor.type(header);
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
                int type = RecordDescriptor.type(record);
                if (length < HEADER_LENGTH || aligned > end - bytes) {
                    throw corruptRecord(head + bytes, length, type);
                }
                bytes += aligned;
                if (type != PADDING_TYPE) {
                    count++;
                    MemoryAccess.putLongPlain(memorySegment, HANDED_POSITION_OFFSET, head + bytes);
                    MemoryAccess.storeStoreFence();
                    receiver.onMessage(type, view, index + HEADER_LENGTH, length - HEADER_LENGTH);
                }
            }
        } finally {
            consumed(head, bytes);
        }
        if (corrupt) {
            throw corruptRecord(head + end, recordLength(header), RecordDescriptor.type(header));
        }
        if (count < limit && (consumerHead & mask) == 0) {
            return count + read(receiver, limit - count); // went through the padding at the end: on from index 0
        }
        return count;
    }

    /**
     * {@link #read} of one message (a poll, a take, a round trip's reply): the record at {@code
     * head}, whose header is {@code header} (a plain load), in one pass: checked, one acquire fence,
     * Handed Position, the receiver. Padding goes to {@link #readRecords}, which reads on past it.
     */
    private int readOne(MessageReceiver receiver, long head, long header) {
        long headIndex = head & mask;
        int length = recordLength(header);
        int type = RecordDescriptor.type(header);
        int aligned = align(length);
        if (type == PADDING_TYPE || isBadRecord(type, length, aligned, capacity - headIndex)) {
            return readRecords(receiver, 1, head, header);
        }
        MemoryAccess.acquireFence();
        MemorySegment memorySegment = segment; // read once: see finish
        MemoryAccess.putLongPlain(memorySegment, HANDED_POSITION_OFFSET, head + aligned);
        MemoryAccess.storeStoreFence();
        try {
            receiver.onMessage(type, readView, headIndex + HEADER_LENGTH, length - HEADER_LENGTH);
        } finally {
            consumed(head, aligned);
        }
        return 1;
    }

    /**
     * {@return true if a record of this type and length (aligned: {@code aligned}) cannot be in
     *    this ring where {@code room} bytes are left before the end of the buffer (small: inlined
     *    per record)}
     */
    private boolean isBadRecord(int type, int length, int aligned, long room) {
        return length < HEADER_LENGTH || aligned > room
            || type != PADDING_TYPE && (type < 0 || length - HEADER_LENGTH > maxMessageLength);
    }

    /**
     * After a read of {@code bytes} from {@code head}: moves Head Position at once (the producer
     * zeroes the header slot after each record it claims, so consumed space needs no zeroing), wakes
     * a producer that sleeps for room, and now and then beats the consumer's heart.
     */
    private void consumed(long head, int bytes) {
        if (bytes > 0) {
            long end = head + bytes;
            consumerHead = end;
            emptyReads = 0;
            // The head, then the producer's wait word read through the same segment: one check.
            producerWord.wakeAllIfWatched(MemoryAccess.putLongReleaseThenGetIntVolatile(segment, HEAD_OFFSET, end,
                PRODUCER_WAIT_OFFSET + WaitWord.COUNTS_OFFSET));
        }
        if ((++reads & 0xFF) == 0) {
            heartbeat();
        }
    }

    private void heartbeat() {
        memory.putLongOpaque(CONSUMER_HEARTBEAT_OFFSET, System.currentTimeMillis());
    }

    /**
     * After 256 empty reads in a row: the consumer follows committed headers and never needs the
     * tail (one cache line polled per message instead of two: about twice the messages/s of tail
     * polling, and half the spin round trip), so here it checks that the header at {@code position}
     * that ends the chain agrees with the tail: a tail beyond a header that is not committed means a
     * corrupt ring.
     */
    private void checkEnd(long position) {
        long tail = memory.getLongAcquire(TAIL_OFFSET);
        // Commit writes the header before the tail: a tail seen past this position means the header
        // must read as committed now, unless the ring is corrupt.
        long now = memory.getLongAcquire(DATA_OFFSET + (position & mask));
        if ((tail > position && recordLength(now) <= 0) || tail - position > capacity) {
            throw new RegionFormatException(what + " has a corrupt record at position " + position + ": header "
                + now + " below the tail " + tail + " (corrupt positions or record)");
        }
    }

    private void registerConsumer() {
        checkOpen();
        peers.registerConsumer();
        long head = memory.getLongVolatile(HEAD_OFFSET);
        consumerHead = head;
        consumerRegistered = 1;
        long handed = peers.handedEnd(head, capacity, (position, header, room) -> {
            int length = recordLength(header);
            int type = RecordDescriptor.type(header);
            if (isBadRecord(type, length, align(length), room)) {
                throw corruptRecord(position, length, type);
            }
        });
        consumed(head, (int) (handed - head));
    }

    private RegionFormatException corruptRecord(long position, int length, int type) {
        return new RegionFormatException(what + " has a corrupt record at position " + position + ": length " + length
            + ", type " + type);
    }

    @Override
    public boolean take(MessageReceiver receiver, long timeout, TimeUnit unit) throws InterruptedException {
        return take(receiver, timeout, unit, LivenessCheck.NONE);
    }

    /**
     * {@link #take(MessageReceiver, long, TimeUnit)}, also calling {@code liveness} between waits.
     *
     * @param receiver gets the message, zero-copy, on this thread
     * @param timeout  longest wait
     * @param unit     unit of {@code timeout}
     * @param liveness the caller's own check, run between waits; what it throws ends the wait
     * @return true once a message was handed, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean take(MessageReceiver receiver, long timeout, TimeUnit unit, LivenessCheck liveness)
        throws InterruptedException {
        return waits.take(receiver, unit.toNanos(timeout), liveness);
    }

    /**
     * Waits until a message can be read, without reading it.
     *
     * @param timeout  longest wait
     * @param unit     unit of {@code timeout}
     * @param liveness the caller's own check, run between waits; what it throws ends the wait
     * @return true if one is ready, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitReadable(long timeout, TimeUnit unit, LivenessCheck liveness) throws InterruptedException {
        return waits.awaitReadable(unit.toNanos(timeout), liveness);
    }

    // ------------------------------------------------------------------ introspection

    /** {@return true if no committed message is waiting at the head} */
    public boolean isEmpty() {
        return !waits.readable();
    }

    /** {@return the data capacity in bytes} */
    public int capacity() {
        return capacity;
    }

    @Override
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** {@return bytes committed and not yet consumed (records, headers and padding), 0..capacity} */
    public long size() {
        long head;
        long tail;
        do {
            head = memory.getLongVolatile(HEAD_OFFSET);
            tail = memory.getLongVolatile(TAIL_OFFSET);
        } while (head != memory.getLongVolatile(HEAD_OFFSET));
        return Math.max(0, Math.min(capacity, tail - head));
    }

    /** {@return total bytes ever committed by producers} */
    public long producerPosition() {
        return memory.getLongVolatile(TAIL_OFFSET);
    }

    /** {@return total bytes ever consumed} */
    public long consumerPosition() {
        return memory.getLongVolatile(HEAD_OFFSET);
    }

    /**
     * {@return the end of the record the consumer last handed to its receiver (0 if none yet):
     *    ahead of {@link #consumerPosition()} by at most the record being handled; a consumer that
     *    registers after one died in its receiver starts here}
     */
    public long handedPosition() {
        return memory.getLongVolatile(HANDED_POSITION_OFFSET);
    }

    /** {@return when the consumer last read, in ms since the epoch (0 if never; beats every 256 reads)} */
    public long consumerHeartbeat() {
        return memory.getLongOpaque(CONSUMER_HEARTBEAT_OFFSET);
    }

    /** {@return the ring's data, where claimed messages are written and read messages live} */
    @Override
    public MemorySegment buffer() {
        return buffer;
    }

    /** {@return the region holding the ring} */
    public Region region() {
        return region;
    }

    private void checkOpen() {
        if (region.isClosed()) {
            throw closed();
        }
    }

    private IllegalStateException closed() {
        return new IllegalStateException(what + " is closed");
    }

    /**
     * Gives back this handle's producer and consumer registrations and unmaps it (the ring stays
     * for other processes; see {@link Region#unlink()}). A claim left pending is never delivered.
     * Idempotent.
     */
    @Override
    public void close() {
        peers.release();
        producerRegistered = 0;
        consumerRegistered = 0;
        pendingEnd = -1;
        region.close();
    }

    @Override
    public String toString() {
        return "SpscRing[" + what + ", capacity " + capacity + ", max message " + maxMessageLength + "]";
    }
}
