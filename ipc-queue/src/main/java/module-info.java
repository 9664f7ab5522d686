/** interproc queues: ring buffers, MPMC queue, pipes, process pool. */
module io.interproc.queue {
    requires transitive io.interproc.core;
}
