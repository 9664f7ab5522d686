package io.interproc.sync;

import static io.interproc.sync.SharedLockDescriptor.CONDITION_SIGNALS;
import static io.interproc.sync.SharedLockDescriptor.CONDITION_WAIT;
import static io.interproc.sync.SharedLockDescriptor.CONDITION_WAITERS;

import io.interproc.core.LivenessCheck;
import io.interproc.core.MemoryAccess;
import io.interproc.core.WaitStrategy;
import io.interproc.core.WaitWord;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A condition of a {@link SharedLock}, shared by every process that opens the lock: condition
 * {@code i} of a lock is the same in all of them ({@link SharedLock#condition(int)}). The calling
 * thread must hold the lock for every method; {@code await} releases it fully while waiting and
 * takes it back (with its hold count) before returning, even on timeout or interrupt.
 *
 * <p>{@link #signal()} releases one waiting thread (of any process), {@link #signalAll()} every
 * thread waiting at that moment. As the {@link Condition} contract allows, a wait may also return
 * spuriously; loop on the guarded predicate. A waiter whose process dies takes nothing with it;
 * a signal it had not yet taken stays for the next waiter.
 */
public final class SharedCondition implements Condition {
    private final SharedLock lock;
    private final MemoryAccess memory;
    private final long base;
    private final WaitWord word;

    SharedCondition(SharedLock lock, long base) {
        this.lock = lock;
        this.memory = lock.region().memory();
        this.base = base;
        this.word = lock.region().waitWord(base + CONDITION_WAIT);
    }

    @Override
    public void await() throws InterruptedException {
        awaitNanos(Long.MAX_VALUE);
    }

    @Override
    public void awaitUninterruptibly() {
        WaitStrategy.uninterruptibly(() -> awaitNanos(Long.MAX_VALUE));
    }

    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        int holds = lock.releaseFully("await on a condition of");
        memory.getAndAddLong(base + CONDITION_WAITERS, 1);
        long start = System.nanoTime();
        boolean signalled = false;
        InterruptedException interrupted = null;
        try {
            signalled = lock.waitStrategy().await(word, this::takeSignal, nanosTimeout, LivenessCheck.NONE);
        } catch (InterruptedException e) {
            interrupted = e;
        } finally {
            memory.getAndAddLong(base + CONDITION_WAITERS, -1);
            if (!signalled) {
                trimSignals();
            }
            lock.reacquire(holds);
        }
        if (interrupted != null) {
            throw interrupted;
        }
        long left = nanosTimeout == Long.MAX_VALUE ? Long.MAX_VALUE : nanosTimeout - (System.nanoTime() - start);
        return signalled && left <= 0 ? 1 : left;
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return awaitNanos(unit.toNanos(time)) > 0;
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        return awaitNanos(TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis())) > 0;
    }

    /** Releases one waiting thread, if any. */
    @Override
    public void signal() {
        lock.checkHeld("signal a condition of");
        long signals;
        do {
            signals = memory.getLongVolatile(base + CONDITION_SIGNALS);
            if (signals >= memory.getLongVolatile(base + CONDITION_WAITERS)) {
                return;
            }
        } while (!memory.compareAndSetLong(base + CONDITION_SIGNALS, signals, signals + 1));
        word.wakeAllAfterVolatileWrite();
    }

    /** Releases every thread waiting now. */
    @Override
    public void signalAll() {
        lock.checkHeld("signal a condition of");
        long signals;
        long waiters;
        do {
            signals = memory.getLongVolatile(base + CONDITION_SIGNALS);
            waiters = memory.getLongVolatile(base + CONDITION_WAITERS);
            if (signals >= waiters) {
                return;
            }
        } while (!memory.compareAndSetLong(base + CONDITION_SIGNALS, signals, waiters));
        word.wakeAllAfterVolatileWrite();
    }

    /** @return threads (of all processes) waiting on this condition */
    public long waiters() {
        return memory.getLongVolatile(base + CONDITION_WAITERS);
    }

    private boolean takeSignal() {
        long signals;
        do {
            signals = memory.getLongVolatile(base + CONDITION_SIGNALS);
            if (signals <= 0) {
                return false;
            }
        } while (!memory.compareAndSetLong(base + CONDITION_SIGNALS, signals, signals - 1));
        return true;
    }

    /** A waiter leaving without a signal: no more signals may stay than waiters remain. */
    private void trimSignals() {
        long signals;
        long waiters;
        do {
            signals = memory.getLongVolatile(base + CONDITION_SIGNALS);
            waiters = memory.getLongVolatile(base + CONDITION_WAITERS);
            if (signals <= waiters) {
                return;
            }
        } while (!memory.compareAndSetLong(base + CONDITION_SIGNALS, signals, waiters));
    }
}
