package io.interproc.queue.pipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.RegionDirectory;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.ShmTempDir;
import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeftoverProcesses.class)
@Timeout(120)
class PipeTest {
    static final Duration LONG = Duration.ofSeconds(60);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** End B in its own JVM: echoes every message upper-cased until end of stream, or dies on "die". */
    public static final class Echo implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            try (Pipe pipe = Pipe.open(RegionDirectory.of(Path.of(args[0])), "p", Pipe.End.B)) {
                while (true) {
                    byte[] message;
                    try {
                        message = pipe.receiveBytes(60, TimeUnit.SECONDS);
                    } catch (EOFException e) {
                        return;
                    }
                    String text = new String(message, StandardCharsets.UTF_8);
                    if (text.equals("hang")) {
                        new CountDownLatch(1).await();
                    }
                    pipe.send(text.toUpperCase().getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldCarryMessagesBothWaysBetweenJvmsAndEndTheStreamOnClose() throws Exception {
        Pipe a = Pipe.create(RegionDirectory.of(dir), "p", 4096, 256);
        try (ChildJvm child = ChildJvm.builder(Echo.class).args(dir.toString()).captureOutput().start()) {
            for (int i = 0; i < 1000; i++) {
                a.send(utf8("message " + i));
                assertArrayEquals(utf8("MESSAGE " + i), a.receiveBytes(60, TimeUnit.SECONDS));
            }
            a.close();
            assertTrue(child.join(LONG), "the child saw the end of the stream and exited");
            assertEquals(OptionalInt.of(0), child.exitCode(), child.output());
        }
    }

    @Test
    void shouldEndTheStreamWhenTheOtherProcessDiesAndBreakTheSendSide() throws Exception {
        try (Pipe a = Pipe.create(RegionDirectory.of(dir), "p", 4096, 256);
             ChildJvm child = ChildJvm.builder(Echo.class).args(dir.toString()).captureOutput().start()) {
            a.send(utf8("first"));
            assertArrayEquals(utf8("FIRST"), a.receiveBytes(60, TimeUnit.SECONDS));
            a.send(utf8("hang"));
            assertFalse(a.poll(20, TimeUnit.MILLISECONDS), "nothing to receive yet");
            child.kill();
            assertTrue(child.join(LONG));
            assertTrue(a.poll(60, TimeUnit.SECONDS), "poll returns at the end of the stream");
            assertThrows(EOFException.class, () -> a.receiveBytes(60, TimeUnit.SECONDS));
            assertEquals(Pipe.END_OF_STREAM, a.receive((t, b, o, l) -> { }, 1, TimeUnit.SECONDS));
            IllegalStateException broken = assertThrows(IllegalStateException.class, () -> a.send(utf8("x")));
            assertTrue(broken.getMessage().contains("broken pipe"), broken.getMessage());
        }
    }

    @Test
    void shouldDeliverWhatWasSentBeforeTheCloseThenEndTheStream() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (Pipe a = Pipe.create(directory, "p", 4096, 256)) {
            Pipe b = Pipe.open(directory, "p", Pipe.End.B);
            b.send(utf8("one"));
            b.send(utf8("two"));
            b.close();
            assertTrue(a.poll(1, TimeUnit.SECONDS));
            assertArrayEquals(utf8("one"), a.receiveBytes(1, TimeUnit.SECONDS));
            assertArrayEquals(utf8("two"), a.receiveBytes(1, TimeUnit.SECONDS));
            assertThrows(EOFException.class, () -> a.receiveBytes(1, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldTimeOutRefuseBigMessagesAndASecondLiveAttach() throws Exception {
        RegionDirectory directory = RegionDirectory.of(dir);
        try (Pipe a = Pipe.create(directory, "p", 1024, 100); Pipe b = Pipe.open(directory, "p", Pipe.End.B)) {
            assertNull(a.receiveBytes(20, TimeUnit.MILLISECONDS));
            assertEquals(Pipe.TIMED_OUT, b.receive((t, buf, o, l) -> { }, 1, TimeUnit.MILLISECONDS));
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> a.send(MemorySegment.ofArray(new byte[101]), 1, TimeUnit.SECONDS));
            assertTrue(big.getMessage().contains("101") && big.getMessage().contains("100"), big.getMessage());
            while (a.send(MemorySegment.ofArray(new byte[100]), 0, TimeUnit.SECONDS)) {
                // fill A to B
            }
            assertFalse(a.send(MemorySegment.ofArray(new byte[100]), 20, TimeUnit.MILLISECONDS), "full: times out");
            CompletableFuture<Boolean> sender = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.send(MemorySegment.ofArray(new byte[100]), 60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(Pipe.RECEIVED, b.receive((t, buf, o, l) -> { }, 1, TimeUnit.SECONDS));
            assertEquals(Pipe.RECEIVED, b.receive((t, buf, o, l) -> { }, 1, TimeUnit.SECONDS));
            assertTrue(sender.get(60, TimeUnit.SECONDS), "a blocked sender is woken by the receiver");
        }
    }
}
