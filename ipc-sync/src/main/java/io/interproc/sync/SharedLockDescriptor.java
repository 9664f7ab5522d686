package io.interproc.sync;

import io.interproc.core.RegionType;

/**
 * Layout of a lock region's body.
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |W| Owner Token (63): pid (32..62) | thread id (0..31); 0 free   |
 *     8  |  Owner Start Time (64): the owner process's start time         |
 *    16  |R| Owner Start Token (63): the token Owner Start Time belongs to|
 *    24  |  Hold Count (64): the owner's holds beyond its first; 0 if free |
 *    32  |  Recoveries (64): times a dead owner's lock was taken over     |
 *    40  |  Reserved (64), 0                                              |
 *   128  +---------------------------------------------------------------+
 *        |  Wait Word (8): waiters sleep here                            |
 *   256  +---------------------------------------------------------------+
 *        |  Condition 0: Waiters (32) Signals (32) | Generation (64) |     |
 *        |               Wait Word (8)                                   |
 *   384  +---------------------------------------------------------------+
 *        |  Conditions 1 to 7, 128 bytes each                           ...
 *  1280  +---------------------------------------------------------------+
 * </pre>
 *
 * A condition's first word holds Waiters (high half: threads in {@code await}) and Signals (low
 * half: signals given and not yet taken), changed together by compare-and-set. A waiter, holding
 * the lock, reads Generation and adds itself to Waiters, then releases the lock and sleeps.
 * {@code signal} (holding the lock) adds one signal if there are more waiters than signals,
 * {@code signalAll} makes them equal, and both then add one to Generation and wake the Wait Word.
 * A waiter may take a signal (one compare-and-set that subtracts one waiter and one signal) only
 * once Generation differs from the one it read: a signal given before a thread started waiting,
 * such as the signaller's own next {@code await}, can never be taken by it. A waiter that leaves
 * unsignalled (timeout, interrupt) subtracts itself after taking the lock back; it first tries to
 * take a signal, so no signal meant for it is left behind for a later waiter.
 *
 * An owner takes the lock by compare-and-set of Owner Token from 0; then, unless Owner Start Token
 * is already its own, it clears Owner Start Token, writes Owner Start Time and, last, Owner Start
 * Token. A process that checks the owner's liveness trusts the start time
 * only when Owner Start Token (without R) equals Owner Token; in the moment before, it checks the
 * pid alone. R ({@link #RECOVERED_FLAG}, bit 63; pids never reach it) is set by an owner that took
 * the lock over from a dead one: the owner is recovered while Owner Start Token equals its token
 * with R. Owners rewrite both words only when they differ from their own, so the next ordinary
 * acquisition clears R and an uncontended lock/unlock by one thread writes nothing but Owner Token.
 *
 * W ({@link #WAITERS_FLAG}, bit 63 of Owner Token) is set by a waiter (compare-and-set, only
 * while the lock is held) before each sleep on the Wait Word, after registering as a sleeper there.
 * Unlock is a compare-and-set of Owner Token from the owner's token to 0: it succeeds only while
 * W is clear, and then no waiter can be asleep without having seen the lock free. If it fails
 * because W is set, the owner writes 0 (volatile) and wakes every sleeper; the ones that do not get
 * the lock set W again before they sleep. A takeover of a dead owner's lock keeps W.
 * Layout version 3 (version 2 counted signals without a generation: a later waiter could take a
 * signal meant for earlier ones; version 1 had no W and woke by the Wait Word's sleeper count alone).
 */
public final class SharedLockDescriptor {
    /** Region type: parameter reentrant (0 or 1). */
    public static final RegionType TYPE = RegionType.of("lock", 3, "reentrant");

    /** Offset of the Owner Token field (see the drawing above). */
    public static final int OWNER_TOKEN_OFFSET = 0;
    /** Offset of the Owner Start Time field (see the drawing above). */
    public static final int OWNER_START_OFFSET = 8;
    /** Offset of the Owner Start Token field (see the drawing above). */
    public static final int OWNER_START_TOKEN_OFFSET = 16;
    /** Offset of the Hold Count field (see the drawing above). */
    public static final int HOLD_COUNT_OFFSET = 24;
    /** Offset of the Recoveries field (see the drawing above). */
    public static final int RECOVERIES_OFFSET = 32;
    /** Bit 63 of Owner Token: a waiter may be asleep, the owner's unlock must wake the Wait Word. */
    public static final long WAITERS_FLAG = Long.MIN_VALUE;
    /** Bit 63 of Owner Start Token: its owner took the lock over from a dead owner. */
    public static final long RECOVERED_FLAG = Long.MIN_VALUE;
    /** Offset of the Wait Word (see the drawing above). */
    public static final int WAIT_OFFSET = 128;
    /** Offset of Condition 0 (see the drawing above). */
    public static final int CONDITIONS_OFFSET = 256;
    /** Bytes of a condition. */
    public static final int CONDITION_LENGTH = 128;
    /** Conditions a lock has. */
    public static final int CONDITIONS = 8;
    /** Offset of Waiters and Signals in a condition. */
    public static final int CONDITION_STATE = 0;
    /** Offset of Generation in a condition. */
    public static final int CONDITION_GENERATION = 8;
    /** Offset of the Wait Word in a condition. */
    public static final int CONDITION_WAIT = 16;
    /** Bytes of the body. */
    public static final int LENGTH = CONDITIONS_OFFSET + CONDITIONS * CONDITION_LENGTH;

    private SharedLockDescriptor() {
    }
}
