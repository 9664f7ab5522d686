package io.interproc.examples;

import io.interproc.core.ChildJvm;
import io.interproc.core.RegionDirectory;
import io.interproc.queue.pipe.Pipe;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Python's {@code multiprocessing.Pipe} between two JVMs: this JVM sends five lines to a second
 * JVM, which answers each in upper case; closing an end is the end of the stream for the other.
 *
 * <p>Run: {@code bin/example pipe}
 */
public final class PipeExample {
    private PipeExample() {
    }

    public static void main(String[] args) throws Exception {
        RegionDirectory directory = RegionDirectory.defaultDirectory();
        if (args.length == 2 && args[0].equals("echo")) {
            echo(directory, args[1]);
            return;
        }
        String name = "example-pipe-" + ProcessHandle.current().pid();
        try (Pipe pipe = Pipe.create(directory, name, 1 << 16, 1024);
             ChildJvm other = ChildJvm.start(PipeExample.class, "echo", name)) {
            for (String line : new String[] {"one", "two", "three", "four", "five"}) {
                pipe.send(line.getBytes(StandardCharsets.UTF_8));
                byte[] reply = pipe.receiveBytes(30, TimeUnit.SECONDS);
                if (reply == null) {
                    throw new IllegalStateException("no reply for 30 s");
                }
                System.out.println(line + " -> " + new String(reply, StandardCharsets.UTF_8));
            }
            pipe.close(); // the other end reads the end of the stream and exits
            other.join(Duration.ofSeconds(30));
        } finally {
            directory.unlink(name);
        }
    }

    /** The other end: answers every line in upper case until the stream ends. */
    static void echo(RegionDirectory directory, String name) throws InterruptedException {
        try (Pipe pipe = Pipe.open(directory, name, Pipe.End.B)) {
            while (true) {
                byte[] line = pipe.receiveBytes(30, TimeUnit.SECONDS);
                if (line == null) {
                    throw new IllegalStateException("nothing received for 30 s");
                }
                pipe.send(new String(line, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8));
            }
        } catch (EOFException endOfStream) {
            // the other end closed: done
        }
    }
}
