package io.interproc.bench;

import io.interproc.core.RegionDirectory;
import io.interproc.queue.mpmc.MpmcQueue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** interproc's MPMC queue as a channel: any number of producers and competing consumers. */
final class MpmcChannel implements BenchChannel {
    /** Slots: about as many messages as the rings' capacity holds at 64 bytes. */
    static final int SLOTS = 1 << 14;

    private final MpmcQueue queue;
    private final MemorySegment message = Arena.ofAuto().allocate(MAX_MESSAGE, 8);
    private long value = -1;
    private final io.interproc.queue.ring.MessageHandler capture =
        (type, buffer, offset, length) -> value = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);

    MpmcChannel(Path dir, String name, boolean create) {
        RegionDirectory directory = RegionDirectory.of(dir);
        queue = create ? MpmcQueue.create(directory, name, SLOTS, 1024) : MpmcQueue.open(directory, name);
    }

    @Override
    public boolean offer(long v, int length) {
        message.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, v);
        return queue.offer(1, message.asSlice(0, length));
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
