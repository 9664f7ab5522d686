package io.interproc.bench;

import io.interproc.core.JvmTask;
import io.interproc.core.RegionDirectory;
import io.interproc.core.WaitStrategy;
import io.interproc.sync.SharedEvent;
import io.interproc.sync.SharedLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The other JVM of {@link SyncRoundTripBenchmark}: {@code lock DIR} passes two locks back and forth,
 * {@code event DIR} answers event "ping" with event "pong". Both sleep in the kernel (no spinning)
 * and run until killed.
 */
public final class SyncPeer implements JvmTask {
    /** Sleep at once: the case measured against the one-word futex ping-pong. */
    static final WaitStrategy SLEEP = WaitStrategy.blocking(0, 0, Duration.ofMillis(100));

    /**
     * Two {@code FileChannel.lock} files passed back and forth: the JDK's own cross-process lock (POSIX
     * record locks, the kernel blocks the waiter), the peer for lock hand-off.
     */
    static final class FileLockPair implements AutoCloseable {
        private java.nio.channels.FileChannel first;
        private java.nio.channels.FileChannel second;
        private java.nio.channels.FileLock firstLock;
        private java.nio.channels.FileLock secondLock;

        FileLockPair(Path dir) throws java.io.IOException {
            first = java.nio.channels.FileChannel.open(dir.resolve("first.lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
            second = java.nio.channels.FileChannel.open(dir.resolve("second.lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        }

        void lockFirst() throws java.io.IOException {
            firstLock = first.lock();
        }

        void lockSecond() throws java.io.IOException {
            secondLock = second.lock();
        }

        /** Releases first, takes second (waiting for the peer to release it), then swaps the names. */
        void releaseFirstLockSecondAndSwap() throws java.io.IOException {
            firstLock.release();
            secondLock = second.lock();
            swap();
        }

        /** Takes first (waiting for the peer), releases second, then swaps the names. */
        void lockFirstReleaseSecondAndSwap() throws java.io.IOException {
            firstLock = first.lock();
            secondLock.release();
            swap();
        }

        private void swap() {
            java.nio.channels.FileChannel c = first;
            first = second;
            second = c;
            java.nio.channels.FileLock l = firstLock;
            firstLock = secondLock;
            secondLock = l;
        }

        @Override
        public void close() throws java.io.IOException {
            first.close();
            second.close();
        }
    }

    @Override
    public void run(String[] args) throws Exception {
        CpuPinning.pin(1);
        RegionDirectory directory = RegionDirectory.of(Path.of(args[1]));
        if (args[0].equals("filelock")) {
            FileLockPair pair = new FileLockPair(Path.of(args[1]));
            pair.lockSecond();
            SharedEvent.open(directory, "ready").set();
            while (true) {
                pair.lockFirstReleaseSecondAndSwap();
            }
        }
        if (args[0].equals("lock")) {
            SharedLock first = SharedLock.open(directory, "first").waitStrategy(SLEEP);
            SharedLock second = SharedLock.open(directory, "second").waitStrategy(SLEEP);
            second.lock();
            SharedEvent ready = SharedEvent.open(directory, "ready");
            ready.set();
            while (true) {
                first.lock();
                second.unlock();
                SharedLock swap = first;
                first = second;
                second = swap;
            }
        }
        SharedEvent ping = SharedEvent.open(directory, "ping").waitStrategy(SLEEP);
        SharedEvent pong = SharedEvent.open(directory, "pong").waitStrategy(SLEEP);
        while (true) {
            ping.await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            ping.clear();
            pong.set();
        }
    }
}
