package io.interproc.core;

import io.interproc.core.internal.memory.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process, named so that a reused pid is not mistaken for it: its pid plus its start time.
 *
 * <p>On Linux the start time is the {@code starttime} field of {@code /proc/<pid>/stat}, in clock
 * ticks since boot; elsewhere it is the start instant {@link ProcessHandle.Info#startInstant()}
 * reports, in milliseconds since the epoch. Either way it is an opaque number that is only
 * compared for equality on one machine. A zombie (exited, not yet reaped) counts as dead.
 *
 * @param pid       operating-system process id, &gt; 0
 * @param startTime when the process started, as described above
 */
public record ProcessIdentity(long pid, long startTime) {
    private static final ProcessIdentity CURRENT = lookup(ProcessHandle.current().pid())
        .orElseThrow(() -> new IllegalStateException("cannot read this process's start time"));

    /** Checks that {@code pid} is a possible process id. */
    public ProcessIdentity {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be > 0, got " + pid);
        }
    }

    /** {@return this JVM's identity} */
    public static ProcessIdentity current() {
        return CURRENT;
    }

    /**
     * @param pid a process id
     * @return the identity of the live process with that pid now, empty if there is none
     */
    public static Optional<ProcessIdentity> of(long pid) {
        return pid <= 0 ? Optional.empty() : lookup(pid);
    }

    /** {@return true if this very process (same pid, same start time) is still running} */
    public boolean isAlive() {
        if (this.equals(CURRENT)) {
            return true;
        }
        return lookup(pid).map(this::equals).orElse(false);
    }

    private static Optional<ProcessIdentity> lookup(long pid) {
        return Native.LINUX ? fromProc(pid) : fromProcessHandle(pid);
    }

    private static Optional<ProcessIdentity> fromProc(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        // "pid (comm) state ppid ... starttime(22nd)": comm may hold spaces and parentheses.
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] fields = stat.substring(close + 2).split(" ");
        if (fields.length < 20) {
            return Optional.empty();
        }
        char state = fields[0].isEmpty() ? '?' : fields[0].charAt(0);
        if (state == 'Z' || state == 'X' || state == 'x') {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcessIdentity(pid, Long.parseLong(fields[19])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<ProcessIdentity> fromProcessHandle(long pid) {
        return ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .flatMap(h -> h.info().startInstant())
            .map(start -> new ProcessIdentity(pid, start.toEpochMilli()));
    }

    /** Bits of a {@link #stamp()} that hold the pid: Linux's pid_max cannot exceed 2^22. */
    private static final int STAMP_PID_BITS = 22;
    private static final long STAMP_PID_MASK = (1L << STAMP_PID_BITS) - 1;
    private static final long STAMP_START_MASK = (1L << (62 - STAMP_PID_BITS)) - 1;

    /**
     * This identity in one word, for structures that must name an owner with a single atomic
     * store or compare-and-set (so that taking over a dead owner is one decision on one word):
     * bits 0 to 21 the pid, bits 22 to 61 the low 40 bits of the start time (350 years of clock
     * ticks), bits 62 and 63 clear for the structure's own flags. Never 0.
     *
     * @throws UnsupportedOperationException if the pid does not fit in 22 bits (not on Linux)
     */
    public long stamp() {
        if (pid > STAMP_PID_MASK) {
            throw new UnsupportedOperationException("pid " + pid + " does not fit a process stamp (22 bits)");
        }
        return pid | ((startTime & STAMP_START_MASK) << STAMP_PID_BITS);
    }

    /** {@return the pid in a {@link #stamp()}} */
    public static long pidOfStamp(long stamp) {
        return stamp & STAMP_PID_MASK;
    }

    /**
     * @param stamp a {@link #stamp()}, or any other word read from shared memory
     * @return true if it is the stamp of a running process (false for 0, negative values and words
     *         whose pid names no process or a process that started at another time)
     */
    public static boolean isStampAlive(long stamp) {
        if (stamp <= 0) {
            return false;
        }
        if (stamp == CURRENT_STAMP) {
            return true;
        }
        long pid = pidOfStamp(stamp);
        return pid != 0 && lookup(pid).map(p -> p.stamp() == stamp).orElse(false);
    }

    private static final long CURRENT_STAMP = CURRENT.pid() <= STAMP_PID_MASK ? CURRENT.stamp() : -1;

    @Override
    public String toString() {
        return "pid " + pid + " (started " + startTime + ")";
    }
}
