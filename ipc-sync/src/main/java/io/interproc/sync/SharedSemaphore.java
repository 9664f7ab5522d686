package io.interproc.sync;

import io.interproc.core.MemoryAccess;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.WaitStrategy;
import io.interproc.core.WaitWord;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore shared by processes through a named region, with
 * {@link java.util.concurrent.Semaphore} operations — Python's {@code multiprocessing.Semaphore},
 * or {@code BoundedSemaphore} when created bounded (a release beyond the initial permits throws).
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  Available Permits (64)                                       |
 *   128  +---------------------------------------------------------------+
 *        |  Wait Word (8)                                                |
 *   192  |  Recovered Permits (64): permits returned from dead holders    |
 *   256  +---------------------------------------------------------------+
 *        |  Holder table: 64 entries of 32 bytes                         |
 *        |  Pid (64) | Start Time (64) | Held Permits (64) | 0 (64)       ...
 *  2304  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Dead holders.</b> Each process's acquired-but-not-released permits are counted in its
 * holder entry. When a process dies holding permits, they are given back: a waiter notices within
 * one wait slice, or anyone calls {@link #recoverDeadHolders()}; {@link #recoveredPermits()}
 * counts them. A release by a process that holds nothing is allowed (as with
 * {@code java.util.concurrent.Semaphore}) and only the bounded variant refuses to exceed its
 * initial permits. A process killed between taking permits and recording them (a window of a few
 * instructions) leaks them; more than 64 processes holding permits at once are not tracked (their
 * permits are then treated as released by someone else, never lost twice).
 *
 * <p>Thread-safe. Waiters sleep in the kernel and are woken by releases. Not fair.
 */
public final class SharedSemaphore implements AutoCloseable {
    /** Region type: parameters initial permits and bounded (0 or 1). */
    public static final RegionType TYPE = RegionType.of("semaphore", 1, "permits", "bounded");
    public static final int PERMITS_OFFSET = 0;
    public static final int WAIT_OFFSET = 128;
    public static final int RECOVERED_OFFSET = 192;
    public static final int HOLDERS_OFFSET = 256;
    public static final int HOLDER_LENGTH = HolderTable.ENTRY_LENGTH;
    public static final int HOLDERS = 64;
    public static final int LENGTH = HOLDERS_OFFSET + HOLDERS * HOLDER_LENGTH;

    private final Region region;
    private final MemoryAccess memory;
    private final WaitWord word;
    private final long initialPermits;
    private final boolean bounded;
    private final HolderTable holders;
    private WaitStrategy waitStrategy = WaitStrategy.blocking();

    private SharedSemaphore(Region region) {
        this.region = region;
        this.memory = region.memory();
        this.initialPermits = region.parameter(0);
        long flag = region.parameter(1);
        long permits = memory.getLongVolatile(PERMITS_OFFSET);
        if (region.body().byteSize() != LENGTH || initialPermits < 0 || (flag != 0 && flag != 1) || permits < 0
            || (flag == 1 && permits > initialPermits)) {
            throw new RegionFormatException("semaphore '" + region.name() + "' is corrupt: " + permits
                + " permits available of " + initialPermits + ", bounded flag " + flag);
        }
        this.bounded = flag == 1;
        this.word = region.waitWord(WAIT_OFFSET);
        this.holders = new HolderTable(memory, HOLDERS_OFFSET, HOLDERS);
    }

    /** Creates a semaphore with {@code permits} permits; {@code bounded} refuses releases beyond them. */
    public static SharedSemaphore create(RegionDirectory directory, String name, long permits, boolean bounded) {
        return directory.create(name, spec(permits, bounded),
            r -> r.memory().putLongVolatile(PERMITS_OFFSET, permits)).as(SharedSemaphore::new);
    }

    /** Opens an existing semaphore. */
    public static SharedSemaphore open(RegionDirectory directory, String name) {
        return directory.open(name, TYPE).as(SharedSemaphore::new);
    }

    /** Opens the semaphore, or creates it; an existing one must have the same settings. */
    public static SharedSemaphore openOrCreate(RegionDirectory directory, String name, long permits, boolean bounded) {
        return directory.openOrCreate(name, spec(permits, bounded),
            r -> r.memory().putLongVolatile(PERMITS_OFFSET, permits)).as(SharedSemaphore::new);
    }

    private static RegionSpec spec(long permits, boolean bounded) {
        if (permits < 0) {
            throw new IllegalArgumentException("semaphore permits must be >= 0, got " + permits);
        }
        return new RegionSpec(TYPE, LENGTH, permits, bounded ? 1 : 0);
    }

    /** Sets how waits wait; returns this. */
    public SharedSemaphore waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    /**
     * @return threads, in all processes, asleep in the kernel waiting for permits (an estimate for
     *         monitoring: spinning waiters are not counted, and one killed while asleep is counted
     *         until the region is re-created)
     */
    public int sleepingWaiters() {
        return word.sleepers();
    }

    /** @return permits available now */
    public long availablePermits() {
        return memory.getLongVolatile(PERMITS_OFFSET);
    }

    /** @return permits this process holds (acquired and not released) */
    public long heldByThisProcess() {
        return holders.held();
    }

    /** @return permits given back, in all, after their holders died */
    public long recoveredPermits() {
        return memory.getLongVolatile(RECOVERED_OFFSET);
    }

    /** Takes {@code permits} if available now. */
    public boolean tryAcquire(long permits) {
        checkPermits(permits);
        long available;
        do {
            available = memory.getLongVolatile(PERMITS_OFFSET);
            if (available < permits) {
                return false;
            }
        } while (!memory.compareAndSetLong(PERMITS_OFFSET, available, available - permits));
        holders.add(permits);
        return true;
    }

    /** Takes one permit if available now. */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code permits}, waiting at most {@code timeout}.
     *
     * @return true if taken, false on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean tryAcquire(long permits, long timeout, TimeUnit unit) throws InterruptedException {
        checkPermits(permits);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        boolean[] got = {false};
        return waitStrategy.await(word, () -> got[0] || (got[0] = tryAcquire(permits)), unit.toNanos(timeout),
            this::recoverDeadHolders) || got[0];
    }

    /** Takes one permit, waiting without a timeout (interruptible). */
    public void acquire() throws InterruptedException {
        tryAcquire(1, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** Takes {@code permits}, waiting without a timeout (interruptible). */
    public void acquire(long permits) throws InterruptedException {
        tryAcquire(permits, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** Gives one permit back. */
    public void release() {
        release(1);
    }

    /**
     * Gives {@code permits} back and wakes waiters.
     *
     * @throws IllegalStateException on a bounded semaphore, if that would exceed its initial permits
     */
    public void release(long permits) {
        checkPermits(permits);
        long available;
        do {
            available = memory.getLongVolatile(PERMITS_OFFSET);
            if (bounded && available + permits > initialPermits) {
                throw new IllegalStateException("released too many times: bounded semaphore '" + region.name()
                    + "' has " + available + " of " + initialPermits + " permits available; releasing " + permits
                    + " would exceed them");
            }
        } while (!memory.compareAndSetLong(PERMITS_OFFSET, available, available + permits));
        holders.subtract(permits);
        word.wakeAllAfterVolatileWrite();
    }

    /** Gives back the permits of holders that died; returns how many. Waiters call it between sleeps. */
    public long recoverDeadHolders() {
        long recovered = holders.recoverDead(held -> {
            long available;
            do {
                available = memory.getLongVolatile(PERMITS_OFFSET);
            } while (!memory.compareAndSetLong(PERMITS_OFFSET, available,
                bounded ? Math.min(initialPermits, available + held) : available + held));
            memory.getAndAddLong(RECOVERED_OFFSET, held);
        });
        if (recovered > 0) {
            word.wakeAllAfterVolatileWrite();
        }
        return recovered;
    }

    private static void checkPermits(long permits) {
        if (permits <= 0) {
            throw new IllegalArgumentException("permits must be > 0, got " + permits);
        }
    }

    /** @return the region holding the semaphore */
    public Region region() {
        return region;
    }

    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedSemaphore[" + region.name() + ", " + availablePermits() + " of " + initialPermits
            + (bounded ? ", bounded" : "") + "]";
    }
}
