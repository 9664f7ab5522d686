package io.interproc.core.internal.wait;

import io.interproc.core.LivenessCheck;
import io.interproc.core.WaitStrategy;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.IdleStrategy;

/** Polls with an Agrona {@link IdleStrategy}; never sleeps in the kernel. */
public final class PollingWait implements Waiter {
    private final IdleStrategy idle;
    private final long checkNanos;

    /** @return a strategy that busy-spins (Agrona's {@code BusySpinIdleStrategy}) */
    public static PollingWait spinning(long checkNanos) {
        return new PollingWait(new org.agrona.concurrent.BusySpinIdleStrategy(), checkNanos);
    }

    public PollingWait(IdleStrategy idle, long checkNanos) {
        this.idle = idle;
        this.checkNanos = checkNanos;
    }

    @Override
    public boolean await(WaitWord word, BooleanSupplier condition, long timeoutNanos, LivenessCheck liveness)
        throws InterruptedException {
        Deadline deadline = new Deadline(timeoutNanos);
        long lastCheck = System.nanoTime();
        idle.reset();
        while (!condition.getAsBoolean()) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            word.region().checkOpen();
            long now = System.nanoTime();
            if (deadline.passed(now)) {
                return condition.getAsBoolean();
            }
            if (now - lastCheck >= checkNanos) {
                word.region().checkIntact();
                liveness.check();
                lastCheck = now;
            }
            idle.idle(0);
        }
        return true;
    }
}
