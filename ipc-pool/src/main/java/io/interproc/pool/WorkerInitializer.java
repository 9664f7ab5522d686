package io.interproc.pool;

/**
 * Runs once in each worker JVM before its first task (Python's {@code Pool(initializer=...)}),
 * for example to open files or warm caches that tasks then use through static state. Named by
 * class and instantiated through its public no-argument constructor in the worker.
 *
 * <p>If it throws, the pool is broken: every pending and later task fails with a
 * {@link RemoteTaskException} describing the initializer's failure, and no worker is relaunched.
 */
@FunctionalInterface
public interface WorkerInitializer {
    /** @param argument the bytes given to {@link ProcessPool.Builder#initializer} */
    void initialize(byte[] argument) throws Exception;
}
