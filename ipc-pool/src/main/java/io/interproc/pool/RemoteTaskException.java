package io.interproc.pool;

/**
 * A task (or the pool's {@link WorkerInitializer}) threw in a worker JVM. The remote exception is
 * not deserialized: its class name, message and stack trace arrive as text, and
 * {@link #getMessage()} names all three.
 */
public final class RemoteTaskException extends RuntimeException {
    private final String remoteClass;
    private final String remoteMessage;
    private final String remoteStackTrace;
    private final long workerPid;

    RemoteTaskException(String what, long workerPid, String remoteClass, String remoteMessage, String remoteStackTrace) {
        super(what + " in worker pid " + workerPid + " threw " + remoteClass
            + (remoteMessage.isEmpty() ? "" : ": " + remoteMessage) + "\nremote stack trace:\n" + remoteStackTrace);
        this.workerPid = workerPid;
        this.remoteClass = remoteClass;
        this.remoteMessage = remoteMessage;
        this.remoteStackTrace = remoteStackTrace;
    }

    /** {@return the class name of the exception thrown in the worker} */
    public String remoteClass() {
        return remoteClass;
    }

    /** {@return its message ("" if it had none)} */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** {@return its stack trace, as {@link Throwable#printStackTrace()} prints it (causes included)} */
    public String remoteStackTrace() {
        return remoteStackTrace;
    }

    /** {@return the pid of the worker it was thrown in} */
    public long workerPid() {
        return workerPid;
    }
}
