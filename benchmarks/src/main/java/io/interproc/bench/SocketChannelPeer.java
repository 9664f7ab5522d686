package io.interproc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link BenchChannel} over a stream socket between two JVMs, as a peer to the rings: a
 * Unix-domain socket or TCP on loopback ({@code java.nio.channels}, blocking). Frames are a 4-byte
 * length, then the message (its first 8 bytes the value). The creating side listens and accepts on
 * first use; the opening side connects. Every offer is one write system call.
 */
final class SocketChannelPeer implements BenchChannel {
    private final boolean unix;
    private final Path dir;
    private final String name;
    private final ServerSocketChannel server;
    private SocketChannel socket;
    private final ByteBuffer out = ByteBuffer.allocateDirect(4 + MAX_MESSAGE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer in = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    SocketChannelPeer(boolean unix, Path dir, String name, boolean create) {
        this.unix = unix;
        this.dir = dir;
        this.name = name;
        try {
            if (create) {
                if (unix) {
                    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                    server.bind(UnixDomainSocketAddress.of(dir.resolve(name + ".sock")));
                } else {
                    server = ServerSocketChannel.open();
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
                    Path portFile = dir.resolve(name + ".port");
                    Files.writeString(dir.resolve(name + ".port.tmp"), Integer.toString(port));
                    Files.move(dir.resolve(name + ".port.tmp"), portFile);
                }
            } else {
                server = null;
                socket = connect();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        in.flip();
    }

    private SocketChannel connect() throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                SocketChannel channel;
                if (unix) {
                    channel = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve(name + ".sock")));
                } else {
                    int port = Integer.parseInt(Files.readString(dir.resolve(name + ".port"), StandardCharsets.US_ASCII));
                    channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                return channel;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.onSpinWait(); // the listening side is not up yet
            }
        }
    }

    private SocketChannel socket() throws IOException {
        if (socket == null) {
            socket = server.accept();
            if (!unix) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        }
        return socket;
    }

    @Override
    public boolean offer(long value, int length) {
        try {
            out.clear();
            out.putInt(length).putLong(value);
            out.position(4 + Math.max(length, 8)).flip();
            SocketChannel s = socket();
            while (out.hasRemaining()) {
                s.write(out);
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one whole frame (blocking); returns its value. */
    private long readFrame() throws IOException {
        fill(4);
        int length = in.getInt();
        int size = Math.max(length, 8);
        fill(size);
        long value = in.getLong();
        in.position(in.position() + size - 8);
        return value;
    }

    private void fill(int bytes) throws IOException {
        if (in.remaining() >= bytes) {
            return;
        }
        in.compact();
        SocketChannel s = socket();
        while (in.position() < bytes) {
            if (s.read(in) < 0) {
                throw new IOException("peer closed the socket");
            }
        }
        in.flip();
    }

    @Override
    public int drain(int limit) {
        try {
            int n = 0;
            do {
                readFrame();
                n++;
            } while (n < limit && in.remaining() >= 4 && in.remaining() >= 4 + Math.max(in.getInt(in.position()), 8));
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long poll() {
        try {
            return readFrame();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (socket != null) {
                socket.close();
            }
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // closing a benchmark's sockets
        }
    }
}
