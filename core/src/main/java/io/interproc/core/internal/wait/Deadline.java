package io.interproc.core;

/** A point on {@link System#nanoTime()}'s clock, or none; overflow-safe. */
final class Deadline {
    private final long start;
    private final long timeoutNanos;

    Deadline(long timeoutNanos) {
        this.start = System.nanoTime();
        this.timeoutNanos = Math.max(0, timeoutNanos);
    }

    /** @return nanoseconds left, {@link Long#MAX_VALUE} with no timeout, at most 0 once passed */
    long remaining() {
        return remaining(System.nanoTime());
    }

    long remaining(long now) {
        if (timeoutNanos == WaitStrategy.NO_TIMEOUT) {
            return Long.MAX_VALUE;
        }
        return timeoutNanos - (now - start);
    }

    boolean passed() {
        return remaining() <= 0;
    }

    boolean passed(long now) {
        return remaining(now) <= 0;
    }
}
