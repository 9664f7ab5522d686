package io.interproc.core.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes: how tests wait, never by sleeping a guess. */
public final class Poll {
    private Poll() {
    }

    /** @return true if {@code condition} held within {@code timeout} */
    public static boolean until(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return condition.getAsBoolean();
            }
            Thread.sleep(5); // poll interval, not synchronization: the condition decides
        }
        return true;
    }
}
