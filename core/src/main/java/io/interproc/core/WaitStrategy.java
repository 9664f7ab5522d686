package io.interproc.core;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * How a thread waits for a condition on shared memory: a strategy, kept apart from the structures
 * that wait. {@link #blocking()} spins a little, yields a little, then sleeps in the kernel on a
 * {@link WaitWord} until a peer wakes it: a blocked waiter burns no CPU. {@link #polling(IdleStrategy)}
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
 * holds its {@link IdleStrategy}, which is usually not thread-safe: use one per thread.
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

    /**
     * Waits until {@code condition} is true.
     *
     * @param word         where sleepers sleep; peers call {@link WaitWord#wakeAll()} after every
     *                     change that may make the condition true
     * @param condition    re-evaluated after every wake-up; must have no side effect when false
     * @param timeoutNanos longest wait, or {@link #NO_TIMEOUT}; 0 checks once
     * @param liveness     called between slices
     * @return true once the condition holds, false if the timeout passed first
     * @throws InterruptedException  if the thread is interrupted while waiting
     * @throws IllegalStateException if the word's region is closed while waiting, or whatever
     *                               {@code liveness} throws
     */
    boolean await(WaitWord word, BooleanSupplier condition, long timeoutNanos, LivenessCheck liveness)
        throws InterruptedException;

    /**
     * Runs {@code attempt} until it succeeds, waiting between tries until {@code ready}: the shape of
     * every blocking call built on a non-blocking one ({@code put} on {@code offer}, {@code take} on
     * {@code poll}).
     *
     * @param attempt      the non-blocking operation; true when it succeeded
     * @param ready        true when another attempt may succeed (peers wake the word when it may be)
     * @param timeoutNanos longest total wait, or {@link #NO_TIMEOUT}
     * @return true once {@code attempt} succeeded, false if the timeout passed first
     * @throws InterruptedException if interrupted while waiting
     */
    default boolean retry(WaitWord word, BooleanSupplier attempt, BooleanSupplier ready, long timeoutNanos,
                          LivenessCheck liveness) throws InterruptedException {
        Deadline deadline = new Deadline(timeoutNanos);
        while (!attempt.getAsBoolean()) {
            long left = deadline.remaining();
            if (left <= 0 || !await(word, ready, left == Long.MAX_VALUE ? NO_TIMEOUT : left, liveness)) {
                return false;
            }
        }
        return true;
    }

    /** A blocking call that may be interrupted. */
    @FunctionalInterface
    interface InterruptibleCall {
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

    /** @return spin 1,000 times, yield 50 times, then sleep in the kernel in {@link #DEFAULT_SLICE} slices */
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

    /** @return a strategy that busy-spins, never sleeping: lowest latency, one core busy */
    static WaitStrategy spinning() {
        return polling(new BusySpinIdleStrategy());
    }

    /**
     * @param idle Agrona idle strategy called between checks (owned by the returned strategy)
     * @return a strategy that polls, idling with {@code idle}, and never sleeps in the kernel
     */
    static WaitStrategy polling(IdleStrategy idle) {
        return new PollingWait(idle, DEFAULT_SLICE.toNanos());
    }
}
