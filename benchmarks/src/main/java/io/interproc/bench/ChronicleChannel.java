package io.interproc.bench;

import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Chronicle Queue as a channel: an appender in one JVM, a tailer in the other, over a queue
 * directory in the benchmark's directory (on /dev/shm), as its users share one. The queue rolls
 * every second and the reading side deletes each file it has left behind, so a long run does not
 * fill memory (Chronicle Queue keeps every message; it is a journal, not a ring). Never full.
 *
 * <p>Chronicle needs the JVM flags in {@link #FLAGS} on JDK 25; they are given to its forks and
 * peers only ({@code *ChronicleBenchmark} classes and {@link BenchPeer#launch}).
 */
final class ChronicleChannel implements BenchChannel {
    /** What Chronicle Queue needs on JDK 25, plus switching off its usage analytics. */
    static final String[] FLAGS = {
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Dchronicle.analytics.disable=true",
        "-Dchronicle.announcer.disable=true"};

    private final ChronicleQueue queue;
    private final byte[] filler = new byte[MAX_MESSAGE];
    private ExcerptAppender appender;
    private ExcerptTailer tailer;

    ChronicleChannel(Path dir, String name) {
        queue = SingleChronicleQueueBuilder.single(dir.resolve(name + ".chronicle").toFile())
            .rollCycle(TestRollCycles.TEST_SECONDLY)
            .storeFileListener((cycle, file) -> {
                if (tailer != null) {
                    file.delete();
                }
            })
            .build();
    }

    @Override
    public boolean offer(long value, int length) {
        if (appender == null) {
            appender = queue.createAppender(); // on the thread that uses it
        }
        try (DocumentContext document = appender.writingDocument()) {
            Bytes<?> bytes = document.wire().bytes();
            bytes.writeLong(value);
            bytes.write(filler, 0, length - Long.BYTES);
        }
        return true;
    }

    @Override
    public long poll() {
        if (tailer == null) {
            tailer = queue.createTailer();
        }
        try (DocumentContext document = tailer.readingDocument()) {
            if (!document.isPresent()) {
                return -1;
            }
            return document.wire().bytes().readLong();
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
