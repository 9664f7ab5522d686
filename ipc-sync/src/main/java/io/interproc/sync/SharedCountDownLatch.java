package io.interproc.sync;

import static io.interproc.sync.SharedCountDownLatchDescriptor.COUNT_OFFSET;
import static io.interproc.sync.SharedCountDownLatchDescriptor.LENGTH;
import static io.interproc.sync.SharedCountDownLatchDescriptor.TYPE;
import static io.interproc.sync.SharedCountDownLatchDescriptor.WAIT_OFFSET;

import io.interproc.core.LivenessCheck;
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
 * A count-down latch shared by processes through a named region, with
 * {@link java.util.concurrent.CountDownLatch} semantics: {@link #countDown()} until zero releases
 * every waiter in every process, and the latch stays open.
 *
 * <p>Layout: {@link SharedCountDownLatchDescriptor}.
 *
 * <p>Thread-safe. Waiters sleep in the kernel and are woken by the last count-down. Nothing is
 * owned: a process that dies before counting down simply never does, and waiters wait until their
 * timeout.
 */
public final class SharedCountDownLatch implements AutoCloseable {

    private final Region region;
    private final MemoryAccess memory;
    private final WaitWord word;
    private WaitStrategy waitStrategy = WaitStrategy.blocking();

    private SharedCountDownLatch(Region region) {
        this.region = region;
        this.memory = region.memory();
        SyncRegions.checkBodyLength(region, "latch", LENGTH);
        long count = memory.getLongVolatile(COUNT_OFFSET);
        if (count < 0 || count > region.parameter(0)) {
            throw new RegionFormatException("latch '" + region.name() + "' is corrupt: count " + count + " of "
                + region.parameter(0) + ", body " + region.body().byteSize() + " bytes");
        }
        this.word = region.waitWord(WAIT_OFFSET);
    }

    /**
     * Creates a latch that opens after {@code count} count-downs.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param count how many
     * @return a handle on it
     */
    public static SharedCountDownLatch create(RegionDirectory directory, String name, long count) {
        return directory.create(name, spec(count),
            r -> r.memory().putLongVolatile(COUNT_OFFSET, count)).as(SharedCountDownLatch::new);
    }

    /**
     * Opens an existing latch.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedCountDownLatch open(RegionDirectory directory, String name) {
        return directory.open(name, TYPE).as(SharedCountDownLatch::new);
    }

    /**
     * Opens the latch, or creates it with {@code count}; an existing one must have the same initial count.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param count how many
     * @return a handle on it
     */
    public static SharedCountDownLatch openOrCreate(RegionDirectory directory, String name, long count) {
        return directory.openOrCreate(name, spec(count),
            r -> r.memory().putLongVolatile(COUNT_OFFSET, count)).as(SharedCountDownLatch::new);
    }

    private static RegionSpec spec(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("latch count must be >= 0, got " + count);
        }
        return new RegionSpec(TYPE, LENGTH, count);
    }

    /**
     * Sets how waits wait; returns this.
     *
     * @param strategy how to wait
     * @return this handle
     */
    public SharedCountDownLatch waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    /** Counts down; the count-down that reaches zero wakes every waiter. Nothing happens at zero. */
    public void countDown() {
        long count;
        do {
            count = memory.getLongVolatile(COUNT_OFFSET);
            if (count == 0) {
                return;
            }
        } while (!memory.compareAndSetLong(COUNT_OFFSET, count, count - 1));
        if (count == 1) {
            word.wakeAllAfterVolatileWrite();
        }
    }

    /** {@return the current count} */
    public long getCount() {
        return memory.getLongVolatile(COUNT_OFFSET);
    }

    /**
     * Waits until the count is zero.
     *
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return true when it is, false if {@code timeout} passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return Waiter.of(waitStrategy).await(word, () -> memory.getLongVolatile(COUNT_OFFSET) == 0, unit.toNanos(timeout),
            LivenessCheck.NONE);
    }

    /**
     * Waits, without a timeout, until the count is zero (interruptible).
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void await() throws InterruptedException {
        await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** {@return the region holding the latch} */
    public Region region() {
        return region;
    }

    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedCountDownLatch[" + region.name() + ", count " + getCount() + "]";
    }
}
