package io.interproc.sync;

import static io.interproc.sync.SharedBarrierDescriptor.BROKEN_OFFSET;
import static io.interproc.sync.SharedBarrierDescriptor.LENGTH;
import static io.interproc.sync.SharedBarrierDescriptor.STATE_OFFSET;
import static io.interproc.sync.SharedBarrierDescriptor.TYPE;
import static io.interproc.sync.SharedBarrierDescriptor.WAITERS;
import static io.interproc.sync.SharedBarrierDescriptor.WAITERS_OFFSET;
import static io.interproc.sync.SharedBarrierDescriptor.WAIT_OFFSET;

import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cyclic barrier shared by processes through a named region, with
 * {@link java.util.concurrent.CyclicBarrier} semantics: {@link #await} returns once
 * {@link #getParties()} parties have arrived, then the barrier is ready for the next round.
 *
 * <p>Layout: {@link SharedBarrierDescriptor}.
 *
 * <p><b>Broken.</b> As with {@code CyclicBarrier}, when a waiting party times out or is
 * interrupted the barrier breaks: every waiter gets {@link BrokenBarrierException}, and so does
 * every later arrival until {@link #reset()}. A party whose process dies while waiting breaks it
 * too: the others notice within one wait slice. A party that dies before arriving is noticed only
 * through the others' timeouts.
 *
 * <p><b>Protocol.</b> An arrival is one compare-and-set of State: it adds one to Arrived, or, for
 * the last of the parties, clears Arrived and adds one to Generation in the same store (the trip).
 * So an arrival can never fall between a trip's two effects and be erased; each generation admits
 * exactly {@code parties} arrivals, with indices {@code parties - 1} down to 0, and threads beyond
 * the parties wait for the next generation's trip. Breaking is a compare-and-set of B on the
 * waiter's own generation, so a generation that tripped can never be broken afterwards by a late
 * timeout; a broken generation admits no arrival and only {@link #reset()} moves on from it (after
 * writing Broken Generation). A waiter that finds its generation gone learns from Broken Generation
 * whether it tripped or was reset while broken; a waiter stopped (SIGSTOP) across that reset and a
 * second broken generation after it would take the first for a trip. Layout version 2 (version 1
 * kept Arrived and Generation in two words, and an arrival in the gap between the trip's two stores
 * was lost).
 *
 * <p>Thread-safe. Waiters sleep in the kernel and are woken by the last arrival.
 */
public final class SharedBarrier implements AutoCloseable {

    private static final long ARRIVED = 0x7FFF_FFFFL;
    private static final long BROKEN = 1L << 31;
    private static final long GENERATIONS = 0x7FFF_FFFFL;

    private final Region region;
    private final MemoryAccess memory;
    private final WaitWord word;
    private final int parties;
    private final ProcessIdentity me = ProcessIdentity.current();
    private WaitStrategy waitStrategy = WaitStrategy.blocking();

    private SharedBarrier(Region region) {
        this.region = region;
        this.memory = region.memory();
        long p = region.parameter(0);
        SyncRegions.checkBodyLength(region, "barrier", LENGTH);
        long arrived = memory.getLongVolatile(STATE_OFFSET) & ARRIVED;
        if (p < 1 || p >= ARRIVED || arrived < 0 || arrived >= p) {
            throw new RegionFormatException("barrier '" + region.name() + "' is corrupt: " + arrived + " arrived of "
                + p + " parties");
        }
        this.parties = (int) p;
        this.word = region.waitWord(WAIT_OFFSET);
    }

    /**
     * Creates a barrier for {@code parties} parties.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param parties threads (of any processes) that must arrive to trip it
     * @return a handle on it
     */
    public static SharedBarrier create(RegionDirectory directory, String name, int parties) {
        return directory.create(name, spec(parties), SharedBarrier::initialize).as(SharedBarrier::new);
    }

    /**
     * Opens an existing barrier.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedBarrier open(RegionDirectory directory, String name) {
        return directory.open(name, TYPE).as(SharedBarrier::new);
    }

    /**
     * Opens the barrier, or creates it; an existing one must have the same parties.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param parties threads (of any processes) that must arrive to trip it
     * @return a handle on it
     */
    public static SharedBarrier openOrCreate(RegionDirectory directory, String name, int parties) {
        return directory.openOrCreate(name, spec(parties), SharedBarrier::initialize).as(SharedBarrier::new);
    }

    private static RegionSpec spec(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("a barrier needs at least 1 party, got " + parties);
        }
        return new RegionSpec(TYPE, LENGTH, parties);
    }

    private static void initialize(Region region) {
        region.memory().putLongVolatile(BROKEN_OFFSET, -1);
    }

    /**
     * Sets how waits wait; returns this.
     *
     * @param strategy how to wait
     * @return this handle
     */
    public SharedBarrier waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    /** {@return the number of parties} */
    public int getParties() {
        return parties;
    }

    /** {@return the number of parties waiting now} */
    public int getNumberWaiting() {
        return (int) (memory.getLongVolatile(STATE_OFFSET) & ARRIVED);
    }

    /** {@return true if the current round is broken} */
    public boolean isBroken() {
        return (memory.getLongVolatile(STATE_OFFSET) & BROKEN) != 0;
    }

    /**
     * Waits, without a timeout, for all parties; see {@link #await(long, TimeUnit)}.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public int await() throws InterruptedException, BrokenBarrierException {
        try {
            return await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * Arrives and waits for the other parties.
     *
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return the arrival index: {@code parties - 1} for the first to arrive, 0 for the last
     * @throws BrokenBarrierException if the barrier is or becomes broken
     * @throws TimeoutException      if the timeout passed (the barrier is then broken for all)
     * @throws InterruptedException  if interrupted while waiting (the barrier is then broken for all)
     */
    public int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException {
        long state;
        long generation;
        long arrived;
        do {
            state = memory.getLongVolatile(STATE_OFFSET);
            generation = state >>> 32;
            if ((state & BROKEN) != 0) {
                throw broken();
            }
            if (Thread.interrupted()) {
                breakBarrier(generation);
                throw new InterruptedException();
            }
            arrived = (state & ARRIVED) + 1;
        } while (!memory.compareAndSetLong(STATE_OFFSET, state,
            arrived >= parties ? tripped(generation) : state + 1));
        if (arrived >= parties) {
            word.wakeAllAfterVolatileWrite();
            return 0;
        }
        long mine = generation;
        int entry = enterWaiting();
        try {
            boolean done = Waiter.of(waitStrategy).await(word, () -> outcome(mine) != WAITING, unit.toNanos(timeout),
                () -> breakIfAWaiterDied(mine));
            if (!done && breakBarrier(mine)) {
                throw new TimeoutException("barrier '" + region.name() + "' timed out with " + getNumberWaiting()
                    + " of " + parties + " parties waiting; it is now broken");
            }
            if (outcome(mine) == BROKE) {
                throw broken();
            }
            return (int) (parties - arrived);
        } catch (InterruptedException e) {
            if (!breakBarrier(mine) && outcome(mine) == TRIPPED) {
                Thread.currentThread().interrupt(); // tripped before the interrupt could break it
                return (int) (parties - arrived);
            }
            throw e;
        } finally {
            leaveWaiting(entry);
        }
    }

    private static final int WAITING = 0;
    private static final int TRIPPED = 1;
    private static final int BROKE = 2;

    private int outcome(long generation) {
        long state = memory.getLongVolatile(STATE_OFFSET);
        if (state >>> 32 == generation) {
            return (state & BROKEN) != 0 ? BROKE : WAITING;
        }
        return memory.getLongVolatile(BROKEN_OFFSET) == generation ? BROKE : TRIPPED;
    }

    private static long tripped(long generation) {
        return ((generation + 1) & GENERATIONS) << 32;
    }

    private long generation() {
        return memory.getLongVolatile(STATE_OFFSET) >>> 32;
    }

    /** Breaks the current round for its waiters and starts a fresh one. */
    public void reset() {
        long state;
        do {
            state = memory.getLongVolatile(STATE_OFFSET);
            if ((state & BROKEN) == 0 && !memory.compareAndSetLong(STATE_OFFSET, state, state | BROKEN)) {
                continue; // an arrival or a trip came first: look again
            }
            memory.putLongVolatile(BROKEN_OFFSET, state >>> 32);
            state |= BROKEN;
        } while (!memory.compareAndSetLong(STATE_OFFSET, state, tripped(state >>> 32)));
        word.wakeAllAfterVolatileWrite();
    }

    /** Marks {@code generation} broken if it is still current; @return true if it is now broken (by this call or another) */
    private boolean breakBarrier(long generation) {
        long state;
        do {
            state = memory.getLongVolatile(STATE_OFFSET);
            if (state >>> 32 != generation) {
                return false;
            }
            if ((state & BROKEN) != 0) {
                return true;
            }
        } while (!memory.compareAndSetLong(STATE_OFFSET, state, state | BROKEN));
        memory.putLongVolatile(BROKEN_OFFSET, generation);
        word.wakeAllAfterVolatileWrite();
        return true;
    }

    private void breakIfAWaiterDied(long generation) {
        for (int i = 0; i < WAITERS; i++) {
            long at = WAITERS_OFFSET + 16L * i;
            long pid = memory.getLongVolatile(at);
            if (pid > 0 && !new ProcessIdentity(pid, memory.getLongVolatile(at + 8)).isAlive()) {
                memory.compareAndSetLong(at, pid, 0);
                breakBarrier(generation);
                return;
            }
        }
    }

    private int enterWaiting() {
        for (int i = 0; i < WAITERS; i++) {
            long at = WAITERS_OFFSET + 16L * i;
            if (memory.getLongVolatile(at) == 0 && memory.compareAndSetLong(at, 0, -1)) {
                memory.putLongVolatile(at + 8, me.startTime());
                memory.putLongVolatile(at, me.pid());
                return i;
            }
        }
        return -1; // more than 64 waiting threads: this one's death goes unnoticed (timeouts still work)
    }

    private void leaveWaiting(int entry) {
        if (entry >= 0) {
            memory.putLongVolatile(WAITERS_OFFSET + 16L * entry, 0);
        }
    }

    private BrokenBarrierException broken() {
        return new BrokenBarrierException("barrier '" + region.name() + "' is broken (a party timed out, was "
            + "interrupted, died, or reset was called)");
    }

    /** {@return the region holding the barrier} */
    public Region region() {
        return region;
    }

    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedBarrier[" + region.name() + ", " + getNumberWaiting() + " of " + parties + " waiting"
            + (isBroken() ? ", broken" : "") + "]";
    }
}
