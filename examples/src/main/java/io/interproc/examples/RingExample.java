package io.interproc.examples;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.interproc.core.ChildJvm;
import io.interproc.core.RegionDirectory;
import io.interproc.queue.MessageReceiver;
import io.interproc.queue.ring.RingOptions;
import io.interproc.queue.ring.SpscRing;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A producer JVM and a consumer JVM through a ring: this JVM creates the ring and consumes; it
 * launches a second JVM that produces 1,000,000 messages, each written in place in the ring
 * (zero-copy claim, then commit). The consumer checks they arrive whole and in order.
 *
 * <p>Run: {@code bin/example ring}
 */
public final class RingExample {
    static final long MESSAGES = 1_000_000;

    private RingExample() {
    }

    public static void main(String[] args) throws Exception {
        RegionDirectory directory = RegionDirectory.defaultDirectory();
        if (args.length == 2 && args[0].equals("produce")) {
            produce(directory, args[1]);
            return;
        }
        String name = "example-orders-" + ProcessHandle.current().pid();
        try (SpscRing ring = SpscRing.create(directory, name, RingOptions.of(1 << 20, 1024));
             ChildJvm producer = ChildJvm.start(RingExample.class, "produce", name)) {
            long[] next = {0};
            MessageReceiver check = (type, buffer, offset, length) -> {
                long sequence = buffer.get(JAVA_LONG_UNALIGNED, offset);
                if (type != 1 || length != 64 || sequence != next[0]) {
                    throw new IllegalStateException("expected message " + next[0] + ", got " + sequence);
                }
                next[0]++;
            };
            long start = System.nanoTime();
            while (next[0] < MESSAGES) {
                if (!ring.take(check, 30, TimeUnit.SECONDS)) { // sleeps in the kernel while empty
                    throw new IllegalStateException("no message for 30 s after " + next[0]);
                }
                ring.read(check, 256); // then whatever else is there, without waiting
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            producer.join(Duration.ofSeconds(30));
            System.out.printf("received %,d messages in order from producer pid %d in %,d ms%n", next[0], producer.pid(),
                millis);
        } finally {
            directory.unlink(name);
        }
    }

    /** The producer: 64-byte messages, each written straight into the ring. */
    static void produce(RegionDirectory directory, String name) throws InterruptedException {
        try (SpscRing ring = SpscRing.open(directory, name)) {
            for (long sequence = 0; sequence < MESSAGES; sequence++) {
                long at = ring.claim(1, 64, 30, TimeUnit.SECONDS); // waits while the ring is full
                if (at < 0) {
                    throw new IllegalStateException("the consumer took nothing for 30 s");
                }
                ring.buffer().set(JAVA_LONG_UNALIGNED, at, sequence);
                ring.commit(at);
            }
        }
    }
}
