package io.interproc.core.internal.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Linux {@code membarrier(2)} with {@code MEMBARRIER_CMD_GLOBAL_EXPEDITED}: lets a thread about to
 * sleep pay for the memory fence that would otherwise be paid by every waker on every publication
 * (an asymmetric Dekker protocol). A process that {@link #isRegistered() registered} has every CPU
 * running it execute a full fence when any process issues the barrier; so a waker in a registered
 * process may publish with a release store and then read a wait word without a fence, as long as
 * every process that may sleep on the word announced itself and then called {@link #barrier()}
 * before it relies on the announcement (see {@link WaitWord} and its watches).
 *
 * <p>Registration is attempted once per process, on first use; where it fails (not Linux, kernel
 * before 4.16, a seccomp filter) wakers fence as usual. Thread-safe.
 */
public final class Membarrier {
    private static final long CMD_QUERY = 0;
    private static final long CMD_GLOBAL_EXPEDITED = 1 << 1;
    private static final long CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;

    /** The barrier command works here (it orders registered processes whoever issues it). */
    private static final boolean SUPPORTED = supported();
    private static final boolean REGISTERED = SUPPORTED && register();
    /** Barriers this process issued (tests count them: a lingering watch must not issue more). */
    private static final AtomicLong ISSUED = new AtomicLong();

    private Membarrier() {
    }

    private static boolean supported() {
        if (!Native.AVAILABLE) {
            return false;
        }
        long commands = Native.syscall3(Native.SYS_MEMBARRIER, CMD_QUERY, 0, 0);
        return commands >= 0 && (commands & CMD_GLOBAL_EXPEDITED) != 0 && (commands & CMD_REGISTER_GLOBAL_EXPEDITED) != 0;
    }

    private static boolean register() {
        if (Boolean.getBoolean("interproc.membarrier.disable")) {
            return false;
        }
        return Native.syscall3(Native.SYS_MEMBARRIER, CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0;
    }

    /** @return true if this process is registered: its wakers may skip their fence */
    public static boolean isRegistered() {
        return REGISTERED;
    }

    /** @return how many barriers this process issued so far */
    public static long issued() {
        return ISSUED.get();
    }

    /**
     * Makes every CPU running a registered process execute a full memory fence before this returns.
     * Issued whenever the kernel supports it, even by a process that did not register itself
     * (disabled by the property, say): wakers in other processes may have. A no-op where membarrier
     * is not available (then no waker anywhere skipped its fence either).
     */
    public static void barrier() {
        if (SUPPORTED) {
            ISSUED.incrementAndGet();
            Native.syscall3(Native.SYS_MEMBARRIER, CMD_GLOBAL_EXPEDITED, 0, 0);
        }
    }
}
