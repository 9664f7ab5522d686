package io.interproc.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a test that leaves a child process of this JVM running after it ends. */
public final class NoLeftoverProcesses implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        boolean clean = Poll.until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive),
            Duration.ofSeconds(30));
        String left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
            .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).collect(Collectors.joining("; "));
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        assertTrue(clean, "processes left behind by " + context.getDisplayName() + ": " + left);
    }
}
