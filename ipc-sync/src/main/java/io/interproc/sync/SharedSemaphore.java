package io.interproc.sync;

import static io.interproc.sync.SharedSemaphoreDescriptor.HOLDERS;
import static io.interproc.sync.SharedSemaphoreDescriptor.HOLDERS_OFFSET;
import static io.interproc.sync.SharedSemaphoreDescriptor.LENGTH;
import static io.interproc.sync.SharedSemaphoreDescriptor.PERMITS_OFFSET;
import static io.interproc.sync.SharedSemaphoreDescriptor.RECOVERED_OFFSET;
import static io.interproc.sync.SharedSemaphoreDescriptor.TYPE;
import static io.interproc.sync.SharedSemaphoreDescriptor.WAIT_OFFSET;

import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore shared by processes through a named region, with
 * {@link java.util.concurrent.Semaphore} operations — Python's {@code multiprocessing.Semaphore},
 * or {@code BoundedSemaphore} when created bounded.
 *
 * <p>Layout: {@link SharedSemaphoreDescriptor}.
 *
 * <p><b>Two uses, chosen at create.</b>
 * <ul>
 * <li><b>Unbounded: a counter of signals</b> ({@code Semaphore}, Python's {@code Semaphore}).
 * Permits are consumed by {@code acquire} and produced by {@code release}, by any process: a
 * process that acquires and exits, normally or killed, has consumed them, and nothing is given back.
 * A kill inside {@code acquire} may consume the permits it was taking (at most once, as a kill just
 * after it returned would).</li>
 * <li><b>Bounded: a pool of resources held by processes</b> (Python's {@code BoundedSemaphore}).
 * Every acquisition is a hold of the calling process, recorded in its slot, and only that process
 * can release it ({@link IllegalStateException} when it holds fewer). When a process ends —
 * {@code kill -9} at any instruction, or a normal exit without releasing — its permits come back:
 * an acquirer that finds permits short checks holders' liveness (at most every 5 ms per handle), so
 * a dead holder's permits return within milliseconds even under steady traffic, and sleeping waiters
 * check every wait slice; {@link #recoveredPermits()} counts them. The holder slots are the truth
 * (available = initial − held by all), so there is no instant in which a kill leaks a permit.
 * At most 64 processes can hold permits at once ({@link IllegalStateException} naming the limit
 * for the 65th). Within a process, acquisitions, releases and {@link #availablePermits()} are
 * exact (linearizable); between processes, two that race for the last permits at the same instant
 * may both fail one attempt (a blocking acquire retries), and {@code availablePermits} may read low
 * by permits another process is just trying to take.</li>
 * </ul>
 * As in {@code java.util.concurrent.Semaphore}, acquiring or releasing 0 permits is allowed
 * (and does nothing); negative counts are {@link IllegalArgumentException}.
 *
 * <p>Thread-safe. Waiters sleep in the kernel and are woken by releases. Not fair.
 */
public final class SharedSemaphore implements AutoCloseable {
    private static final long RECOVERY_INTERVAL_NANOS = 5_000_000;
    private static final java.util.concurrent.ConcurrentMap<String, Object> SLOT_LOCKS = new java.util.concurrent.ConcurrentHashMap<>();

    private final Region region;
    private final MemoryAccess memory;
    private final WaitWord word;
    private final long initialPermits;
    private final boolean bounded;
    private final ProcessSlots holders;
    /**
     * The threads of a process share its slot: this JVM-wide lock (one per region file) keeps one
     * thread's tentative add out of another's check and release, so that within a process
     * {@code tryAcquire}, {@code release} and {@code availablePermits} are exact.
     */
    private final Object slotLock;
    private volatile long lastRecovery = System.nanoTime() - RECOVERY_INTERVAL_NANOS;
    private WaitStrategy waitStrategy = WaitStrategy.blocking();

    private SharedSemaphore(Region region) {
        this.region = region;
        this.memory = region.memory();
        this.initialPermits = region.parameter(0);
        long flag = region.parameter(1);
        SyncRegions.checkBodyLength(region, "semaphore", LENGTH);
        long permits = memory.getLongVolatile(PERMITS_OFFSET);
        if (initialPermits < 0 || (flag != 0 && flag != 1) || permits < 0
            || (flag == 1 && permits != 0)) {
            throw new RegionFormatException("semaphore '" + region.name() + "' is corrupt: " + permits
                + " permits available of " + initialPermits + ", bounded flag " + flag);
        }
        this.bounded = flag == 1;
        this.word = region.waitWord(WAIT_OFFSET);
        this.holders = new ProcessSlots(memory, HOLDERS_OFFSET, HOLDERS, "semaphore '" + region.name() + "'");
        this.slotLock = SLOT_LOCKS.computeIfAbsent(region.path().toAbsolutePath().normalize().toString(), k -> new Object());
    }

    /**
     * Creates a semaphore with {@code permits} permits; {@code bounded} refuses releases beyond them.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param bounded true for a bounded semaphore: permits are holds of the acquiring process, returned when it dies
     * @return a handle on it
     */
    public static SharedSemaphore create(RegionDirectory directory, String name, long permits, boolean bounded) {
        return directory.create(name, spec(permits, bounded),
            r -> r.memory().putLongVolatile(PERMITS_OFFSET, bounded ? 0 : permits)).as(SharedSemaphore::new);
    }

    /**
     * Opens an existing semaphore.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedSemaphore open(RegionDirectory directory, String name) {
        return directory.open(name, TYPE).as(SharedSemaphore::new);
    }

    /**
     * Opens the semaphore, or creates it; an existing one must have the same settings.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param bounded true for a bounded semaphore: permits are holds of the acquiring process, returned when it dies
     * @return a handle on it
     */
    public static SharedSemaphore openOrCreate(RegionDirectory directory, String name, long permits, boolean bounded) {
        return directory.openOrCreate(name, spec(permits, bounded),
            r -> r.memory().putLongVolatile(PERMITS_OFFSET, bounded ? 0 : permits)).as(SharedSemaphore::new);
    }

    private static RegionSpec spec(long permits, boolean bounded) {
        if (permits < 0) {
            throw new IllegalArgumentException("semaphore permits must be >= 0, got " + permits);
        }
        return new RegionSpec(TYPE, LENGTH, permits, bounded ? 1 : 0);
    }

    /**
     * Sets how waits wait; returns this.
     *
     * @param strategy how to wait
     * @return this handle
     */
    public SharedSemaphore waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    /**
     * {@return threads, in all processes, asleep in the kernel waiting for permits (an estimate
     *    for monitoring: spinning waiters are not counted, and one killed while asleep is counted
     *    until the region is re-created)}
     */
    public int sleepingWaiters() {
        return word.sleepers();
    }

    /** {@return true if created bounded: acquisitions are holds of the acquiring process} */
    public boolean isBounded() {
        return bounded;
    }

    /** {@return permits available now (bounded: initial permits minus those held, dead holders' included until recovered)} */
    public long availablePermits() {
        if (!bounded) {
            return memory.getLongVolatile(PERMITS_OFFSET);
        }
        synchronized (slotLock) {
            return initialPermits - holders.total();
        }
    }

    /** {@return permits this process holds (bounded; always 0 for an unbounded semaphore)} */
    public long heldByThisProcess() {
        if (!bounded) {
            return 0;
        }
        synchronized (slotLock) {
            return holders.heldByMe();
        }
    }

    /** {@return permits given back, in all, after their holders died} */
    public long recoveredPermits() {
        return memory.getLongVolatile(RECOVERED_OFFSET);
    }

    /** Takes {@code permits} if available now (never blocks; 0 always succeeds). */
    public boolean tryAcquire(long permits) {
        checkPermits(permits);
        if (permits == 0) {
            return true;
        }
        return bounded ? tryHold(permits) : tryTake(permits);
    }

    private boolean tryTake(long permits) {
        long available;
        do {
            available = memory.getLongVolatile(PERMITS_OFFSET);
            if (available < permits) {
                return false;
            }
        } while (!memory.compareAndSetLong(PERMITS_OFFSET, available, available - permits));
        return true;
    }

    /**
     * Adds to this process's slot first, then checks the sum: a kill at any point leaves a slot that
     * says exactly what the dead process held. Two acquirers that race for the last permits may
     * both see the other and back off; a few retries settle it, or the caller waits for a wake-up.
     */
    private boolean tryHold(long permits) {
        if (permits > initialPermits) {
            return false;
        }
        synchronized (slotLock) {
            return tryHoldLocked(permits);
        }
    }

    private boolean tryHoldLocked(long permits) {
        for (int attempt = 0; attempt < 4; attempt++) {
            if (initialPermits - holders.total() < permits
                && !(recoverIfDue() && initialPermits - holders.total() >= permits)) {
                return false;
            }
            holders.addMine(permits);
            if (holders.total() <= initialPermits) {
                return true;
            }
            holders.addMine(-permits);
            word.wakeAllAfterVolatileWrite(); // another acquirer may have backed off because of this attempt
            Thread.onSpinWait();
        }
        return false;
    }

    private boolean recoverIfDue() {
        long now = System.nanoTime();
        if (now - lastRecovery < RECOVERY_INTERVAL_NANOS) {
            return false;
        }
        lastRecovery = now;
        return recoverDeadHolders() > 0;
    }

    /** Takes one permit if available now. */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code permits}, waiting at most {@code timeout}.
     *
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return true if taken, false on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean tryAcquire(long permits, long timeout, TimeUnit unit) throws InterruptedException {
        checkPermits(permits);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        boolean[] got = {false};
        return Waiter.of(waitStrategy).await(word, () -> got[0] || (got[0] = tryAcquire(permits)), unit.toNanos(timeout),
            this::recoverDeadHolders) || got[0];
    }

    /**
     * Takes one permit, waiting without a timeout (interruptible).
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void acquire() throws InterruptedException {
        tryAcquire(1, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Takes {@code permits}, waiting without a timeout (interruptible).
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void acquire(long permits) throws InterruptedException {
        tryAcquire(permits, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** Gives one permit back. */
    public void release() {
        release(1);
    }

    /**
     * Gives {@code permits} back and wakes waiters (0 does nothing).
     *
     * @throws IllegalStateException on a bounded semaphore, if this process holds fewer permits
     */
    public void release(long permits) {
        checkPermits(permits);
        if (permits == 0) {
            return;
        }
        if (bounded) {
            boolean taken;
            synchronized (slotLock) {
                taken = holders.takeFromMine(permits);
            }
            if (!taken) {
                throw new IllegalStateException("released too many times: this process holds "
                    + holders.heldByMe() + " permits of bounded semaphore '" + region.name() + "' (" + initialPermits
                    + " in all) and cannot release " + permits);
            }
        } else {
            memory.getAndAddLong(PERMITS_OFFSET, permits);
        }
        word.wakeAllAfterVolatileWrite();
    }

    /** Gives back the permits of holders that died; returns how many. Waiters call it between sleeps. */
    public long recoverDeadHolders() {
        if (!bounded || !holders.anyDeadHolder()) {
            return 0;
        }
        long recovered = holders.recoverDead();
        if (recovered > 0) {
            memory.getAndAddLong(RECOVERED_OFFSET, recovered);
            word.wakeAllAfterVolatileWrite();
        }
        return recovered;
    }

    private static void checkPermits(long permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0, got " + permits);
        }
    }

    /** {@return the region holding the semaphore} */
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
