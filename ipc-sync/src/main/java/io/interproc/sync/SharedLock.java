package io.interproc.sync;

import static io.interproc.sync.SharedLockDescriptor.HOLD_COUNT_OFFSET;
import static io.interproc.sync.SharedLockDescriptor.OWNER_START_OFFSET;
import static io.interproc.sync.SharedLockDescriptor.OWNER_START_TOKEN_OFFSET;
import static io.interproc.sync.SharedLockDescriptor.OWNER_TOKEN_OFFSET;
import static io.interproc.sync.SharedLockDescriptor.RECOVERED_FLAG;
import static io.interproc.sync.SharedLockDescriptor.RECOVERIES_OFFSET;
import static io.interproc.sync.SharedLockDescriptor.WAITERS_FLAG;
import static io.interproc.sync.SharedLockDescriptor.WAIT_OFFSET;

import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A mutual-exclusion lock shared by processes through a named region, owned by one thread of one
 * process: {@link Lock} semantics between JVMs (Python's {@code multiprocessing.Lock}, or
 * {@code RLock} when created reentrant). Layout in {@link SharedLockDescriptor}.
 *
 * <p><b>Robust.</b> When the owning process dies (even by {@code kill -9}) the lock is not lost:
 * a waiter notices within one or two wait slices (100 ms each by default) that the owner, identified by pid and
 * start time so that a reused pid does not fool it, is gone, and takes the lock over. The new owner
 * is told, because the state the lock guarded may be half-updated: {@link #isRecovered()} is true
 * while it holds the lock, and the {@link #onRecovery(Runnable) recovery callback} runs in its
 * thread, holding the lock, before {@code lock} returns.
 *
 * <p><b>Waiting.</b> {@code lock}, {@code lockInterruptibly} and {@code tryLock(time, unit)} spin
 * briefly, then sleep in the kernel until an unlock wakes them: a blocked thread burns no CPU.
 * Not fair: a thread that arrives as the lock is released may take it before earlier waiters.
 *
 * <p><b>Threads.</b> A handle may be shared by the threads of a process; ownership is per thread.
 * {@link #unlock()} by a thread that does not hold the lock throws
 * {@link IllegalMonitorStateException}. A non-reentrant lock taken twice by its owner deadlocks
 * that thread, as Python's {@code Lock} does; {@code tryLock} returns false instead.
 */
public final class SharedLock implements Lock, AutoCloseable {
    private final Region region;
    private final MemoryAccess memory;
    private final WaitWord word;
    private final boolean reentrant;
    private final long pidBits;
    private final long startTime;
    private volatile Runnable recoveryCallback = () -> { };
    private WaitStrategy waitStrategy = WaitStrategy.blocking();
    private int nextCondition;

    private SharedLock(Region region) {
        this.region = region;
        this.memory = region.memory();
        long flag = region.parameter(0);
        if (flag != 0 && flag != 1) {
            throw new RegionFormatException("lock '" + region.name() + "' has a corrupt reentrant flag " + flag);
        }
        if (region.body().byteSize() != SharedLockDescriptor.LENGTH) {
            throw new RegionFormatException("lock '" + region.name() + "' has a " + region.body().byteSize()
                + "-byte body, expected " + SharedLockDescriptor.LENGTH);
        }
        this.reentrant = flag == 1;
        this.word = region.waitWord(WAIT_OFFSET);
        ProcessIdentity me = ProcessIdentity.current();
        this.pidBits = me.pid() << 32;
        this.startTime = me.startTime();
    }

    /**
     * Creates a lock; {@code reentrant} for an RLock with a hold count.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param reentrant true for a reentrant lock (the owning thread may lock again)
     * @return a handle on it
     */
    public static SharedLock create(RegionDirectory directory, String name, boolean reentrant) {
        return directory.create(name, spec(reentrant), r -> { }).as(SharedLock::new);
    }

    /**
     * Opens an existing lock.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedLock open(RegionDirectory directory, String name) {
        return directory.open(name, SharedLockDescriptor.TYPE).as(SharedLock::new);
    }

    /**
     * Opens the lock, or creates it; an existing one must have the same reentrancy.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param reentrant true for a reentrant lock (the owning thread may lock again)
     * @return a handle on it
     */
    public static SharedLock openOrCreate(RegionDirectory directory, String name, boolean reentrant) {
        return directory.openOrCreate(name, spec(reentrant), r -> { }).as(SharedLock::new);
    }

    private static RegionSpec spec(boolean reentrant) {
        return new RegionSpec(SharedLockDescriptor.TYPE, SharedLockDescriptor.LENGTH, reentrant ? 1 : 0);
    }

    /**
     * Sets how blocking calls wait; returns this.
     *
     * @param strategy how to wait
     * @return this handle
     */
    public SharedLock waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    /**
     * Sets what runs, in the new owner's thread and holding the lock, after a dead owner's lock was taken over.
     *
     * @return this handle
     */
    public SharedLock onRecovery(Runnable callback) {
        this.recoveryCallback = callback;
        return this;
    }

    private long token() {
        return pidBits | (Thread.currentThread().threadId() & 0xFFFF_FFFFL);
    }

    /** {@return true for an RLock} */
    public boolean isReentrant() {
        return reentrant;
    }

    /** {@return true if the calling thread holds the lock} */
    public boolean isHeldByCurrentThread() {
        return owner() == token();
    }

    /** {@return how many times the calling thread holds the lock (0 if it does not)} */
    public int getHoldCount() {
        return !isHeldByCurrentThread() ? 0 : reentrant ? (int) memory.getLongPlain(HOLD_COUNT_OFFSET) + 1 : 1;
    }

    /**
     * {@return true if the calling thread holds the lock and took it over from an owner that died:
     *    the guarded state may be inconsistent}
     */
    public boolean isRecovered() {
        long token = token();
        return owner() == token
            && memory.getLongPlain(OWNER_START_TOKEN_OFFSET) == (token | RECOVERED_FLAG);
    }

    /**
     * {@return threads, in all processes, asleep in the kernel waiting for this lock (an estimate
     *    for monitoring: spinning waiters are not counted, and one killed while asleep is counted
     *    until the region is re-created)}
     */
    public int sleepingWaiters() {
        return word.sleepers();
    }

    /** {@return how many times, in all, a dead owner's lock was taken over} */
    public long recoveries() {
        return memory.getLongVolatile(RECOVERIES_OFFSET);
    }

    /** {@return the owner's pid, or 0 if the lock is free} */
    public long ownerPid() {
        return owner() >>> 32;
    }

    /** {@return Owner Token without the waiters flag (volatile read): 0 when free} */
    private long owner() {
        return memory.getLongVolatile(OWNER_TOKEN_OFFSET) & ~WAITERS_FLAG;
    }

    @Override
    public boolean tryLock() {
        long token = token();
        long owner = memory.compareAndExchangeLong(OWNER_TOKEN_OFFSET, 0, token);
        if (owner == 0) {
            acquired(token, false);
            return true;
        }
        if (reentrant && (owner & ~WAITERS_FLAG) == token) {
            memory.putLongPlain(HOLD_COUNT_OFFSET, memory.getLongPlain(HOLD_COUNT_OFFSET) + 1);
            return true;
        }
        return false;
    }

    private void acquired(long token, boolean tookOver) {
        // Already recorded when this very thread took the lock last (same token and same process start:
        // a reused pid with the same thread id has another start time). A takeover records its token
        // with the recovered flag, which the next ordinary acquisition clears: unlock touches neither.
        long recorded = tookOver ? token | RECOVERED_FLAG : token;
        if (memory.getLongPlain(OWNER_START_TOKEN_OFFSET) != recorded
            || memory.getLongPlain(OWNER_START_OFFSET) != startTime) {
            memory.putLongPlain(OWNER_START_TOKEN_OFFSET, 0);
            memory.putLongRelease(OWNER_START_OFFSET, startTime);
            memory.putLongRelease(OWNER_START_TOKEN_OFFSET, recorded);
        }
        if (tookOver && reentrant) {
            memory.putLongPlain(HOLD_COUNT_OFFSET, 0); // the dead owner's re-entries (a live owner's unlock leaves 0)
        }
        if (tookOver) {
            memory.getAndAddLong(RECOVERIES_OFFSET, 1);
            recoveryCallback.run();
        }
    }

    /** If the owner is dead, takes the lock over; returns true if this thread now holds it. */
    private boolean recoverIfOwnerDied() {
        long owner = memory.getLongVolatile(OWNER_TOKEN_OFFSET);
        if (owner == 0 || ownerAlive(owner & ~WAITERS_FLAG)) {
            return false;
        }
        long token = token();
        // Keep the waiters flag: others may sleep, and this owner's unlock must wake them.
        if (memory.compareAndSetLong(OWNER_TOKEN_OFFSET, owner, token | (owner & WAITERS_FLAG))) {
            acquired(token, true);
            return true;
        }
        return false;
    }

    private boolean ownerAlive(long owner) {
        long pid = owner >>> 32;
        if (pid == pidBits >>> 32) {
            return true; // a thread of this process: alive while we run (a dead thread's lock stays held, as in Java)
        }
        if ((memory.getLongAcquire(OWNER_START_TOKEN_OFFSET) & ~RECOVERED_FLAG) == owner) {
            return new ProcessIdentity(pid, memory.getLongVolatile(OWNER_START_OFFSET)).isAlive();
        }
        // The owner has not written its start time yet: judge by the pid alone.
        return ProcessIdentity.of(pid).isPresent();
    }

    @Override
    public void lock() {
        if (tryLock()) {
            return;
        }
        WaitStrategy.uninterruptibly(() -> acquire(WaitStrategy.NO_TIMEOUT));
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        acquire(WaitStrategy.NO_TIMEOUT);
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return acquire(unit.toNanos(time));
    }

    private boolean acquire(long timeoutNanos) throws InterruptedException {
        region.checkIntact(); // a slow path: a truncated file is an exception here, not a SIGBUS in the CAS below
        if (tryLock()) {
            return true;
        }
        if (!reentrant && owner() == token()) {
            // Python's Lock: a second acquire by the owner blocks (until the timeout).
            return Waiter.of(waitStrategy).await(word, () -> false, timeoutNanos, () -> { });
        }
        boolean[] got = {false};
        return Waiter.of(waitStrategy).await(word, () -> got[0] || (got[0] = tryLockOrFlagWaiting()), timeoutNanos, () -> {
            if (!got[0]) {
                got[0] = recoverIfOwnerDied();
            }
        }) || got[0];
    }

    /**
     * A waiter's check: takes the lock if it is free, else makes sure the waiters flag is set (so the
     * owner's unlock wakes sleepers) and returns false. Test before test-and-set: a spinning waiter
     * writes only when the word changes.
     */
    private boolean tryLockOrFlagWaiting() {
        while (true) {
            long owner = memory.getLongVolatile(OWNER_TOKEN_OFFSET);
            if (owner == 0) {
                if (tryLock()) {
                    return true;
                }
            } else if ((owner & WAITERS_FLAG) != 0
                || memory.compareAndSetLong(OWNER_TOKEN_OFFSET, owner, owner | WAITERS_FLAG)) {
                // Flagged while held: the owner's unlock will wake us. (A failed compare-and-set means
                // the word moved, perhaps to free by an unlock that saw no flag: look again.)
                return false;
            }
        }
    }

    @Override
    public void unlock() {
        long token = token();
        if (!reentrant && memory.compareAndSetLong(OWNER_TOKEN_OFFSET, token, 0)) {
            return; // nobody flagged that they wait: no wake-up needed
        }
        if ((memory.getLongVolatile(OWNER_TOKEN_OFFSET) & ~WAITERS_FLAG) != token) {
            throw new IllegalMonitorStateException("the current thread does not hold lock '" + region.name() + "'"
                + (ownerPid() == 0 ? " (it is free)" : " (pid " + ownerPid() + " holds it)"));
        }
        if (reentrant) {
            long holds = memory.getLongPlain(HOLD_COUNT_OFFSET);
            if (holds > 0) {
                memory.putLongPlain(HOLD_COUNT_OFFSET, holds - 1);
                return;
            }
            if (memory.compareAndSetLong(OWNER_TOKEN_OFFSET, token, 0)) {
                return;
            }
        }
        // The waiters flag is set, and only the owner clears it (waiters only set it): release and
        // wake. The flag goes with the release; waiters that lose the race for the lock set it again.
        memory.putLongVolatile(OWNER_TOKEN_OFFSET, 0);
        word.wakeAllAfterVolatileWrite();
    }

    /**
     * Condition {@code index} of this lock: the same condition in every process that opens the lock.
     *
     * @param index 0 to {@value SharedLockDescriptor#CONDITIONS} - 1
     */
    public SharedCondition condition(int index) {
        if (index < 0 || index >= SharedLockDescriptor.CONDITIONS) {
            throw new IllegalArgumentException("a lock has conditions 0 to " + (SharedLockDescriptor.CONDITIONS - 1)
                + ", got " + index);
        }
        return new SharedCondition(this, SharedLockDescriptor.CONDITIONS_OFFSET
            + (long) index * SharedLockDescriptor.CONDITION_LENGTH);
    }

    /**
     * The next condition of this handle: the first call returns {@link #condition(int) condition(0)},
     * the next condition(1), and so on; processes that create their conditions in the same order
     * share them. Use {@link #condition(int)} to name them explicitly.
     */
    @Override
    public synchronized Condition newCondition() {
        return condition(nextCondition++);
    }

    WaitStrategy waitStrategy() {
        return waitStrategy;
    }

    void checkHeld(String action) {
        if (owner() != token()) {
            throw new IllegalMonitorStateException("the current thread must hold lock '" + region.name() + "' to "
                + action + " it");
        }
    }

    /** Releases every hold of the calling thread; returns how many it had. */
    int releaseFully(String action) {
        checkHeld(action);
        int holds = getHoldCount();
        if (reentrant) {
            memory.putLongPlain(HOLD_COUNT_OFFSET, 0);
        }
        unlock();
        return holds;
    }

    /** Takes the lock back after a condition wait, with {@code holds} holds, whatever happens. */
    void reacquire(int holds) {
        lock();
        if (reentrant) {
            memory.putLongPlain(HOLD_COUNT_OFFSET, holds - 1);
        }
    }

    /** {@return the region holding the lock} */
    public Region region() {
        return region;
    }

    /** Unmaps this handle; a lock this process holds stays held until it exits (then it is recovered). */
    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        long pid = ownerPid();
        return "SharedLock[" + region.name() + (reentrant ? ", reentrant" : "") + ", " + (pid == 0 ? "free" : "held by pid " + pid) + "]";
    }

}
