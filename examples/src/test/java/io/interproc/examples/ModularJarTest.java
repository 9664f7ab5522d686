package io.interproc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.interproc.core.testing.ShmTempDir;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library's jars on the module path, as a modular application uses them: they resolve as the
 * modules {@code io.interproc.core}, {@code io.interproc.queue}, {@code io.interproc.sync} and
 * {@code io.interproc.pool}, only
 * the API packages are exported to everyone, the internal ones to the library's modules only, and
 * a ring and a lock work with native access granted to {@code io.interproc.core} by name.
 * Runs where the build put the packaged jars on the test class path (the reactor's {@code verify}).
 */
@Timeout(120)
class ModularJarTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void shouldResolveTheJarsAsModulesExportingOnlyTheApi() throws Exception {
        List<String> jars = new ArrayList<>();
        for (String artifact : List.of("interproc-core", "interproc-queue", "interproc-sync", "interproc-pool")) {
            String entry = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> Path.of(e).getFileName().toString().startsWith(artifact + "-")
                    && e.endsWith(".jar") && !e.endsWith("-tests.jar"))
                .findFirst().orElse(null);
            assumeTrue(entry != null, artifact + " is on the test class path as a jar (it is in a reactor verify)");
            jars.add(entry);
        }
        Path testClasses = Path.of(ModularJarTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--module-path", String.join(File.pathSeparator, jars),
            "--add-modules", "io.interproc.queue,io.interproc.sync,io.interproc.pool",
            "--enable-native-access=io.interproc.core",
            "-cp", testClasses.toString(), ModuleCheck.class.getName(), dir.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("MODULES OK"), out);
        assertFalse(out.contains("WARNING"), "no warning, native access granted by module name: " + out);
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
