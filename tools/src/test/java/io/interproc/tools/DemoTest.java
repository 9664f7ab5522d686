package io.interproc.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionDirectory;
import io.interproc.core.testing.NoLeftoverProcesses;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeftoverProcesses.class)
class DemoTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldPingPongWithAChildJvmAndRemoveItsRegion() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long rounds = Demo.run(500, RegionDirectory.of(dir), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(500, rounds);
        assertTrue(out.contains("500 round trips between two JVMs"), out);
        assertTrue(out.contains("child exited with 0"), out);
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the demo leaves no region behind");
        }
    }

    @Test
    @Timeout(120)
    void shouldShowLiveThroughputAndLatencyOfFourJvmsAndCleanUp() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long counter = LiveDemo.run(2, RegionDirectory.of(dir), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(counter > 0, out);
        assertEquals(2, out.lines().filter(l -> l.matches("\\s+\\d+ s  ring .* M msg/s .*latency p50 .* us.*\\| lock .*")).count(),
            out);
        assertTrue(out.contains("consumed in order; counter " + String.format(java.util.Locale.ROOT, "%,d", counter)), out);
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the demo leaves no region behind");
        }
    }
}
