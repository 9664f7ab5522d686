/** interproc synchronization: locks, semaphores, conditions, events, barriers, latches, shared atomics. */
module io.interproc.sync {
    requires transitive io.interproc.core;
}
