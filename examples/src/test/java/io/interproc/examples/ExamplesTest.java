package io.interproc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.RegionDirectory;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each example run as a user runs it (its own JVM, the default directory pointed at a temporary
 * one): it exits 0, prints what it promises, and leaves no file and no process behind.
 */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(300)
class ExamplesTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private String run(Class<?> example) throws Exception {
        try (ChildJvm jvm = ChildJvm.builder(example).captureOutput()
            .jvmOptions("-D" + RegionDirectory.DIRECTORY_PROPERTY + "=" + dir, "-Xmx128m").start()) {
            assertTrue(jvm.join(Duration.ofSeconds(240)), example.getSimpleName() + " finished: " + jvm.output());
            assertEquals(OptionalInt.of(0), jvm.exitCode(), jvm.output());
            try (Stream<Path> left = Files.list(dir)) {
                List<Path> files = left.toList();
                assertTrue(files.isEmpty(), example.getSimpleName() + " left " + files);
            }
            return jvm.output();
        }
    }

    /** The premise of the runs below: the library works without Agrona, its optional dependency. */
    @Test
    void examplesRunWithoutAgronaOnTheClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.agrona.concurrent.IdleStrategy"));
    }

    @Test
    void ringExampleMovesAMillionMessagesInOrder() throws Exception {
        String out = run(RingExample.class);
        assertTrue(out.contains("received 1,000,000 messages in order"), out);
    }

    @Test
    void counterExampleCountsEveryLockedAdd() throws Exception {
        String out = run(CounterExample.class);
        assertTrue(out.contains("counter = 30,000 (3 JVMs x 10,000 locked adds)"), out);
    }

    @Test
    void poolExampleMapsInInputOrder() throws Exception {
        String out = run(PoolExample.class);
        assertTrue(out.contains("[1, 4, 9, 16, 25, 36, 49, 64, 81, 100, 121, 144, 169, 196, 225, 256, 289, 324, 361, 400]"),
            out);
    }

    @Test
    void pipeExampleEchoesEachLine() throws Exception {
        String out = run(PipeExample.class);
        assertTrue(out.contains("one -> ONE") && out.contains("five -> FIVE"), out);
    }
}
