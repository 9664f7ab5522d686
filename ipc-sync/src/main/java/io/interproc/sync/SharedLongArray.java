package io.interproc.sync;

import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.internal.memory.MemoryAccess;
import java.util.function.LongUnaryOperator;

/**
 * An array of longs shared by processes through a named region, each element atomic — Python's
 * {@code multiprocessing.Array('q', n)} / {@code Value('q')} (a one-element array), with
 * {@link java.util.concurrent.atomic.AtomicLongArray} operations. Elements are 8 bytes apart
 * (use {@link #create(RegionDirectory, String, int, boolean) padded} elements, 128 bytes apart,
 * for counters that different processes update hard).
 *
 * <p>An update of several elements that must be seen together takes a {@link SharedLock}
 * around it: see {@link #updateUnderLock}.
 *
 * <p>Thread-safe; every operation is one atomic memory access, so a process that dies leaves
 * every element either updated or not.
 */
public final class SharedLongArray implements AutoCloseable {
    /** Region type: parameters length and stride (8 or 128 bytes). */
    public static final RegionType TYPE = RegionType.of("long-array", 1, "length", "stride");

    private final Region region;
    private final MemoryAccess memory;
    private final int length;
    private final int stride;

    private SharedLongArray(Region region) {
        this.region = region;
        this.memory = region.memory();
        long n = region.parameter(0);
        long s = region.parameter(1);
        if (n < 0 || n > Integer.MAX_VALUE / 128 || (s != 8 && s != 128) || region.body().byteSize() != n * s) {
            throw new RegionFormatException("long array '" + region.name() + "' is corrupt: length " + n + ", stride "
                + s + ", body " + region.body().byteSize() + " bytes");
        }
        this.length = (int) n;
        this.stride = (int) s;
    }

    /**
     * Creates an array of {@code length} zeros.
     *
     * @param padded true to put each element on its own pair of cache lines
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param length number of elements
     * @return a handle on it
     */
    public static SharedLongArray create(RegionDirectory directory, String name, int length, boolean padded) {
        return directory.create(name, spec(length, padded), r -> { }).as(SharedLongArray::new);
    }

    /**
     * Opens an existing array.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @return a handle on it
     */
    public static SharedLongArray open(RegionDirectory directory, String name) {
        return directory.open(name, TYPE).as(SharedLongArray::new);
    }

    /**
     * Opens the array, or creates it; an existing one must have the same length and padding.
     *
     * @param directory where the region file is, or goes
     * @param name the name, a file name in the directory
     * @param length number of elements
     * @param padded true to give each element a cache line of its own (128 bytes, against false sharing)
     * @return a handle on it
     */
    public static SharedLongArray openOrCreate(RegionDirectory directory, String name, int length, boolean padded) {
        return directory.openOrCreate(name, spec(length, padded), r -> { }).as(SharedLongArray::new);
    }

    private static RegionSpec spec(int length, boolean padded) {
        if (length < 0 || length > Integer.MAX_VALUE / 128) {
            throw new IllegalArgumentException("array length must be 0 to " + Integer.MAX_VALUE / 128 + ", got " + length);
        }
        int stride = padded ? 128 : 8;
        return new RegionSpec(TYPE, (long) length * stride, length, stride);
    }

    private long offset(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index " + index + " is outside shared array '" + region.name()
                + "' of length " + length);
        }
        return (long) index * stride;
    }

    /** {@return the number of elements} */
    public int length() {
        return length;
    }

    /**
     * {@return element {@code index}} A volatile read.
     *
     * @param index the element, from 0
     */
    public long get(int index) {
        return memory.getLongVolatile(offset(index));
    }

    /**
     * Sets element {@code index}: a volatile write.
     *
     * @param index the element, from 0
     * @param value its new value
     */
    public void set(int index, long value) {
        memory.putLongVolatile(offset(index), value);
    }

    /**
     * Sets element {@code index} to {@code value} if it is {@code expected}, atomically.
     *
     * @param index    the element, from 0
     * @param expected the value it must have
     * @param value    its new value
     * @return true if it was set
     */
    public boolean compareAndSet(int index, long expected, long value) {
        return memory.compareAndSetLong(offset(index), expected, value);
    }

    /**
     * Adds {@code delta} to element {@code index}, atomically.
     *
     * @param index the element, from 0
     * @param delta what to add
     * @return the value before
     */
    public long getAndAdd(int index, long delta) {
        return memory.getAndAddLong(offset(index), delta);
    }

    /**
     * Adds {@code delta} to element {@code index}, atomically.
     *
     * @param index the element, from 0
     * @param delta what to add
     * @return the value after
     */
    public long addAndGet(int index, long delta) {
        return memory.getAndAddLong(offset(index), delta) + delta;
    }

    /**
     * Sets element {@code index} to {@code value}, atomically.
     *
     * @param index the element, from 0
     * @param value its new value
     * @return the value before
     */
    public long getAndSet(int index, long value) {
        return memory.getAndSetLong(offset(index), value);
    }

    /**
     * Applies {@code update} atomically (compare-and-set loop; it may run more than once).
     *
     * @param index the index, from 0
     * @param update computes the new value from the current one
     */
    public long updateAndGet(int index, LongUnaryOperator update) {
        long at = offset(index);
        while (true) {
            long current = memory.getLongVolatile(at);
            long next = update.applyAsLong(current);
            if (memory.compareAndSetLong(at, current, next)) {
                return next;
            }
        }
    }

    /**
     * Runs {@code update} holding {@code lock}: a compound update of several elements that other
     * processes taking the same lock see whole. If a holder dies mid-update, the next holder is told
     * ({@link SharedLock#isRecovered()}) and may repair.
     */
    public void updateUnderLock(SharedLock lock, java.util.function.Consumer<SharedLongArray> update) {
        lock.lock();
        try {
            update.accept(this);
        } finally {
            lock.unlock();
        }
    }

    /** {@return the region holding the array} */
    public Region region() {
        return region;
    }

    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedLongArray[" + region.name() + ", length " + length + "]";
    }
}
