package io.interproc.sync;

import static io.interproc.sync.SharedReadWriteLockDescriptor.HELD;
import static io.interproc.sync.SharedReadWriteLockDescriptor.LENGTH;
import static io.interproc.sync.SharedReadWriteLockDescriptor.READERS;
import static io.interproc.sync.SharedReadWriteLockDescriptor.READERS_OFFSET;
import static io.interproc.sync.SharedReadWriteLockDescriptor.RECOVERIES_OFFSET;
import static io.interproc.sync.SharedReadWriteLockDescriptor.TENTATIVE;
import static io.interproc.sync.SharedReadWriteLockDescriptor.TYPE;
import static io.interproc.sync.SharedReadWriteLockDescriptor.WAIT_OFFSET;
import static io.interproc.sync.SharedReadWriteLockDescriptor.WRITER_OFFSET;
import static io.interproc.sync.SharedReadWriteLockDescriptor.WRITER_THREAD_OFFSET;

import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * A read-write lock shared by processes through a named region: many readers or one writer, with
 * the thread ownership of {@link java.util.concurrent.locks.ReentrantReadWriteLock}.
 *
 * <p>Layout: {@link SharedReadWriteLockDescriptor}.
 *
 * <b>Protocol.</b> A writer claims Writer by compare-and-set from 0 to its
 * {@link ProcessIdentity#stamp() stamp}, which holds back readers that block (writers first), waits
 * until every reader slot is 0, then marks {@link SharedReadWriteLockDescriptor#TENTATIVE}, checks the slots once more and sets
 * {@link SharedReadWriteLockDescriptor#HELD} (or, if a reader came in, goes back to waiting). {@code writeLock().tryLock()} goes
 * from 0 straight to TENTATIVE, checks, and sets HELD or 0; a writer or barging reader that finds a
 * TENTATIVE writer waits for its decision. A reader adds one to its process's
 * slot, then reads Writer; if it must not enter (a blocking reader: any writer; {@code tryLock()}:
 * a writer with HELD, or a TENTATIVE one once it decided for HELD) it takes the hold back. Both
 * sides store before they load, so at least one sees the other, and a barging reader and a
 * deciding writer never both give up: {@code tryLock} is exact. Writer is the only word a writer owns: taking
 * over a dead writer is one compare-and-set from its stamp to 0, and a stamp names one process for
 * ever, so a slow recoverer cannot free a lock that a live writer took since.
 *
 * <p><b>Barging.</b> As with {@code ReentrantReadWriteLock}, {@code readLock().tryLock()} takes a read
 * hold whenever no other thread holds the write lock, even while a writer waits; the blocking
 * calls ({@code lock}, {@code tryLock(time, unit)}) wait behind a waiting writer. {@code tryLock()}
 * may wait a few instructions for a writer that is deciding whether it holds the lock (up to 10 ms
 * if that writer is descheduled, stopped or killed right then, and then it fails).
 *
 * <p><b>Ownership.</b> Read holds belong to threads: {@code readLock().unlock()} by a thread that
 * holds none throws {@link IllegalMonitorStateException}; a thread that holds a read lock takes it
 * again at once even while a writer waits. The write lock is reentrant, its holder may also take
 * read holds (downgrading: take the read lock, then release the write lock). A thread that holds
 * only read holds cannot upgrade: {@code writeLock().tryLock} returns false and {@code lock} throws
 * {@link IllegalMonitorStateException} instead of deadlocking. Thread holds are tracked per handle:
 * lock and unlock through the same {@code SharedReadWriteLock} object.
 *
 * <p><b>Robust.</b> When a process dies (even by {@code kill -9}, at any instruction) its write
 * lock, or a writer's claim while it waited for readers, and all its read holds are given back:
 * waiters check within one wait slice (100 ms by default). A process that only closes its handle
 * keeps its holds until it exits. At most 64 processes can hold read locks at once; the 65th gets
 * {@link IllegalStateException} naming the limit.
 *
 * <p>Thread-safe; waiters sleep in the kernel. Among writers and among readers, threads barge
 * (no FIFO order).
 */
public final class SharedReadWriteLock implements ReadWriteLock, AutoCloseable {
    private static final long STAMP = ~(HELD | TENTATIVE);
    /** Spins, then yields, a reader waits for a tentative writer to decide (a few instructions, unless it is descheduled). */
    private static final int DECISION_SPINS = 1 << 10;
    /** Longest wait for a writer's decision: only a writer stopped or killed mid-decision takes this long. */
    private static final long DECISION_NANOS = 10_000_000;

    private final Region region;
    private final MemoryAccess memory;
    private final WaitWord word;
    private final long me = ProcessIdentity.current().stamp();
    private final ProcessSlots readers;
    private final ThreadLocal<int[]> readHolds = ThreadLocal.withInitial(() -> new int[1]);
    private final Lock readLock = new ReadLock();
    private final Lock writeLock = new WriteLock();
    /** The write lock's hold count; only its owner thread (in this process) touches it. */
    private int writeHolds;
    private WaitStrategy waitStrategy = WaitStrategy.blocking();

    private SharedReadWriteLock(Region region) {
        SyncRegions.checkBodyLength(region, "read-write lock", LENGTH);
        this.region = region;
        this.memory = region.memory();
        this.word = region.waitWord(WAIT_OFFSET);
        this.readers = new ProcessSlots(memory, READERS_OFFSET, READERS, "read-write lock '" + region.name() + "'");
    }

    /**
     * Creates a read-write lock.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedReadWriteLock create(RegionDirectory directory, String name) {
        return directory.create(name, new RegionSpec(TYPE, LENGTH), r -> { }).as(SharedReadWriteLock::new);
    }

    /**
     * Opens an existing read-write lock.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedReadWriteLock open(RegionDirectory directory, String name) {
        return directory.open(name, TYPE).as(SharedReadWriteLock::new);
    }

    /**
     * Opens the read-write lock, or creates it.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedReadWriteLock openOrCreate(RegionDirectory directory, String name) {
        return directory.openOrCreate(name, new RegionSpec(TYPE, LENGTH), r -> { }).as(SharedReadWriteLock::new);
    }

    /**
     * Sets how waits wait; returns this.
     *
     * @param strategy how to wait
     * @return this handle
     */
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

    /** {@return read holds in all processes (including those of dead processes not yet recovered)} */
    public int getReadLockCount() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, readers.total()));
    }

    /** {@return read holds of the calling thread through this handle} */
    public int getReadHoldCount() {
        return readHolds.get()[0];
    }

    /** {@return true while some thread holds the write lock} */
    public boolean isWriteLocked() {
        return (memory.getLongVolatile(WRITER_OFFSET) & HELD) != 0;
    }

    /** {@return true while a writer has claimed the lock and waits for the readers to leave (new readers that block wait behind it)} */
    public boolean hasWaitingWriter() {
        long writer = memory.getLongVolatile(WRITER_OFFSET);
        return writer != 0 && (writer & HELD) == 0;
    }

    /** {@return true if the calling thread holds the write lock} */
    public boolean isWriteLockedByCurrentThread() {
        return memory.getLongVolatile(WRITER_OFFSET) == (me | HELD) && writeHolds > 0
            && memory.getLongVolatile(WRITER_THREAD_OFFSET) == Thread.currentThread().threadId();
    }

    /**
     * {@return threads, in all processes, asleep in the kernel waiting for either side of this
     *    lock (an estimate for monitoring: spinning waiters are not counted, and one killed while
     *    asleep is counted until the region is re-created)}
     */
    public int sleepingWaiters() {
        return word.sleepers();
    }

    /** {@return how many dead writers and dead readers' slots were given back} */
    public long recoveries() {
        return memory.getLongVolatile(RECOVERIES_OFFSET);
    }

    /**
     * A read hold now if no other thread holds the write lock. {@code barging}: also while a writer
     * only waits for readers to leave ({@code tryLock()}, as {@code ReentrantReadWriteLock}'s does);
     * otherwise a waiting writer holds this reader back (the blocking calls: writers first).
     */
    private boolean tryRead(boolean barging) {
        int[] holds = readHolds.get();
        if (holds[0] > 0 || isWriteLockedByCurrentThread()) {
            readers.addMine(1); // reentrant, or downgrading: never waits for a writer
            holds[0]++;
            return true;
        }
        if (!barging) {
            if (memory.getLongVolatile(WRITER_OFFSET) != 0) {
                return false;
            }
            readers.addMine(1);
            if (memory.getLongVolatile(WRITER_OFFSET) != 0) {
                readers.addMine(-1); // a writer came first: it may be waiting for this slot to drain
                word.wakeAllAfterVolatileWrite();
                return false;
            }
            holds[0]++;
            return true;
        }
        if ((decided() & HELD) != 0) {
            return false;
        }
        readers.addMine(1);
        // Stored, then loaded: a writer that is deciding loads the slots after it marked TENTATIVE, so
        // either it sees this hold (and backs off) or this sees its mark (and waits for its decision).
        if ((decided() & HELD) != 0) {
            readers.addMine(-1);
            word.wakeAllAfterVolatileWrite();
            return false;
        }
        holds[0]++;
        return true;
    }

    /**
     * Writer, once no writer is deciding: spins, then yields (a descheduled writer gets the CPU back),
     * for at most 10 ms; a writer stopped or killed mid-decision then counts as holding.
     */
    private long decided() {
        long writer = memory.getLongVolatile(WRITER_OFFSET);
        long deadline = 0;
        for (int i = 0; (writer & TENTATIVE) != 0; i++) {
            if (i < DECISION_SPINS) {
                Thread.onSpinWait();
            } else if (deadline == 0) {
                deadline = System.nanoTime() + DECISION_NANOS;
            } else if (System.nanoTime() - deadline > 0) {
                return writer | HELD;
            } else {
                Thread.yield();
            }
            writer = memory.getLongVolatile(WRITER_OFFSET);
        }
        return writer;
    }

    private void releaseRead() {
        int[] holds = readHolds.get();
        if (holds[0] <= 0) {
            throw new IllegalMonitorStateException("the current thread holds no read lock of '" + region.name() + "'");
        }
        holds[0]--;
        readers.addMine(-1);
        if (memory.getLongVolatile(WRITER_OFFSET) != 0) {
            word.wakeAllAfterVolatileWrite(); // a writer may wait for the readers to drain
        }
    }

    /** Claims the writer word; true if this thread now has it claimed (not yet held). */
    private boolean claimWrite() {
        if (memory.getLongVolatile(WRITER_OFFSET) != 0 || !memory.compareAndSetLong(WRITER_OFFSET, 0, me)) {
            return false;
        }
        memory.putLongVolatile(WRITER_THREAD_OFFSET, Thread.currentThread().threadId());
        return true;
    }

    /**
     * With the writer word claimed: if no reader is left, marks it HELD and checks again (a barging
     * reader may have come in between; it sees HELD or this check sees it).
     *
     * @return true if this thread now holds the write lock; false leaves the claim as it was
     */
    private boolean holdIfDrained() {
        if (readers.total() != 0) {
            return false;
        }
        memory.putLongVolatile(WRITER_OFFSET, me | TENTATIVE); // only the claimer writes a claimed word
        if (readers.total() == 0) {
            memory.putLongVolatile(WRITER_OFFSET, me | HELD);
            writeHolds = 1;
            return true;
        }
        memory.putLongVolatile(WRITER_OFFSET, me); // no wake: blocking readers wait for the word to be 0
        return false;
    }

    /**
     * The non-blocking write acquisition: one compare-and-set of Writer from 0 straight to
     * TENTATIVE (no claimed state another tryLock could find in between), a check of the readers,
     * then HELD, or back to 0. A writer found deciding is waited for, as readers do.
     */
    private boolean tryWrite() {
        if (writeHolds > 0 && isWriteLockedByCurrentThread()) {
            writeHolds++;
            return true;
        }
        if (readHolds.get()[0] > 0) {
            return false;
        }
        while (true) {
            if (readers.total() != 0) {
                return false;
            }
            if (memory.compareAndSetLong(WRITER_OFFSET, 0, me | TENTATIVE)) {
                memory.putLongVolatile(WRITER_THREAD_OFFSET, Thread.currentThread().threadId());
                if (readers.total() == 0) {
                    memory.putLongVolatile(WRITER_OFFSET, me | HELD);
                    writeHolds = 1;
                    return true;
                }
                unclaimWrite(); // a reader came in while this writer decided
                return false;
            }
            if (decided() != 0) {
                return false; // held, or claimed by a writer that waits for readers to leave
            }
            // the writer that was deciding gave up: look again
        }
    }

    private void unclaimWrite() {
        memory.putLongVolatile(WRITER_THREAD_OFFSET, 0);
        long writer = memory.getLongVolatile(WRITER_OFFSET);
        if ((writer & STAMP) == me) {
            memory.compareAndSetLong(WRITER_OFFSET, writer, 0);
        }
        word.wakeAllAfterVolatileWrite();
    }

    private void releaseWrite() {
        if (!isWriteLockedByCurrentThread()) {
            throw new IllegalMonitorStateException("the current thread does not hold the write lock of '"
                + region.name() + "'");
        }
        if (--writeHolds > 0) {
            return;
        }
        unclaimWrite();
    }

    /** Gives back the holds of dead readers and a dead writer; returns true if it freed anything. Waiters call it between sleeps. */
    public boolean recoverDeadHolders() {
        boolean freed = false;
        long writer = memory.getLongVolatile(WRITER_OFFSET);
        long stamp = writer & STAMP;
        if (writer != 0 && stamp != me && !ProcessIdentity.isStampAlive(stamp)
            && memory.compareAndSetLong(WRITER_OFFSET, writer, 0)) {
            memory.getAndAddLong(RECOVERIES_OFFSET, 1);
            freed = true;
        }
        if (readers.anyDeadHolder() && readers.recoverDead() > 0) {
            memory.getAndAddLong(RECOVERIES_OFFSET, 1);
            freed = true;
        }
        if (freed) {
            word.wakeAllAfterVolatileWrite();
        }
        return freed;
    }

    private boolean acquireRead(long nanos) throws InterruptedException {
        if (tryRead(false)) {
            return true;
        }
        boolean[] got = {false};
        return Waiter.of(waitStrategy).await(word, () -> got[0] || (got[0] = tryRead(false)), nanos, this::recoverDeadHolders)
            || got[0];
    }

    private boolean acquireWrite(long nanos, boolean untimed) throws InterruptedException {
        if (tryWrite()) {
            return true;
        }
        if (readHolds.get()[0] > 0) {
            if (untimed) {
                throw new IllegalMonitorStateException("the current thread holds a read lock of '" + region.name()
                    + "' and would wait for itself: release it before taking the write lock");
            }
            return false;
        }
        long start = System.nanoTime();
        // First the writer word (which stops new readers), then the readers' drain.
        boolean claimed = Waiter.of(waitStrategy).await(word, this::claimWrite, nanos, this::recoverDeadHolders);
        if (!claimed) {
            return false;
        }
        boolean drained = false;
        try {
            long left = nanos == WaitStrategy.NO_TIMEOUT ? WaitStrategy.NO_TIMEOUT : nanos - (System.nanoTime() - start);
            drained = holdIfDrained()
                || (left > 0 && Waiter.of(waitStrategy).await(word, this::holdIfDrained, left, this::recoverDeadHolders));
        } finally {
            if (!drained) {
                unclaimWrite();
            }
        }
        return drained;
    }

    private abstract class Side implements Lock {
        abstract boolean attempt();

        abstract boolean acquire(long nanos, boolean untimed) throws InterruptedException;

        @Override
        public void lock() {
            WaitStrategy.uninterruptibly(() -> acquire(WaitStrategy.NO_TIMEOUT, true));
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            acquire(WaitStrategy.NO_TIMEOUT, true);
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
            return acquire(unit.toNanos(time), false);
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("read-write locks have no conditions; use a SharedLock");
        }
    }

    private final class ReadLock extends Side {
        @Override
        boolean attempt() {
            return tryRead(true);
        }

        @Override
        boolean acquire(long nanos, boolean untimed) throws InterruptedException {
            return acquireRead(nanos);
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
        boolean acquire(long nanos, boolean untimed) throws InterruptedException {
            return acquireWrite(nanos, untimed);
        }

        @Override
        public void unlock() {
            releaseWrite();
        }
    }

    /** {@return the region holding the lock} */
    public Region region() {
        return region;
    }

    /** Unmaps this handle; holds this process keeps stay held until it exits (then they are recovered). */
    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedReadWriteLock[" + region.name() + ", " + (isWriteLocked() ? "write-locked"
            : getReadLockCount() + " read holds") + "]";
    }
}
