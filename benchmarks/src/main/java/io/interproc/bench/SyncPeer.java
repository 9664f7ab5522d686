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

    @Override
    public void run(String[] args) throws Exception {
        RegionDirectory directory = RegionDirectory.of(Path.of(args[1]));
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
