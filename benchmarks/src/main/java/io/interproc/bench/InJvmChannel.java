package io.interproc.bench;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-JVM reference: a {@link ArrayBlockingQueue} between two threads of one JVM (the peer
 * runs as a thread, see {@link BenchPeer#launch}). Each message is a fresh byte array of the
 * message length, the long in its first 8 bytes: the same copy of the bytes a ring makes. Bounded
 * to the messages a ring of {@link #CAPACITY} bytes holds. Queues are found by name in this JVM.
 */
final class InJvmChannel implements BenchChannel {
    private static final Map<String, ArrayBlockingQueue<byte[]>> QUEUES = new ConcurrentHashMap<>();

    private final String key;
    private final ArrayBlockingQueue<byte[]> queue;

    InJvmChannel(String dir, String name) {
        key = dir + "/" + name;
        queue = QUEUES.computeIfAbsent(key, k -> new ArrayBlockingQueue<>(CAPACITY / 72));
    }

    @Override
    public boolean offer(long value, int length) {
        byte[] message = new byte[length];
        java.nio.ByteBuffer.wrap(message).putLong(value);
        return queue.offer(message);
    }

    @Override
    public int drain(int limit) {
        int n = 0;
        while (n < limit && queue.poll() != null) {
            n++;
        }
        return n;
    }

    @Override
    public long poll() {
        byte[] message = queue.poll();
        return message == null ? -1 : java.nio.ByteBuffer.wrap(message).getLong();
    }

    @Override
    public long take() throws InterruptedException {
        return java.nio.ByteBuffer.wrap(queue.take()).getLong();
    }

    @Override
    public void put(long value, int length) throws InterruptedException {
        byte[] message = new byte[length];
        java.nio.ByteBuffer.wrap(message).putLong(value);
        queue.put(message);
    }

    @Override
    public void close() {
        QUEUES.remove(key);
    }
}
