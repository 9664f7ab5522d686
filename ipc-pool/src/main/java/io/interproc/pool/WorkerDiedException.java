package io.interproc.pool;

import java.util.OptionalInt;

/**
 * The worker JVM running a task died before returning its result (killed, crashed, ran out of
 * memory, called {@code System.exit}). The pool has already replaced the worker.
 */
public final class WorkerDiedException extends RuntimeException {
    private final long workerPid;
    private final OptionalInt exitStatus;

    WorkerDiedException(long taskId, long workerPid, OptionalInt exitStatus, String how) {
        super("task " + taskId + " failed: worker pid " + workerPid + " died " + how + " ("
            + (exitStatus.isPresent() ? "exit status " + exitStatus.getAsInt() + describe(exitStatus.getAsInt())
                : "exit status unknown") + ")");
        this.workerPid = workerPid;
        this.exitStatus = exitStatus;
    }

    private static String describe(int status) {
        return status > 128 && status < 160 ? ", killed by signal " + (status - 128) : "";
    }

    /** {@return the pid of the worker that died} */
    public long workerPid() {
        return workerPid;
    }

    /** {@return its exit status (128 + n for a process killed by signal n), if known} */
    public OptionalInt exitStatus() {
        return exitStatus;
    }
}
