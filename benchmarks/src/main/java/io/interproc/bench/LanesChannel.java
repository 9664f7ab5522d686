package io.interproc.bench;

import io.interproc.core.RegionDirectory;
import io.interproc.queue.ring.MpscRing;
import io.interproc.queue.ring.RingOptions;
import java.nio.file.Path;

/**
 * {@code interproc-mpsc}: interproc's {@link MpscRing}, an SPSC lane per producer read in turn.
 * The creating side consumes; each producer JVM attaches a lane on its first offer. Lanes of half
 * the benchmark capacity each, so that two producers have the memory Agrona's ring has.
 */
final class LanesChannel extends InterprocChannel {
    private final MpscRing ring;
    private MpscRing.Producer producer;

    LanesChannel(Path dir, String name, boolean create) {
        RegionDirectory directory = RegionDirectory.of(dir);
        ring = create ? MpscRing.create(directory, name, RingOptions.of(CAPACITY / 2, MAX_MESSAGE).withMaxLanes(8))
            : MpscRing.open(directory, name);
    }

    @Override
    public boolean offer(long v, int length) {
        if (producer == null) {
            producer = ring.attach(); // on the thread that produces
        }
        message.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, v);
        return producer.offer(1, message, 0, length);
    }

    @Override
    public int drain(int limit) {
        return ring.read(capture, limit);
    }

    @Override
    public void close() {
        ring.close();
    }
}
