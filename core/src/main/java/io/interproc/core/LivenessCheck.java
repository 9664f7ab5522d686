package io.interproc.core;

/**
 * Called by a {@link WaitStrategy} between bounded sleeps, at most about once per slice, so that a
 * waiter learns that the peer it waits for is gone instead of waiting forever. Implementations
 * throw an unchecked exception (typically {@link PeerDiedException}) to end the wait, or return
 * normally to keep waiting; they may repair shared state (for example recover a dead owner's lock)
 * and let the wait's condition succeed.
 */
@FunctionalInterface
public interface LivenessCheck {
    /** Checks nothing. */
    LivenessCheck NONE = () -> { };

    /** Throws to abandon the wait; returns to keep waiting. */
    void check();
}
