package io.interproc.core.internal.wait;

import io.interproc.core.Region;
import io.interproc.core.internal.memory.Futex;
import io.interproc.core.internal.memory.Membarrier;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.memory.Native;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractInterruptibleChannel;

/**
 * A place in shared memory where threads of any process sleep until woken: an event count.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                   Sequence (futex word)                       |
 * +---------------------------------------------------------------+
 * |                   Sleepers                                    |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>{@code Sleepers} holds two counts: bits 0–15 the threads, in all processes, asleep or about to
 * sleep on the word ({@link #sleepers()}), bits 16–30 the processes' {@link WordWatch watches}
 * ({@link #watchers()}). At most 65,535 threads may sleep on one word at a time.
 *
 * <p>Protocol. A waiter first makes sure its process watches the word: the first waiter of a
 * process adds {@code 1 << 16} and issues a {@link Membarrier} barrier where available; the watch
 * then lingers for a while after the last wait (see {@link WordWatch}), so a thread that waits again
 * soon pays no barrier. Then the waiter increments the sleeper count (a full fence), reads
 * {@code Sequence}, re-checks its condition, and only then sleeps on {@code Sequence} with the value
 * it read. A waker first publishes the state change the waiter waits for, then calls
 * {@link #wakeAll()}: a full fence, and only if the sleeper count is non-zero an increment of
 * {@code Sequence} and a {@code FUTEX_WAKE}. Either the waiter sees the new state, or the waker sees
 * the sleeper and its increment makes the waiter's sleep return at once: no lost wake-up, and no
 * system call for the waker while nobody sleeps. The hot-path waker {@link #wakeAllAfterRelease()}
 * skips the fence in a process registered for membarrier: it reads the word, and only if some
 * process watches it fences and reads again. A waiter may stay a sleeper across several sleeps (a
 * timed wait in slices does): before each further sleep it reads {@code Sequence} again, then
 * re-checks.
 *
 * <p>A process killed ({@code kill -9}) while it watches or sleeps on the word leaves its counts
 * too high (any other exit gives them back): wakers then pay a needless fence, or a needless system
 * call per wake. Every watching process holds a shared lock on the word's watch byte in the region
 * file (the kernel drops it when the process dies), so when a lock test finds no watcher the
 * counts must be 0 and are reset: by each new view of the word (a structure opened again after
 * its peer died) and by a waker whose wake-up found nobody asleep, at most every 100 ms. Nothing
 * hangs meanwhile. Waiting itself is done by a {@link WaitStrategy}.
 *
 * <p>Thread-safe; a view over the shared words, whose only state is when it last looked for a
 * dead process's counts.
 */
public final class WaitWord {
    /** Bytes a wait word occupies in a region. */
    public static final int LENGTH = 8;
    /** Alignment a wait word needs. */
    public static final int ALIGNMENT = 4;

    private static final int SEQUENCE_OFFSET = 0;
    /**
     * Offset in a wait word of the int that holds its sleeper and watch counts, for a caller that
     * reads it itself right after its release store (see {@link #wakeAllIfWatched}).
     */
    public static final int COUNTS_OFFSET = 4;
    private static final int SLEEPERS_OFFSET = COUNTS_OFFSET;
    private static final int SLEEPER_MASK = 0xFFFF;
    private static final int WATCHER = 1 << 16;
    private static final long HEAL_INTERVAL_NANOS = 100_000_000L;

    private final Region region;
    private final WordHost host;
    private final MemoryAccess memory;
    private final MemorySegment segment;
    private final long offset;
    private final WordWatch watch;
    /** When this view last looked for counts of dead processes after an empty wake-up (nanoTime). */
    private volatile long lastHealAttempt = System.nanoTime() - HEAL_INTERVAL_NANOS;

    /**
     * @param region the region holding the word (its closing ends waits on it)
     * @param host   the region's watch bookkeeping
     * @param offset offset of the word in the region's {@link Region#body() body}, 4-byte aligned
     */
    public WaitWord(Region region, WordHost host, long offset) {
        if (offset < 0 || offset > region.body().byteSize() - LENGTH || (offset & (ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("wait word offset " + offset + " is misaligned or outside the "
                + region.body().byteSize() + "-byte body of region '" + region.name() + "'");
        }
        this.region = region;
        this.host = host;
        this.memory = region.memory();
        this.segment = region.body();
        this.offset = offset;
        this.watch = host.watchOf(offset, this);
        healCounts();
    }

    /** @return the watch bookkeeping of the region holding this word */
    public WordHost host() {
        return host;
    }

    /** @return the region holding this word */
    public Region region() {
        return region;
    }

    /** @return the word's offset in its region's body */
    public long offset() {
        return offset;
    }

    /** @return the current sequence, volatile read */
    public int sequence() {
        return memory.getIntVolatile(offset + SEQUENCE_OFFSET);
    }

    /** @return how many threads, in all processes, are asleep or about to sleep here (volatile read) */
    public int sleepers() {
        return memory.getIntVolatile(offset + SLEEPERS_OFFSET) & SLEEPER_MASK;
    }

    /** @return how many watches, of all processes, are held on this word (volatile read); see {@link WordWatch} */
    public int watchers() {
        return memory.getIntVolatile(offset + SLEEPERS_OFFSET) >>> 16;
    }

    /** Wakes every sleeper, in every process, if there is any. Call after publishing the change. */
    public void wakeAll() {
        wake(Integer.MAX_VALUE);
    }

    /** Wakes at most one sleeper, if there is any. Call after publishing the change. */
    public void wakeOne() {
        wake(1);
    }

    /**
     * Wakes every sleeper, without the full fence: only right after the caller published its change
     * with a volatile write or an atomic update (compare-and-set, get-and-add), which already orders
     * the change before this volatile read of the sleeper count.
     */
    public void wakeAllAfterVolatileWrite() {
        if ((memory.getIntVolatile(offset + SLEEPERS_OFFSET) & SLEEPER_MASK) != 0) {
            wakeSleepers(Integer.MAX_VALUE);
        }
    }

    /**
     * Wakes every sleeper after the caller published its change with a release (or plain) store:
     * the cheapest wake, for hot paths. Where this process is {@link Membarrier#isRegistered()
     * registered} for membarrier it costs one read while no process watches the word, because a
     * watcher issued the barrier that orders the publication before that read; while some process
     * watches, a fence and a second read. Elsewhere it fences first.
     */
    public void wakeAllAfterRelease() {
        wakeAllIfWatched(Membarrier.isRegistered() ? MemoryAccess.getIntVolatile(segment, offset + SLEEPERS_OFFSET) : -1);
    }

    /**
     * {@link #wakeAllAfterRelease()} for a caller that published its change with a release store
     * and then itself read this word's counts ({@code counts}, the int at {@link #COUNTS_OFFSET},
     * with a volatile load through its own view of the word, which {@link #isAt} confirms): a hot
     * path then has the JIT check its segment once for the store and the load (see {@link
     * MemoryAccess#putLongReleaseThenGetIntVolatile}). Where the view maps other memory, wake-ups
     * are lost.
     */
    public void wakeAllIfWatched(int counts) {
        if (Membarrier.isRegistered() && counts == 0) {
            return;
        }
        wake(Integer.MAX_VALUE);
    }

    /** @return true if {@code view} maps this word at {@code viewOffset} (see {@link #wakeAllIfWatched}) */
    public boolean isAt(MemorySegment view, long viewOffset) {
        return viewOffset >= 0 && viewOffset <= view.byteSize() - LENGTH
            && view.address() + viewOffset == segment.address() + offset;
    }

    private void wake(int count) {
        MemoryAccess.fullFence();
        if ((memory.getIntPlain(offset + SLEEPERS_OFFSET) & SLEEPER_MASK) != 0) {
            wakeSleepers(count);
        }
    }

    private void wakeSleepers(int count) {
        memory.getAndAddInt(offset + SEQUENCE_OFFSET, 1);
        if (Futex.wake(segment, offset + SEQUENCE_OFFSET, count) == 0 && Native.AVAILABLE) {
            // Nobody was asleep: a sleeper about to sleep, or counts a dead process left. Looked
            // into at most every HEAL_INTERVAL, so a waker pays the system calls of dead sleepers
            // only that long.
            long now = System.nanoTime();
            if (now - lastHealAttempt >= HEAL_INTERVAL_NANOS) {
                lastHealAttempt = now;
                healCounts();
            }
        }
    }

    /**
     * Corrects the counts that processes killed while watching or sleeping on the word left (a
     * process that dies any other way gives its counts back): when no process holds its watch on
     * the word (the shared file lock every watching process holds, which the kernel releases when
     * the process dies), no thread can be asleep or about to sleep on it, so both counts must be 0.
     * Done for every new handle's view of the word, so a structure opened again after its peer died
     * heals, and by a waker whose wake-up found nobody asleep (at most every 100 ms).
     *
     * @return true if it reset the counts
     */
    public boolean healCounts() {
        if (memory.getIntVolatile(offset + SLEEPERS_OFFSET) == 0) {
            return false;
        }
        boolean[] reset = new boolean[1];
        host.ifUnwatched(offset, () -> {
            // Under the exclusive watch lock: no process can start watching, so nothing else
            // changes the counts now.
            if (memory.getIntVolatile(offset + SLEEPERS_OFFSET) != 0) {
                memory.putIntVolatile(offset + SLEEPERS_OFFSET, 0);
                reset[0] = true;
            }
        });
        return reset[0];
    }

    /** Zeroes both words; only while no process can be waiting (for example at creation). */
    public void reset() {
        memory.putIntVolatile(offset + SEQUENCE_OFFSET, 0);
        memory.putIntVolatile(offset + SLEEPERS_OFFSET, 0);
    }

    /**
     * Makes sure this process watches the word, then registers the caller as a sleeper (a full
     * fence; see {@link WordWatch#enter()}) and returns the sequence to sleep on. Pair with
     * {@link #unregister()}.
     */
    public int register() {
        watch.enter();
        return memory.getIntVolatile(offset + SEQUENCE_OFFSET);
    }

    public void unregister() {
        watch.leave();
    }

    public void addSleeper(int delta) {
        if (delta < 0 && !region.isIntact()) {
            return; // a count given back after the file was truncated: touching it would fault
        }
        memory.getAndAddInt(offset + SLEEPERS_OFFSET, delta);
    }

    public void addWatcher() {
        memory.getAndAddInt(offset + SLEEPERS_OFFSET, WATCHER);
    }

    public void removeWatcher() {
        if (region.isIntact()) { // after a truncation, touching the word would fault
            memory.getAndAddInt(offset + SLEEPERS_OFFSET, -WATCHER);
        }
    }

    /** @return true while this process holds its watch on the word through this region handle (for tests) */
    public boolean watched() {
        return watch.isHeld();
    }

    /**
     * Sleeps while the sequence is still {@code sequence}: see {@link Futex#await}. A
     * {@link Thread#interrupt()} of the sleeping thread ends the sleep at once: the interrupting
     * thread moves the sequence and wakes the word (other sleepers on it wake spuriously, re-check
     * and sleep again).
     */
    public int sleep(int sequence, long nanos) {
        InterruptWake interruptWake = new InterruptWake();
        interruptWake.enter();
        try {
            return Futex.await(segment, offset + SEQUENCE_OFFSET, sequence, nanos);
        } finally {
            interruptWake.exit();
        }
    }

    /**
     * Makes {@link Thread#interrupt()} wake a thread asleep in a futex call, through the JDK's public
     * hook for interruptible blocking operations: between {@code begin()} and {@code end()} of an
     * {@link AbstractInterruptibleChannel}, an interrupt closes the channel in the interrupting
     * thread (at once if the thread was already interrupted). Closing moves the sequence, so a
     * futex call not yet asleep returns at once too. One instance per sleep: a closed channel stays
     * closed.
     */
    private final class InterruptWake extends AbstractInterruptibleChannel {
        void enter() {
            begin();
        }

        void exit() {
            try {
                end(true);
            } catch (AsynchronousCloseException e) {
                // Interrupted: the interrupt status stays set and the wait loop acts on it.
            }
        }

        @Override
        protected void implCloseChannel() {
            try {
                memory.getAndAddInt(offset + SEQUENCE_OFFSET, 1);
                Futex.wake(segment, offset + SEQUENCE_OFFSET, Integer.MAX_VALUE);
            } catch (RuntimeException e) {
                // Runs inside Thread.interrupt() of another thread: never throw there. (The region was
                // closed; the sleeper notices at the end of its slice.)
            }
        }
    }
}
