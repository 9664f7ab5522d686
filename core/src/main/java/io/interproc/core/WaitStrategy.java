package io.interproc.core;

import io.interproc.core.internal.wait.BlockingWait;
import io.interproc.core.internal.wait.PollingWait;
import java.time.Duration;
import org.agrona.concurrent.IdleStrategy;

/**
 * How a structure's blocking calls wait for a condition on shared memory: a strategy, kept apart
 * from the structures that wait, and given to a handle ({@code waitStrategy(...)}). {@link
 * #blocking()} spins a little, yields a little, then sleeps in the kernel on a futex word in the
 * region until a peer wakes it: a blocked waiter burns no CPU. {@link #polling(IdleStrategy)}
 * takes any Agrona {@link IdleStrategy} and never sleeps in the kernel (lowest latency, a core
 * kept busy).
 *
 * <p>Every wait is bounded in slices ({@link #DEFAULT_SLICE} unless configured): between slices
 * it checks the thread's interrupt status, the deadline, that the region is still open, and calls
 * the {@link LivenessCheck}, so a waiter is never stuck on a peer that died without waking it: a
 * dead peer is noticed within one slice. An interrupt ends a kernel sleep at once (the interrupting
 * thread wakes the sleeper), and closing the region wakes this process's sleepers on it.
 *
 * <p>{@link #blocking()} strategies are immutable and thread-safe. A {@code polling} strategy
 * holds its {@link IdleStrategy}, which is usually not thread-safe: use one per thread. Strategies
 * come from these factories only; the waiting itself is the library's.
 */
public interface WaitStrategy {
    /**
     * Longest kernel sleep of the default blocking strategy between liveness checks: the bound on
     * how late a waiter learns that its peer died, and what a long wait costs (a timer wake-up per
     * slice, about 0.1 to 0.25 ms of CPU each on a virtual machine, so 100 ms keeps a blocked thread
     * near 0.25 % of a core). Interrupts do not wait for the slice to end.
     */
    Duration DEFAULT_SLICE = Duration.ofMillis(100);

    /** A timeout meaning "wait for ever" (still interruptible and still checking liveness). */
    long NO_TIMEOUT = Long.MAX_VALUE;

    /** A blocking call that may be interrupted. */
    @FunctionalInterface
    interface InterruptibleCall {
        /**
         * Runs the call.
         *
         * @throws InterruptedException if interrupted
         */
        void run() throws InterruptedException;
    }

    /**
     * Runs {@code call} to completion regardless of interrupts (re-running it when interrupted), then
     * restores the thread's interrupt status: what {@code Lock.lock()} and
     * {@code Condition.awaitUninterruptibly()} promise.
     */
    static void uninterruptibly(InterruptibleCall call) {
        boolean interrupted = false;
        while (true) {
            try {
                call.run();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@return spin 1,000 times, yield 50 times, then sleep in the kernel in {@link #DEFAULT_SLICE} slices} */
    static WaitStrategy blocking() {
        return BlockingWait.DEFAULT;
    }

    /**
     * @param spins  {@link Thread#onSpinWait()} iterations before yielding
     * @param yields {@link Thread#yield()} iterations before sleeping in the kernel
     * @param slice  longest uninterrupted sleep: the bound on interrupt and liveness latency
     * @return a blocking strategy with these phases
     */
    static WaitStrategy blocking(int spins, int yields, Duration slice) {
        return new BlockingWait(spins, yields, slice.toNanos());
    }

    /** {@return a strategy that busy-spins, never sleeping: lowest latency, one core busy} */
    static WaitStrategy spinning() {
        // In PollingWait: verifying a body here that passes an Agrona class as an IdleStrategy
        // would load Agrona, an optional dependency, with the first use of any strategy.
        return PollingWait.spinning(DEFAULT_SLICE.toNanos());
    }

    /**
     * @param idle Agrona idle strategy called between checks (owned by the returned strategy)
     * @return a strategy that polls, idling with {@code idle}, and never sleeps in the kernel
     */
    static WaitStrategy polling(IdleStrategy idle) {
        return new PollingWait(idle, DEFAULT_SLICE.toNanos());
    }
}
