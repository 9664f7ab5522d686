package io.interproc.core.internal.wait;

import io.interproc.core.LivenessCheck;
import io.interproc.core.WaitStrategy;
import java.util.function.BooleanSupplier;

/**
 * What a {@link WaitStrategy} does, for the library's structures: every strategy the factories of
 * {@link WaitStrategy} make is one. Internal: exported to the library's own modules only.
 */
public interface Waiter extends WaitStrategy {
    /**
     * Waits until {@code condition} is true.
     *
     * @param word         where sleepers sleep; peers wake it after every change that may make the
     *                     condition true
     * @param condition    re-evaluated after every wake-up; must have no side effect when false
     * @param timeoutNanos longest wait, or {@link WaitStrategy#NO_TIMEOUT}; 0 checks once
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
     * @param timeoutNanos longest total wait, or {@link WaitStrategy#NO_TIMEOUT}
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

    /**
     * @return {@code strategy} as the waiting it stands for
     * @throws IllegalArgumentException if it was not made by {@link WaitStrategy}'s factories
     */
    static Waiter of(WaitStrategy strategy) {
        if (strategy instanceof Waiter waiter) {
            return waiter;
        }
        throw new IllegalArgumentException("not a wait strategy of WaitStrategy's factories: " + strategy);
    }
}
