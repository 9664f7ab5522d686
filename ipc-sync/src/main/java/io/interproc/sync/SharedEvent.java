package io.interproc.sync;

import static io.interproc.sync.SharedEventDescriptor.LENGTH;
import static io.interproc.sync.SharedEventDescriptor.SETS_OFFSET;
import static io.interproc.sync.SharedEventDescriptor.STATE_OFFSET;
import static io.interproc.sync.SharedEventDescriptor.TYPE;
import static io.interproc.sync.SharedEventDescriptor.WAIT_OFFSET;

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
 * An event flag shared by processes through a named region: Python's
 * {@code multiprocessing.Event}. {@link #set()} wakes every waiter in every process;
 * {@link #clear()} resets it; {@link #await} returns at once while it is set.
 *
 * <p>Layout: {@link SharedEventDescriptor}.
 *
 * <p>Thread-safe. Waiters sleep in the kernel (no CPU) and are woken by {@code set}. A waiter
 * returns true if the event was set at any moment during its wait, even if it was cleared again
 * before the waiter ran (it counts sets, as a latch generation). Nothing is owned, so nothing is
 * lost when a process dies; a waiter on an event that nobody will set waits until its timeout.
 */
public final class SharedEvent implements AutoCloseable {

    private final Region region;
    private final MemoryAccess memory;
    private final WaitWord word;
    private WaitStrategy waitStrategy = WaitStrategy.blocking();

    private SharedEvent(Region region) {
        if (region.body().byteSize() != LENGTH) {
            throw new RegionFormatException("event '" + region.name() + "' has a " + region.body().byteSize()
                + "-byte body, expected " + LENGTH);
        }
        this.region = region;
        this.memory = region.memory();
        int state = memory.getIntVolatile(STATE_OFFSET);
        if (state != 0 && state != 1) {
            throw new RegionFormatException("event '" + region.name() + "' has a corrupt state word " + state);
        }
        this.word = region.waitWord(WAIT_OFFSET);
    }

    /**
     * Creates an event, initially clear.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedEvent create(RegionDirectory directory, String name) {
        return directory.create(name, new RegionSpec(TYPE, LENGTH), r -> { }).as(SharedEvent::new);
    }

    /**
     * Opens an existing event.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedEvent open(RegionDirectory directory, String name) {
        return directory.open(name, TYPE).as(SharedEvent::new);
    }

    /**
     * Opens the event, or creates it clear.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedEvent openOrCreate(RegionDirectory directory, String name) {
        return directory.openOrCreate(name, new RegionSpec(TYPE, LENGTH), r -> { }).as(SharedEvent::new);
    }

    /**
     * Sets how waits wait; returns this.
     *
     * @param strategy how to wait
     * @return this handle
     */
    public SharedEvent waitStrategy(WaitStrategy strategy) {
        this.waitStrategy = strategy;
        return this;
    }

    /** Sets the event and wakes every waiter in every process. */
    public void set() {
        if (memory.getIntVolatile(STATE_OFFSET) == 1) {
            return;
        }
        memory.getAndAddInt(SETS_OFFSET, 1);
        memory.putIntVolatile(STATE_OFFSET, 1);
        word.wakeAllAfterVolatileWrite();
    }

    /** Clears the event; later waiters wait for the next {@link #set()}. */
    public void clear() {
        memory.putIntVolatile(STATE_OFFSET, 0);
    }

    /**
     * {@return threads, in all processes, asleep in the kernel waiting for the event to be set (an
     *    estimate for monitoring: spinning waiters are not counted, and one killed while asleep is
     *    counted until the region is re-created)}
     */
    public int sleepingWaiters() {
        return word.sleepers();
    }

    /** {@return true while the event is set} */
    public boolean isSet() {
        return memory.getIntVolatile(STATE_OFFSET) == 1;
    }

    /**
     * Waits until the event is set.
     *
     * @param timeout longest wait
     * @param unit unit of {@code timeout}
     * @return true if it was set (now, or at some moment during the wait), false on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        int sets = memory.getIntVolatile(SETS_OFFSET);
        return Waiter.of(waitStrategy).await(word, () -> memory.getIntVolatile(STATE_OFFSET) == 1
            || memory.getIntVolatile(SETS_OFFSET) != sets, unit.toNanos(timeout), LivenessCheck.NONE);
    }

    /**
     * Waits, without a timeout, until the event is set (interruptible).
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void await() throws InterruptedException {
        await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /** {@return the region holding the event} */
    public Region region() {
        return region;
    }

    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedEvent[" + region.name() + ", " + (isSet() ? "set" : "clear") + "]";
    }
}
