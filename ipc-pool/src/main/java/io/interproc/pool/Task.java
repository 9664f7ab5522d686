package io.interproc.pool;

/**
 * Work a {@link ProcessPool} runs in its worker JVMs: bytes in, bytes out. Named by class: the
 * worker instantiates it through its public no-argument constructor (once per worker, then reused
 * for every task of that class), so it must be on the workers' class path, which by default is
 * the pool's. Nothing is deserialized: the input and result are plain bytes (see {@link Codec}).
 *
 * <p>An exception thrown by {@link #apply} fails the task's future with a
 * {@link RemoteTaskException} carrying the exception's class, message and stack trace as text; the
 * worker goes on with the next task. A task runs on the worker's single task thread.
 */
@FunctionalInterface
public interface Task {
    /**
     * @param input the bytes given to {@link ProcessPool#submit}
     * @return the result, at most the pool's maximum message length minus {@value ProcessPool#RESULT_OVERHEAD} bytes
     * @throws Exception to fail the task
     */
    byte[] apply(byte[] input) throws Exception;
}
