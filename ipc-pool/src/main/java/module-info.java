/**
 * interproc's process pool: {@link io.interproc.pool.ProcessPool}, Python's
 * {@code multiprocessing.Pool} with worker JVMs, fed over an MPMC queue, its results back over an
 * MPSC ring with a lane per worker.
 */
module io.interproc.pool {
    requires transitive io.interproc.queue;
    // Also through the queues, but named here: the pool uses core itself, and a build whose Maven
    // runs on an older JDK sees only the descriptors it compiles (the jars' are JDK 25 ones).
    requires transitive io.interproc.core;

    exports io.interproc.pool;
}
