package io.interproc.bench;

import io.interproc.core.RegionDirectory;
import io.interproc.queue.mpmc.MpmcQueue;
import java.nio.file.Path;

/** interproc's MPMC queue as a channel: any number of producers and competing consumers. */
final class MpmcChannel extends InterprocChannel {
    /** Slots: about as many messages as the rings' capacity holds at 64 bytes. */
    static final int SLOTS = 1 << 14;

    private final MpmcQueue queue;

    MpmcChannel(Path dir, String name, boolean create) {
        RegionDirectory directory = RegionDirectory.of(dir);
        queue = create ? MpmcQueue.create(directory, name, SLOTS, 1024) : MpmcQueue.open(directory, name);
    }

    @Override
    public boolean offer(long v, int length) {
        return queue.offer(1, message(v, length));
    }

    @Override
    public long poll() {
        value = -1;
        queue.poll(capture);
        return value;
    }

    @Override
    public void close() {
        queue.close();
    }
}
