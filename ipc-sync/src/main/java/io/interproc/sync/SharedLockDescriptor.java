package io.interproc.sync;

import io.interproc.core.RegionType;

/**
 * Layout of a lock region's body.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  Owner Token (64): pid (high 32) | thread id (low 32); 0 free  |
 *     8  |  Owner Start Time (64): the owner process's start time         |
 *    16  |  Owner Start Token (64): the token Owner Start Time belongs to |
 *    24  |  Hold Count (64): re-entries of the owner                      |
 *    32  |  Recoveries (64): times a dead owner's lock was taken over     |
 *    40  |  Recovered Token (64): owner token that took over, else 0      |
 *   128  +---------------------------------------------------------------+
 *        |  Wait Word (8): waiters sleep here                            |
 *   256  +---------------------------------------------------------------+
 *        |  Condition 0: Waiters (64) | Signals (64) | Wait Word (8)      |
 *   384  +---------------------------------------------------------------+
 *        |  Conditions 1 to 7, 128 bytes each                           ...
 *  1280  +---------------------------------------------------------------+
 * </pre>
 *
 * A condition's Waiters counts threads in {@code await}; Signals counts signals not yet taken.
 * {@code signal} adds one signal if there are more waiters than signals, {@code signalAll} makes
 * them equal; a woken waiter takes one signal (compare-and-set) and returns.
 *
 * An owner takes the lock by compare-and-set of Owner Token from 0, then writes Owner Start Time
 * and, last, Owner Start Token. A process that checks the owner's liveness trusts the start time
 * only when Owner Start Token equals Owner Token; in the moment before, it checks the pid alone.
 */
public final class SharedLockDescriptor {
    /** Region type: parameter reentrant (0 or 1). */
    public static final RegionType TYPE = RegionType.of("lock", 1, "reentrant");

    public static final int OWNER_TOKEN_OFFSET = 0;
    public static final int OWNER_START_OFFSET = 8;
    public static final int OWNER_START_TOKEN_OFFSET = 16;
    public static final int HOLD_COUNT_OFFSET = 24;
    public static final int RECOVERIES_OFFSET = 32;
    public static final int RECOVERED_TOKEN_OFFSET = 40;
    public static final int WAIT_OFFSET = 128;
    public static final int CONDITIONS_OFFSET = 256;
    public static final int CONDITION_LENGTH = 128;
    public static final int CONDITIONS = 8;
    public static final int CONDITION_WAITERS = 0;
    public static final int CONDITION_SIGNALS = 8;
    public static final int CONDITION_WAIT = 16;
    public static final int LENGTH = CONDITIONS_OFFSET + CONDITIONS * CONDITION_LENGTH;

    private SharedLockDescriptor() {
    }
}
