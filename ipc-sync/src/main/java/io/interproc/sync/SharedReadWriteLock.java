package io.interproc.sync;

import io.interproc.core.MemoryAccess;
import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.WaitStrategy;
import io.interproc.core.WaitWord;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * A read-write lock shared by processes through a named region: many readers or one writer.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  State (64): bit 62 writer; low 31 bits reader count          |
 *     8  |  Writer Pid (64) | Writer Start Time (64) | Writer Thread (64)  |
 *    32  |  Writers Waiting (64)                                         |
 *    40  |  Recoveries (64)                                              |
 *   128  +---------------------------------------------------------------+
 *        |  Wait Word (8)                                                |
 *   256  +---------------------------------------------------------------+
 *        |  Reader table: 64 entries of Pid (64) | Start (64) | Held (64) | 0
 *  2304  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Fairness: writers first.</b> While a writer waits, new readers wait too, so a stream of
 * readers cannot starve writers; among themselves, threads barge (no FIFO order). Not reentrant:
 * a thread that takes the read lock twice holds two read holds and must release both; a thread
 * holding the write lock must not take the read lock.
 *
 * <p><b>Robust.</b> A writer whose process dies is replaced after its liveness is checked (pid and
 * start time); readers that die have their holds given back from the reader table. Waiters check
 * within one wait slice. A process killed in the few instructions between taking a read hold and
 * recording it leaks that hold.
 *
 * <p>Thread-safe; waiters sleep in the kernel.
 */
public final class SharedReadWriteLock implements ReadWriteLock, AutoCloseable {
    /** Region type of read-write locks. */
    public static final RegionType TYPE = RegionType.of("rwlock", 1);
    public static final int STATE_OFFSET = 0;
    public static final int WRITER_PID_OFFSET = 8;
    public static final int WRITER_START_OFFSET = 16;
    public static final int WRITER_THREAD_OFFSET = 24;
    public static final int WRITERS_WAITING_OFFSET = 32;
    public static final int RECOVERIES_OFFSET = 40;
    public static final int WAIT_OFFSET = 128;
    public static final int READERS_OFFSET = 256;
    public static final int READERS = 64;
    public static final int LENGTH = READERS_OFFSET + READERS * 32;
    static final long WRITER = 1L << 62;
    static final long READER_MASK = (1L << 31) - 1;

    private final Region region;
    private final MemoryAccess memory;
    private final WaitWord word;
    private final ProcessIdentity me = ProcessIdentity.current();
    private final HolderTable readers;
    private final Lock readLock = new ReadLock();
    private final Lock writeLock = new WriteLock();
    private WaitStrategy waitStrategy = WaitStrategy.blocking();

    private SharedReadWriteLock(Region region) {
        long state = region.memory().getLongVolatile(STATE_OFFSET);
        if (region.body().byteSize() != LENGTH || (state & ~(WRITER | READER_MASK)) != 0
            || ((state & WRITER) != 0 && (state & READER_MASK) != 0)) {
            throw new RegionFormatException("read-write lock '" + region.name() + "' has a corrupt state word 0x"
                + Long.toHexString(state));
        }
        this.region = region;
        this.memory = region.memory();
        this.word = region.waitWord(WAIT_OFFSET);
        this.readers = new HolderTable(memory, READERS_OFFSET, READERS);
    }

    /** Creates a read-write lock. */
    public static SharedReadWriteLock create(RegionDirectory directory, String name) {
        return directory.create(name, new RegionSpec(TYPE, LENGTH), r -> { }).as(SharedReadWriteLock::new);
    }

    /** Opens an existing read-write lock. */
    public static SharedReadWriteLock open(RegionDirectory directory, String name) {
        return directory.open(name, TYPE).as(SharedReadWriteLock::new);
    }

    /** Opens the read-write lock, or creates it. */
    public static SharedReadWriteLock openOrCreate(RegionDirectory directory, String name) {
        return directory.openOrCreate(name, new RegionSpec(TYPE, LENGTH), r -> { }).as(SharedReadWriteLock::new);
    }

    /** Sets how waits wait; returns this. */
    public SharedReadWriteLock waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    @Override
    public Lock readLock() {
        return readLock;
    }

    @Override
    public Lock writeLock() {
        return writeLock;
    }

    /** @return read holds in all processes */
    public int getReadLockCount() {
        return (int) (memory.getLongVolatile(STATE_OFFSET) & READER_MASK);
    }

    /** @return true while some thread holds the write lock */
    public boolean isWriteLocked() {
        return (memory.getLongVolatile(STATE_OFFSET) & WRITER) != 0;
    }

    /**
     * @return threads, in all processes, asleep in the kernel waiting for either side of this lock (an estimate for
     *         monitoring: spinning waiters are not counted, and one killed while asleep is counted
     *         until the region is re-created)
     */
    public int sleepingWaiters() {
        return word.sleepers();
    }

    /** @return how many dead holders' holds were given back */
    public long recoveries() {
        return memory.getLongVolatile(RECOVERIES_OFFSET);
    }

    private boolean tryRead() {
        long state;
        do {
            state = memory.getLongVolatile(STATE_OFFSET);
            if ((state & WRITER) != 0 || memory.getLongVolatile(WRITERS_WAITING_OFFSET) > 0
                || (state & READER_MASK) == READER_MASK) {
                return false;
            }
        } while (!memory.compareAndSetLong(STATE_OFFSET, state, state + 1));
        readers.add(1);
        return true;
    }

    private void releaseRead() {
        if (readers.subtract(1) <= 0) {
            throw new IllegalMonitorStateException("this process holds no read lock of '" + region.name() + "'");
        }
        long state = memory.getAndAddLong(STATE_OFFSET, -1);
        if ((state & READER_MASK) == 1) {
            word.wakeAllAfterVolatileWrite();
        }
    }

    private boolean tryWrite() {
        if (memory.getLongVolatile(STATE_OFFSET) != 0 || !memory.compareAndSetLong(STATE_OFFSET, 0, WRITER)) {
            return false;
        }
        memory.putLongVolatile(WRITER_THREAD_OFFSET, Thread.currentThread().threadId());
        memory.putLongVolatile(WRITER_START_OFFSET, me.startTime());
        memory.putLongVolatile(WRITER_PID_OFFSET, me.pid());
        return true;
    }

    private void releaseWrite() {
        if (!heldForWriteByCurrentThread()) {
            throw new IllegalMonitorStateException("the current thread does not hold the write lock of '"
                + region.name() + "'");
        }
        memory.putLongVolatile(WRITER_PID_OFFSET, 0);
        memory.putLongVolatile(STATE_OFFSET, 0);
        word.wakeAllAfterVolatileWrite();
    }

    private boolean heldForWriteByCurrentThread() {
        return (memory.getLongVolatile(STATE_OFFSET) & WRITER) != 0 && memory.getLongVolatile(WRITER_PID_OFFSET) == me.pid()
            && memory.getLongVolatile(WRITER_THREAD_OFFSET) == Thread.currentThread().threadId();
    }

    /** Gives back the holds of dead readers and a dead writer. Waiters call it between sleeps. */
    public void recoverDeadHolders() {
        long state = memory.getLongVolatile(STATE_OFFSET);
        if ((state & WRITER) != 0) {
            long pid = memory.getLongVolatile(WRITER_PID_OFFSET);
            boolean dead = pid == 0 ? false : pid != me.pid()
                && !new ProcessIdentity(pid, memory.getLongVolatile(WRITER_START_OFFSET)).isAlive();
            if (dead && memory.compareAndSetLong(STATE_OFFSET, state, 0)) {
                memory.getAndAddLong(RECOVERIES_OFFSET, 1);
                word.wakeAllAfterVolatileWrite();
            }
            return;
        }
        readers.recoverDead(held -> {
            memory.getAndAddLong(STATE_OFFSET, -held);
            memory.getAndAddLong(RECOVERIES_OFFSET, 1);
            word.wakeAllAfterVolatileWrite();
        });
    }

    private boolean await(java.util.function.BooleanSupplier attempt, long nanos, boolean writer)
        throws InterruptedException {
        if (attempt.getAsBoolean()) {
            return true;
        }
        if (writer) {
            memory.getAndAddLong(WRITERS_WAITING_OFFSET, 1);
        }
        try {
            boolean[] got = {false};
            return waitStrategy.await(word, () -> got[0] || (got[0] = writer ? tryWrite() : tryRead()), nanos,
                this::recoverDeadHolders) || got[0];
        } finally {
            if (writer) {
                memory.getAndAddLong(WRITERS_WAITING_OFFSET, -1);
                word.wakeAllAfterVolatileWrite(); // readers held back by this writer may go now
            }
        }
    }

    private abstract class Side implements Lock {
        abstract boolean attempt();

        abstract boolean writer();

        @Override
        public void lock() {
            WaitStrategy.uninterruptibly(() -> await(this::attempt, WaitStrategy.NO_TIMEOUT, writer()));
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            await(this::attempt, WaitStrategy.NO_TIMEOUT, writer());
        }

        @Override
        public boolean tryLock() {
            return attempt();
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return await(this::attempt, unit.toNanos(time), writer());
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("read-write locks have no conditions; use a SharedLock");
        }
    }

    private final class ReadLock extends Side {
        @Override
        boolean attempt() {
            return tryRead();
        }

        @Override
        boolean writer() {
            return false;
        }

        @Override
        public void unlock() {
            releaseRead();
        }
    }

    private final class WriteLock extends Side {
        @Override
        boolean attempt() {
            return tryWrite();
        }

        @Override
        boolean writer() {
            return true;
        }

        @Override
        public void unlock() {
            releaseWrite();
        }
    }

    /** @return the region holding the lock */
    public Region region() {
        return region;
    }

    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedReadWriteLock[" + region.name() + ", " + (isWriteLocked() ? "write-locked"
            : getReadLockCount() + " readers") + "]";
    }
}
