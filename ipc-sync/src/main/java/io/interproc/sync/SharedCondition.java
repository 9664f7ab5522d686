package io.interproc.sync;

import static io.interproc.sync.SharedLockDescriptor.CONDITION_GENERATION;
import static io.interproc.sync.SharedLockDescriptor.CONDITION_STATE;
import static io.interproc.sync.SharedLockDescriptor.CONDITION_WAIT;

import io.interproc.core.LivenessCheck;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A condition of a {@link SharedLock}, shared by every process that opens the lock: condition
 * {@code i} of a lock is the same in all of them ({@link SharedLock#condition(int)}). The calling
 * thread must hold the lock for every method ({@link IllegalMonitorStateException} otherwise);
 * {@code await} releases it fully while waiting and takes it back (with its hold count) before
 * returning, even on timeout or interrupt.
 *
 * <p>{@link #signal()} releases one of the threads (of any process) waiting at that moment,
 * {@link #signalAll()} every one of them; a thread that starts waiting after the signal — the
 * signaller itself included — is not released by it. Protocol in {@link SharedLockDescriptor}.
 * A waiter that times out or is interrupted just as a signal is given to it takes the signal and
 * returns normally (with its interrupt status set): a signal is never lost. Not FIFO.
 *
 * <p>A waiter whose process dies while waiting stays counted: a later {@code signal()} may be
 * spent on it, and one signal after that may release two waiters (a spurious wake-up, which the
 * {@link Condition} contract allows): loop on the guarded predicate.
 */
public final class SharedCondition implements Condition {
    private static final long WAITER = 1L << 32;
    private static final long SIGNALS = WAITER - 1;

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
        lock.checkHeld("await on a condition of");
        // Registered while the lock is held: a signal given after the release below sees this waiter,
        // and only a signal given after now (which moves Generation) may release it.
        long generation = memory.getLongVolatile(base + CONDITION_GENERATION);
        memory.getAndAddLong(base + CONDITION_STATE, WAITER);
        int holds = lock.releaseFully("await on a condition of");
        long start = System.nanoTime();
        boolean signalled = false;
        InterruptedException interrupted = null;
        try {
            signalled = Waiter.of(lock.waitStrategy()).await(word, () -> takeSignal(generation), nanosTimeout, LivenessCheck.NONE);
        } catch (InterruptedException e) {
            interrupted = e;
        } finally {
            lock.reacquire(holds);
            if (!signalled && !(signalled = takeSignal(generation))) {
                memory.getAndAddLong(base + CONDITION_STATE, -WAITER); // leaves unsignalled
            }
        }
        if (interrupted != null) {
            if (!signalled) {
                throw interrupted;
            }
            Thread.currentThread().interrupt();
        }
        if (nanosTimeout == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long left = nanosTimeout - (System.nanoTime() - start);
        return signalled ? Math.max(1, left) : Math.min(0, left);
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return awaitNanos(unit.toNanos(time)) > 0;
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        return awaitNanos(TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis())) > 0;
    }

    /** Releases one of the threads waiting now, if any. */
    @Override
    public void signal() {
        lock.checkHeld("signal a condition of");
        long state;
        do {
            state = memory.getLongVolatile(base + CONDITION_STATE);
            if ((state & SIGNALS) >= state >>> 32) {
                return; // every waiter already has a signal
            }
        } while (!memory.compareAndSetLong(base + CONDITION_STATE, state, state + 1));
        newGeneration();
    }

    /** Releases every thread waiting now. */
    @Override
    public void signalAll() {
        lock.checkHeld("signal a condition of");
        long state;
        long waiters;
        do {
            state = memory.getLongVolatile(base + CONDITION_STATE);
            waiters = state >>> 32;
            if ((state & SIGNALS) >= waiters) {
                return;
            }
        } while (!memory.compareAndSetLong(base + CONDITION_STATE, state, waiters << 32 | waiters));
        newGeneration();
    }

    /** Makes the signals just added takeable by every waiter that registered before them (only lock holders write it). */
    private void newGeneration() {
        memory.putLongVolatile(base + CONDITION_GENERATION, memory.getLongVolatile(base + CONDITION_GENERATION) + 1);
        word.wakeAllAfterVolatileWrite();
    }

    /** {@return threads (of all processes) waiting on this condition, signalled ones that have not yet returned included} */
    public long waiters() {
        return memory.getLongVolatile(base + CONDITION_STATE) >>> 32;
    }

    /** Takes a signal, if one is there and was given after this waiter registered in {@code generation}. */
    private boolean takeSignal(long generation) {
        if (memory.getLongVolatile(base + CONDITION_GENERATION) == generation) {
            return false;
        }
        long state;
        do {
            state = memory.getLongVolatile(base + CONDITION_STATE);
            if ((state & SIGNALS) == 0 || state >>> 32 == 0) {
                return false;
            }
        } while (!memory.compareAndSetLong(base + CONDITION_STATE, state, state - WAITER - 1));
        return true;
    }
}
