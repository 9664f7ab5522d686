package io.interproc.bench;

import java.nio.file.Path;

/**
 * What a channel benchmark sets up and tears down: a fresh directory, the channel(s) of one kind,
 * and the peer on the other side. Shared by the benchmark classes so that the ones whose peers need
 * their own JVM flags (Chronicle's) run exactly the same code.
 */
final class ChannelRig implements AutoCloseable {
    private final Path dir;
    private final BenchChannel out;
    private final BenchChannel in;
    private final BenchPeer.Peer peer;
    private final int length;
    private long seq;

    private ChannelRig(Path dir, BenchChannel out, BenchChannel in, BenchPeer.Peer peer, int length) {
        this.dir = dir;
        this.out = out;
        this.in = in;
        this.peer = peer;
        this.length = length;
    }

    /** This JVM produces into {@code impl}'s channel; the peer drains it as fast as it can. */
    static ChannelRig throughput(String impl, int length) throws Exception {
        CpuPinning.pin(0);
        Path dir = BenchPeer.tempDirectory();
        BenchChannel channel = BenchChannel.open(impl, dir, "spsc", true);
        return new ChannelRig(dir, channel, null, BenchPeer.launch("drain", impl, dir.toString(), "spsc"), length);
    }

    /** This JVM sends on "ping" and waits on "pong"; the peer echoes. */
    static ChannelRig roundTrip(String impl, int length) throws Exception {
        CpuPinning.pin(0);
        Path dir = BenchPeer.tempDirectory();
        BenchChannel ping = BenchChannel.open(impl, dir, "ping", true);
        BenchChannel pong = BenchChannel.open(impl, dir, "pong", true);
        return new ChannelRig(dir, ping, pong,
            BenchPeer.launch("echo", impl, dir.toString(), "ping", "pong", Integer.toString(length)), length);
    }

    /** One message offered (spinning while the channel is full). */
    void offer() {
        while (!out.offer(seq, length)) {
            Thread.onSpinWait();
        }
        seq++;
    }

    /** One message written in place (zero-copy), spinning while the channel is full. */
    void claim() {
        while (!out.claim(seq, length)) {
            Thread.onSpinWait();
        }
        seq++;
    }

    /** One message there and its echo back. */
    long roundTrip() throws InterruptedException {
        out.put(++seq, length);
        long answer = in.take();
        if (answer != seq) {
            throw new IllegalStateException("echo answered " + answer + " to " + seq);
        }
        return answer;
    }

    @Override
    public void close() throws Exception {
        peer.close();
        out.close();
        if (in != null) {
            in.close();
        }
        BenchPeer.delete(dir);
    }
}
