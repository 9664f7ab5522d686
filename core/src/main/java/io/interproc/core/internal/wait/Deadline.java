package io.interproc.core.internal.wait;

import io.interproc.core.WaitStrategy;

/** A point on {@link System#nanoTime()}'s clock, or none; overflow-safe. */
public final class Deadline {
    private final long start;
    private final long timeoutNanos;

    public Deadline(long timeoutNanos) {
        this.start = System.nanoTime();
        this.timeoutNanos = Math.max(0, timeoutNanos);
    }

    /** @return nanoseconds left, {@link Long#MAX_VALUE} with no timeout, at most 0 once passed */
    public long remaining() {
        return remaining(System.nanoTime());
    }

    public long remaining(long now) {
        if (timeoutNanos == WaitStrategy.NO_TIMEOUT) {
            return Long.MAX_VALUE;
        }
        return timeoutNanos - (now - start);
    }

    public boolean passed() {
        return remaining() <= 0;
    }

    public boolean passed(long now) {
        return remaining(now) <= 0;
    }
}
