package io.interproc.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Aeron IPC as a channel: an exclusive publication in one JVM and a subscription in the other on
 * {@code aeron:ipc}, through a media driver embedded in the JVM that creates the channel (the
 * benchmark's), with its Aeron directory in the benchmark's directory. The peer JVM connects to
 * that driver as an Aeron client. A side's role is set by its first call: {@code offer} adds the
 * publication, {@code poll} or {@code drain} the subscription (an offer fails until the other side
 * subscribed, so a benchmark's first message waits for its peer).
 *
 * <p>The driver runs with one shared thread that sleeps a millisecond when idle: on a 2-CPU machine a
 * busy-spinning driver would take a CPU from the two threads being measured. For IPC the driver is
 * not on the data path (the subscriber reads the publication's log buffer directly); it moves the
 * publisher's limit, and the term window (half the 64 MiB IPC term) keeps a millisecond's cadence
 * from throttling the publisher. Agrona's JDK 25 flag ({@link BenchPeer#AGRONA_FLAG}) is needed on
 * both sides.
 */
final class AeronChannel implements BenchChannel {
    /** Drivers by directory, counted: a round trip's two channels share one. */
    private static final Map<Path, MediaDriver> DRIVERS = new HashMap<>();
    private static final Map<Path, Integer> USERS = new HashMap<>();

    private final Path driverDir;
    private final boolean owner;
    private final Aeron aeron;
    private final int streamId;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[MAX_MESSAGE]);
    private ExclusivePublication publication;
    private Subscription subscription;
    private long value = -1;
    private final FragmentHandler capture = (buffer, offset, length, header) -> value = buffer.getLong(offset);

    AeronChannel(Path dir, String name, boolean create) {
        driverDir = dir.resolve("aeron");
        owner = create;
        if (create) {
            startDriver(driverDir);
        }
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driverDir.toString()));
        streamId = 1001 + Math.floorMod(name.hashCode(), 100_000);
    }

    private static synchronized void startDriver(Path dir) {
        USERS.merge(dir, 1, Integer::sum);
        DRIVERS.computeIfAbsent(dir, d -> MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(d.toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))));
    }

    private static synchronized void stopDriver(Path dir) {
        if (USERS.merge(dir, -1, Integer::sum) == 0) {
            USERS.remove(dir);
            DRIVERS.remove(dir).close();
        }
    }

    @Override
    public boolean offer(long v, int length) {
        if (publication == null) {
            publication = aeron.addExclusivePublication("aeron:ipc", streamId);
        }
        message.putLong(0, v);
        long result = publication.offer(message, 0, length);
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
            throw new IllegalStateException("Aeron publication on stream " + streamId + " failed: " + result);
        }
        return result > 0;
    }

    @Override
    public int drain(int limit) {
        if (subscription == null) {
            subscription = aeron.addSubscription("aeron:ipc", streamId);
        }
        return subscription.poll(capture, limit);
    }

    @Override
    public long poll() {
        value = -1;
        drain(1);
        return value;
    }

    @Override
    public void close() {
        aeron.close();
        if (owner) {
            stopDriver(driverDir);
        }
    }
}
