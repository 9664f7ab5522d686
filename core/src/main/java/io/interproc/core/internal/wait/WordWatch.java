package io.interproc.core.internal.wait;

import io.interproc.core.internal.memory.Membarrier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * This process's watch on one {@link WaitWord} of one region handle: the membarrier-ordered
 * announcement that threads of this process may sleep on the word, kept for a while after the last
 * wait so that a thread that waits again soon (a ping-pong, a consumer that keeps catching up) does
 * not pay a {@link Membarrier#barrier()} per wait.
 *
 * <p>Why it is sound. Acquiring the watch adds to the word's watcher count with an atomic update and
 * then issues the barrier; after that, any waker whose read of the word could still miss the watch
 * had its preceding publication made visible by the barrier. So while the watch is held a waiter only
 * needs the full fence of its own sleeper increment, and a waker that sees watchers reads the sleeper
 * count again after a fence. See {@link WaitWord} for the whole protocol.
 *
 * <p>Lifetime. Acquired by the first waiter of this process that is about to sleep. Given back by
 * a daemon thread ({@code interproc-watch-reaper}, one per process, started on first use) once no
 * thread has waited for the linger time, system property {@code interproc.wait.lingerMillis}
 * (default 10; 0 gives it back at the end of every wait, as without lingering); the reaper looks
 * only after the last waiter leaves, so a long sleep costs it no wake-ups. Also given back by
 * {@link Region#close()} and by a shutdown hook when the JVM exits without closing. While a watch
 * lingers, wakers of every process pay one fence and one read per publication instead of one
 * read; they make no system call unless a thread sleeps.
 * While held, the watch also holds this JVM's shared lock on the word's watch byte in the region
 * file ({@link OpenRegionFiles#watch}), taken before the watcher count goes up and released after it
 * comes down: a process killed while it holds a watch leaves its counts, and the lock test that
 * finds no watcher lets the next view of the word reset them ({@link WaitWord#healCounts()}).
 *
 * <p>Thread-safe: every transition holds this object's monitor, the barrier included (a second
 * waiter of this process must not skip the barrier the first one has not finished yet), and so do
 * the waiters' sleeper count updates, so that close can give back exactly what its waiters added.
 */
public final class WordWatch {
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(lingerMillis());

    private static final ScheduledThreadPoolExecutor REAPER = reaper();
    /** The watches this process holds, given back by a shutdown hook when the JVM exits. */
    private static final Set<WordWatch> HELD = ConcurrentHashMap.newKeySet();
    /** Set by the shutdown hook: from then on every watch is given back as soon as its last waiter leaves. */
    private static volatile boolean exiting;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(WordWatch::giveBackAll, "interproc-watch-exit"));
        } catch (IllegalStateException alreadyExiting) {
            exiting = true;
        }
    }

    private final WaitWord word;
    private int users;
    private boolean held;
    private boolean dropped;
    private boolean reapScheduled;
    private long lastUsed;

    public WordWatch(WaitWord word) {
        this.word = word;
    }

    private static long lingerMillis() {
        String value = System.getProperty("interproc.wait.lingerMillis", "10");
        try {
            long millis = Long.parseLong(value.trim());
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property interproc.wait.lingerMillis must be a number of"
            + " milliseconds >= 0, got '" + value + "'");
    }

    private static ScheduledThreadPoolExecutor reaper() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "interproc-watch-reaper");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /**
     * Called by a waiter about to sleep: makes sure this process watches the word (the first waiter
     * since the watch was last released adds it and issues the barrier), then counts the caller as a
     * sleeper on the word (a full fence). Pair with {@link #leave()}.
     *
     * @throws IllegalStateException if the region handle was closed
     */
    synchronized void enter() {
        if (dropped) {
            throw new IllegalStateException("region '" + word.region().name() + "' is closed");
        }
        if (!held) {
            word.host().watch(word.offset());
            word.addWatcher();
            held = true;
            HELD.add(this);
            Membarrier.barrier();
        }
        word.addSleeper(1);
        users++;
    }

    /**
     * Called by a waiter that entered, when its wait ends (however it ends): no longer a sleeper.
     * After {@link #drop()} the count was already given back, and this only forgets the caller.
     */
    synchronized void leave() {
        users--;
        lastUsed = System.nanoTime();
        if (dropped) {
            return;
        }
        word.addSleeper(-1);
        if (users > 0 || !held) {
            return;
        }
        if (LINGER_NANOS == 0 || exiting) {
            giveBack();
        } else if (!reapScheduled) {
            // At most one reaper task per watch, and none while a thread waits (a long sleep costs
            // no reaper wake-ups): the last waiter to leave schedules it.
            reapScheduled = true;
            REAPER.schedule(this::reap, LINGER_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** The reaper's check: release an idle watch, or look again when it could next be idle long enough. */
    private synchronized void reap() {
        reapScheduled = false;
        if (!held || dropped || users > 0) {
            return; // a waiter inside: the last one to leave schedules the next check
        }
        long idle = System.nanoTime() - lastUsed;
        if (idle >= LINGER_NANOS) {
            try {
                giveBack();
            } catch (RuntimeException e) {
                // Cannot happen (drop() holds this monitor before unmapping); kept so that the reaper
                // thread never dies of it.
            }
            return;
        }
        reapScheduled = true;
        REAPER.schedule(this::reap, LINGER_NANOS - idle, TimeUnit.NANOSECONDS);
    }

    /**
     * Called by {@link Region#close()} before unmapping: gives back the watch and the sleeper counts
     * of this handle's waiters still inside a wait (they cannot once the memory is unmapped); no
     * {@link #enter()} after this.
     */
    public synchronized void drop() {
        dropped = true;
        if (users > 0) {
            word.addSleeper(-users);
        }
        if (held) {
            giveBack();
        }
    }

    /** Under this monitor, while held and the memory mapped: the watcher count goes back down. */
    private void giveBack() {
        held = false;
        HELD.remove(this);
        try {
            word.removeWatcher();
        } finally {
            word.host().unwatch(word.offset());
        }
    }

    /**
     * The shutdown hook: a JVM that exits (normally or by a signal other than SIGKILL) without
     * closing its regions gives back its watches, so that publishers elsewhere stop fencing. A
     * thread still asleep at exit keeps its sleeper count, as before.
     */
    private static void giveBackAll() {
        exiting = true;
        for (WordWatch watch : HELD) {
            synchronized (watch) {
                if (watch.held && !watch.dropped) {
                    try {
                        watch.giveBack();
                    } catch (RuntimeException e) {
                        // The region was closed under us: nothing left to give back.
                    }
                }
            }
        }
    }

    /** @return true while this process holds the watch (for tests) */
    synchronized boolean isHeld() {
        return held;
    }
}
