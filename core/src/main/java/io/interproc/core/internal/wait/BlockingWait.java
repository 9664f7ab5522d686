package io.interproc.core.internal.wait;

import io.interproc.core.LivenessCheck;
import io.interproc.core.WaitStrategy;
import java.util.function.BooleanSupplier;

/** Spin, then yield, then futex sleep in bounded slices. See {@link WaitStrategy#blocking()}. */
public final class BlockingWait implements Waiter {
    public static final BlockingWait DEFAULT = new BlockingWait(1_000, 50, DEFAULT_SLICE.toNanos());

    private final int spins;
    private final int yields;
    private final long sliceNanos;

    public BlockingWait(int spins, int yields, long sliceNanos) {
        if (spins < 0 || yields < 0 || sliceNanos <= 0) {
            throw new IllegalArgumentException("spins and yields must be >= 0 and the slice > 0, got spins="
                + spins + " yields=" + yields + " slice=" + sliceNanos + "ns");
        }
        this.spins = spins;
        this.yields = yields;
        this.sliceNanos = sliceNanos;
    }

    @Override
    public boolean await(WaitWord word, BooleanSupplier condition, long timeoutNanos, LivenessCheck liveness)
        throws InterruptedException {
        if (condition.getAsBoolean()) {
            return true;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Deadline deadline = new Deadline(timeoutNanos);
        for (int i = 0; i < spins; i++) {
            Thread.onSpinWait();
            if (condition.getAsBoolean()) {
                return true;
            }
        }
        for (int i = 0; i < yields && !deadline.passed(); i++) {
            Thread.yield();
            if (condition.getAsBoolean()) {
                return true;
            }
        }
        long lastCheck = System.nanoTime();
        // Registered as a sleeper once, for every slice (wakers keep seeing the sleeper count, so a wake
        // between a slice's condition check and its sleep moves the sequence and the sleep returns at
        // once). Registration also takes this process's watch on the word; the membarrier that a new
        // watch costs is paid once per linger period, not once per wait (see WordWatch).
        boolean registered = false;
        try {
            while (true) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long remaining = deadline.remaining();
                if (remaining <= 0) {
                    return condition.getAsBoolean();
                }
                word.region().checkOpen();
                long now = System.nanoTime();
                if (now - lastCheck >= sliceNanos) {
                    liveness.check();
                    lastCheck = now;
                }
                int sequence;
                if (registered) {
                    sequence = word.sequence();
                } else {
                    sequence = word.register();
                    registered = true;
                }
                if (condition.getAsBoolean()) {
                    return true;
                }
                word.sleep(sequence, Math.min(remaining, sliceNanos));
                word.region().checkIntact(); // after each sleep: a file truncated meanwhile is an exception, not a fault
                if (condition.getAsBoolean()) {
                    return true;
                }
            }
        } finally {
            if (registered) {
                word.unregister();
            }
        }
    }
}
