/**
 * interproc's process pool: {@link io.interproc.pool.ProcessPool}, Python's
 * {@code multiprocessing.Pool} with worker JVMs, fed over an MPMC queue, its results back over an
 * MPSC ring with a lane per worker.
 */
module io.interproc.pool {
    requires transitive io.interproc.queue;

    exports io.interproc.pool;
}
