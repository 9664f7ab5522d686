package io.interproc.bench;

import io.interproc.core.RegionDirectory;
import io.interproc.queue.pipe.Pipe;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * interproc's {@link Pipe} as the round trip's two channels: "ping" and "pong" are the two
 * directions of one pipe, end A in the benchmark JVM and end B in the echo JVM (a handle per
 * direction, both of the same end). Waits with the pipe's default strategy: spin, yield, then sleep.
 */
final class PipeChannel extends InterprocChannel {
    private final Pipe pipe;

    PipeChannel(Path dir, String name, boolean create) {
        RegionDirectory directory = RegionDirectory.of(dir);
        pipe = create && name.equals("ping") ? Pipe.create(directory, "pipe", CAPACITY, MAX_MESSAGE)
            : Pipe.open(directory, "pipe", create ? Pipe.End.A : Pipe.End.B);
    }

    @Override
    public boolean offer(long v, int length) {
        try {
            return pipe.send(message(v, length), 0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void put(long v, int length) throws InterruptedException {
        pipe.send(message(v, length), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public long poll() {
        try {
            value = -1;
            pipe.receive(capture, 0, TimeUnit.NANOSECONDS);
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public long take() throws InterruptedException {
        value = -1;
        if (pipe.receive(capture, Long.MAX_VALUE, TimeUnit.NANOSECONDS) != Pipe.RECEIVED) {
            throw new IllegalStateException("the other end of the pipe closed");
        }
        return value;
    }

    @Override
    public void close() {
        pipe.close();
    }
}
