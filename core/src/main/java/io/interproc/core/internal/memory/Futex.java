package io.interproc.core.internal.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Linux {@code futex(2)} on a 32-bit word inside shared memory: {@code FUTEX_WAIT} sleeps in the
 * kernel while the word holds an expected value, {@code FUTEX_WAKE} wakes sleepers. Shared (not
 * {@code _PRIVATE}) operations, so a process sleeping on a word in a mapped file is woken by
 * another process that maps the same file.
 *
 * <p>Where futex is not available ({@link #isSupported()} false: not Linux, or an architecture
 * whose syscall number is unknown), {@link #await} parks the thread for at most
 * {@link #FALLBACK_PARK_NANOS} and reports {@link #WOKEN}, and {@link #wake} does nothing: callers
 * that re-check their condition in a loop, as {@link WaitStrategy} does, still work, polling.
 *
 * <p>Thread-safe and stateless. Most callers want {@link WaitWord} and {@link WaitStrategy},
 * which add the sleeper count that spares wakers the system call when nobody sleeps.
 */
public final class Futex {
    /** {@link #await} returned because it was woken, or spuriously: re-check the condition. */
    public static final int WOKEN = 0;
    /** {@link #await} returned at once: the word did not hold the expected value ({@code EAGAIN}). */
    public static final int VALUE_CHANGED = 1;
    /** {@link #await} timed out ({@code ETIMEDOUT}). */
    public static final int TIMED_OUT = 2;
    /** {@link #await} was interrupted by a signal ({@code EINTR}): re-check and wait again. */
    public static final int INTERRUPTED = 3;

    /** How long a fallback wait parks when futex is not supported. */
    public static final long FALLBACK_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;

    private Futex() {
    }

    /** @return true when waits sleep in the kernel (Linux x86-64 or aarch64 with libc reachable) */
    public static boolean isSupported() {
        return Native.AVAILABLE;
    }

    /**
     * Sleeps while the int at {@code offset} in {@code segment} equals {@code expected}, for at most
     * {@code timeoutNanos}.
     *
     * @param segment      memory mapped from a file (a heap segment is rejected)
     * @param offset       offset of the word, 4-byte aligned
     * @param expected     value the word must still hold for the thread to sleep
     * @param timeoutNanos longest sleep, at least 0 (the kernel's clock is {@code CLOCK_MONOTONIC})
     * @return {@link #WOKEN}, {@link #VALUE_CHANGED}, {@link #TIMED_OUT} or {@link #INTERRUPTED}
     * @throws IllegalArgumentException if the word is misaligned or outside the segment
     * @throws IllegalStateException    if the kernel reports an unexpected error
     */
    public static int await(MemorySegment segment, long offset, int expected, long timeoutNanos) {
        MemorySegment word = word(segment, offset);
        if (!Native.AVAILABLE) {
            LockSupport.parkNanos(Math.min(Math.max(timeoutNanos, 0), FALLBACK_PARK_NANOS));
            return WOKEN;
        }
        Native.Scratch scratch = Native.scratch();
        long nanos = Math.max(timeoutNanos, 0);
        scratch.timespec.set(ValueLayout.JAVA_LONG, 0, nanos / 1_000_000_000L);
        scratch.timespec.set(ValueLayout.JAVA_LONG, 8, nanos % 1_000_000_000L);
        long rc = Native.futex(scratch, word, FUTEX_WAIT, expected, scratch.timespec);
        if (rc == 0) {
            return WOKEN;
        }
        int errno = scratch.errno();
        return switch (errno) {
            case Native.EAGAIN -> VALUE_CHANGED;
            case Native.ETIMEDOUT -> TIMED_OUT;
            case Native.EINTR -> INTERRUPTED;
            default -> throw new IllegalStateException("FUTEX_WAIT failed: " + Native.errnoName(errno));
        };
    }

    /**
     * Wakes up to {@code count} threads, in any process, sleeping on the word.
     *
     * @return the number woken (0 where futex is not supported)
     */
    public static int wake(MemorySegment segment, long offset, int count) {
        MemorySegment word = word(segment, offset);
        if (!Native.AVAILABLE) {
            return 0;
        }
        Native.Scratch scratch = Native.scratch();
        long rc = Native.futex(scratch, word, FUTEX_WAKE, count, MemorySegment.NULL);
        if (rc < 0) {
            throw new IllegalStateException("FUTEX_WAKE failed: " + Native.errnoName(scratch.errno()));
        }
        return (int) rc;
    }

    private static MemorySegment word(MemorySegment segment, long offset) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("futex word must be in native (mapped) memory, not on the heap");
        }
        MemorySegment word = segment.asSlice(offset, 4);
        if ((word.address() & 3) != 0) {
            throw new IllegalArgumentException("futex word at offset " + offset + " is not 4-byte aligned");
        }
        return word;
    }
}
