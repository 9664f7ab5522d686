/**
 * interproc's synchronizers between processes: {@link io.interproc.sync.SharedLock} with its
 * conditions, {@link io.interproc.sync.SharedReadWriteLock}, {@link io.interproc.sync.SharedSemaphore},
 * {@link io.interproc.sync.SharedEvent}, {@link io.interproc.sync.SharedCountDownLatch}, {@link
 * io.interproc.sync.SharedBarrier} and {@link io.interproc.sync.SharedLongArray}.
 */
module io.interproc.sync {
    requires transitive io.interproc.core;

    exports io.interproc.sync;
}
