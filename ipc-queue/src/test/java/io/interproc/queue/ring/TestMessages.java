package io.interproc.queue.ring;

import io.interproc.queue.MessageReceiver;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * Self-checking test messages: producer id, sequence, a checksum, then a payload whose length and
 * bytes follow from the sequence. A torn, corrupted or misattributed message fails {@link #check}.
 */
public final class TestMessages {
    /** Bytes before the payload. */
    public static final int FIXED = 24;
    /** Payload lengths cycle through 0..MAX_PAYLOAD. */
    public static final int MAX_PAYLOAD = 40;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private TestMessages() {
    }

    public static int length(long sequence) {
        return FIXED + (int) (sequence % (MAX_PAYLOAD + 1));
    }

    /** Writes message {@code sequence} of {@code producer} at {@code offset}; returns its length. */
    public static int write(MemorySegment buffer, long offset, long producer, long sequence) {
        int length = length(sequence);
        buffer.set(LONG, offset, producer);
        buffer.set(LONG, offset + 8, sequence);
        long sum = mix(producer, sequence);
        for (int i = FIXED; i < length; i++) {
            byte b = (byte) (sequence * 31 + i);
            buffer.set(ValueLayout.JAVA_BYTE, offset + i, b);
            sum = sum * 0x100000001B3L ^ b;
        }
        buffer.set(LONG, offset + 16, sum);
        return length;
    }

    /** @return a fresh array holding message {@code sequence} of {@code producer} */
    public static byte[] bytes(long producer, long sequence) {
        byte[] bytes = new byte[length(sequence)];
        write(MemorySegment.ofArray(bytes), 0, producer, sequence);
        return bytes;
    }

    /**
     * Checks the message at {@code offset}.
     *
     * @return {@code {producer, sequence}}
     * @throws AssertionError if it is torn or corrupt
     */
    public static long[] check(MemorySegment buffer, long offset, int length) {
        if (length < FIXED) {
            throw new AssertionError("message of " + length + " bytes is shorter than " + FIXED);
        }
        long producer = buffer.get(LONG, offset);
        long sequence = buffer.get(LONG, offset + 8);
        if (sequence < 0 || length != length(sequence)) {
            throw new AssertionError("message of producer " + producer + " seq " + sequence + " has length " + length);
        }
        long sum = mix(producer, sequence);
        for (int i = FIXED; i < length; i++) {
            byte b = buffer.get(ValueLayout.JAVA_BYTE, offset + i);
            sum = sum * 0x100000001B3L ^ b;
        }
        if (sum != buffer.get(LONG, offset + 16)) {
            throw new AssertionError("torn or corrupt message: producer " + producer + " seq " + sequence);
        }
        return new long[] {producer, sequence};
    }

    /** Checks every message it receives and each producer's order; counts per producer. */
    public static final class Checker implements MessageReceiver {
        /** The next sequence expected from each producer: after a run, how many each delivered. */
        public final Map<Long, Long> next = new HashMap<>();
        /** Messages received. */
        public long total;

        @Override
        public void onMessage(int type, MemorySegment buffer, long offset, int length) {
            long[] m = check(buffer, offset, length);
            long expected = next.getOrDefault(m[0], 0L);
            if (m[1] != expected) {
                throw new AssertionError("producer " + m[0] + ": got seq " + m[1] + ", expected " + expected);
            }
            next.put(m[0], expected + 1);
            total++;
        }
    }

    private static long mix(long producer, long sequence) {
        long h = producer * 0x9E3779B97F4A7C15L ^ sequence;
        return h ^ (h >>> 31);
    }
}
