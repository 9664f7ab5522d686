package io.interproc.queue.ring;

import static io.interproc.queue.ring.RecordDescriptor.HEADER_LENGTH;
import static io.interproc.queue.ring.RecordDescriptor.align;
import static io.interproc.queue.ring.RecordDescriptor.recordLength;
import static io.interproc.queue.ring.RingDescriptor.CONSUMER_HEARTBEAT_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.CONSUMER_PID_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.CONSUMER_START_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.DATA_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.HANDED_POSITION_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.HEAD_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.PRODUCER_PID_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.PRODUCER_START_OFFSET;
import static io.interproc.queue.ring.RingDescriptor.TAIL_OFFSET;

import io.interproc.core.PeerDiedException;
import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.internal.memory.MemoryAccess;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Who a ring's producer and consumer are, and taking over from one that left or died: the
 * registrations in the control block ({@link RingDescriptor}: pid and start time of each side), the
 * peer checks blocking calls make between waits, the producer's repair of a tail that a dead
 * producer left behind, and the records a dead consumer had already handed. None of it is on a
 * per-message path. One per {@link SpscRing} handle.
 */
final class RingPeers {
    /**
     * Handles whose process is a ring's registered producer or consumer. A normal exit gives the
     * registrations back, as closing does, so that peers see a peer that left, not one that died;
     * {@code kill -9} skips shutdown hooks, and then the registration names a dead process.
     */
    private static final Set<RingPeers> REGISTERED =
        Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<RingPeers> handles;
            synchronized (REGISTERED) {
                handles = new ArrayList<>(REGISTERED);
            }
            handles.forEach(RingPeers::release);
        }, "interproc-ring-exit"));
    }

    private final Region region;
    private final MemoryAccess memory;
    private final String what;
    private volatile boolean producer;
    private volatile boolean consumer;

    RingPeers(Region region, MemoryAccess memory, String what) {
        this.region = region;
        this.memory = memory;
        this.what = what;
    }

    /** Registers this process as the ring's producer. @throws IllegalStateException if a live one is */
    void registerProducer() {
        register(PRODUCER_PID_OFFSET, PRODUCER_START_OFFSET, "producer");
        producer = true;
        REGISTERED.add(this);
    }

    /** Registers this process as the ring's consumer. @throws IllegalStateException if a live one is */
    void registerConsumer() {
        register(CONSUMER_PID_OFFSET, CONSUMER_START_OFFSET, "consumer");
        memory.putLongOpaque(CONSUMER_HEARTBEAT_OFFSET, System.currentTimeMillis());
        consumer = true;
        REGISTERED.add(this);
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

    /** Clears this handle's registrations (if they are still this process's); for close and exit. */
    void release() {
        try {
            if (!region.isClosed()) {
                if (producer) {
                    unregister(PRODUCER_PID_OFFSET, PRODUCER_START_OFFSET);
                }
                if (consumer) {
                    unregister(CONSUMER_PID_OFFSET, CONSUMER_START_OFFSET);
                }
            }
        } catch (IllegalStateException closedMeanwhile) {
            // another thread closed the region: nothing left to give back through this handle
        }
        producer = false;
        consumer = false;
        REGISTERED.remove(this);
    }

    private void unregister(int pidOffset, int startOffset) {
        ProcessIdentity me = ProcessIdentity.current();
        if (memory.getLongVolatile(startOffset) == me.startTime()) {
            memory.compareAndSetLong(pidOffset, me.pid(), 0);
        }
    }

    /** Between a producer's waits: @throws PeerDiedException if the registered consumer died */
    void checkConsumer() {
        long pid = memory.getLongVolatile(CONSUMER_PID_OFFSET);
        if (pid != 0) {
            ProcessIdentity peer = region.peer("consumer pid", pid, memory.getLongVolatile(CONSUMER_START_OFFSET));
            if (!peer.isAlive()) {
                throw new PeerDiedException(peer, "waiting for space in " + what);
            }
        }
    }

    /**
     * Between a consumer's waits, with the ring drained up to {@code head}: @throws
     * PeerDiedException if the registered producer died (what it committed was delivered first)
     */
    void checkProducer(long head) {
        if (memory.getLongVolatile(TAIL_OFFSET) > head) {
            return;
        }
        long pid = memory.getLongVolatile(PRODUCER_PID_OFFSET);
        if (pid != 0) {
            ProcessIdentity peer = region.peer("producer pid", pid, memory.getLongVolatile(PRODUCER_START_OFFSET));
            if (!peer.isAlive()) {
                throw new PeerDiedException(peer, "waiting for a message in " + what);
            }
        }
    }

    /**
     * Takes over the producer's side, once per producer handle. A previous producer may have died at
     * any instruction: after writing a record header but before moving the tail (so the tail is
     * moved past every such complete record: a commit that had not returned is delivered once a new
     * producer takes over), or after writing message bytes it never committed (so the free space is
     * zeroed: later record headers may fall there). The header chain beyond the tail ends at a
     * header that is not positive (zero, or a claimed record's) because every claim zeroes the
     * header slot after its record. The consumer follows headers only up to that one, never into
     * the free space being zeroed.
     *
     * @return the tail the producer continues from
     */
    long takeOverProducerSide(MemorySegment data, int capacity) {
        long mask = capacity - 1;
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
        head = memory.getLongVolatile(HEAD_OFFSET);
        long free = capacity - (tail - head);
        long index = tail & mask;
        long first = Math.min(free, capacity - index);
        data.asSlice(index, first).fill((byte) 0);
        if (free > first) {
            data.asSlice(0, free - first).fill((byte) 0);
        }
        return tail;
    }

    /**
     * Registering a consumer at {@code head}: the end of the whole committed records from there up
     * to the Handed Position the last consumer left (it handed them to its handler and died, or
     * closed, before it freed them), which the new consumer frees unread (at most once). A position
     * not ahead of {@code head}, more than a buffer ahead, or not at the end of a committed record
     * (a stale one) covers no record past the last it covers whole.
     *
     * @param corrupt reports a record on the way that cannot be in this ring
     * @return the position to consume from: {@code head} or later
     */
    long handedEnd(long head, int capacity, RecordCheck corrupt) {
        long position = memory.getLongVolatile(HANDED_POSITION_OFFSET);
        if (position <= head || position - head > capacity) {
            return head;
        }
        long mask = capacity - 1;
        long at = head;
        while (at < position) {
            long index = at & mask;
            long header = memory.getLongAcquire(DATA_OFFSET + index);
            int length = recordLength(header);
            int aligned = align(length);
            if (length <= 0 || aligned > position - at) {
                break;
            }
            corrupt.check(at, header, capacity - index);
            at += aligned;
        }
        return at;
    }

    /** Throws if the record with {@code header} at {@code position} cannot be in the ring. */
    @FunctionalInterface
    interface RecordCheck {
        void check(long position, long header, long room);
    }
}
