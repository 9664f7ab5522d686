package io.interproc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.internal.memory.Futex;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeftoverProcesses.class)
@Timeout(120)
class ChildJvmTest {
    static final Duration LONG = Duration.ofSeconds(60);

    /** Runs until killed. */
    public static final class Sleeper implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            System.out.println("READY " + ProcessHandle.current().pid());
            new CountDownLatch(1).await();
        }
    }

    /** A plain main class: echoes its arguments, exits with the status given as the first one. */
    public static final class Echo {
        public static void main(String[] args) {
            System.out.println("args=" + String.join(",", args));
            System.out.println("native=" + Futex.isSupported());
            System.exit(Integer.parseInt(args[0]));
        }
    }

    /** Throws. */
    public static final class Failing implements JvmTask {
        @Override
        public void run(String[] args) {
            throw new IllegalStateException("task failed on purpose");
        }
    }

    /** Launches a {@link Sleeper} grandchild (watching its parent), reports its pid, then sleeps. */
    public static final class Parent implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            ChildJvm grandchild = ChildJvm.builder(Sleeper.class).captureOutput().start();
            if (!grandchild.awaitOutput("READY", LONG)) {
                throw new IllegalStateException("grandchild did not start: " + grandchild.output());
            }
            System.out.println("GRANDCHILD " + grandchild.pid() + " ");
            new CountDownLatch(1).await();
        }
    }

    @Test
    void shouldRunAMainClassWithArgumentsAndReportItsExitCode() throws Exception {
        try (ChildJvm child = ChildJvm.builder(Echo.class).args("3", "b c").captureOutput().start()) {
            assertTrue(child.join(LONG));
            assertEquals(OptionalInt.of(3), child.exitCode());
            assertTrue(child.output().contains("args=3,b c"), child.output());
            assertTrue(child.output().contains("native=" + Futex.isSupported()), child.output());
            assertFalse(child.output().contains("WARNING"), "no native-access warning: " + child.output());
        }
    }

    @Test
    void shouldExitWithZeroAfterATaskAndOneAfterItThrows() throws Exception {
        try (ChildJvm ok = ChildJvm.builder(Echo.class).args("0").captureOutput().start();
             ChildJvm failing = ChildJvm.builder(Failing.class).captureOutput().start()) {
            assertTrue(ok.join(LONG));
            assertTrue(failing.join(LONG));
            assertEquals(OptionalInt.of(0), ok.exitCode());
            assertEquals(OptionalInt.of(1), failing.exitCode());
            assertTrue(failing.output().contains("task failed on purpose"), failing.output());
        }
    }

    @Test
    void shouldKillTerminateAndJoinWithTimeout() throws Exception {
        try (ChildJvm a = ChildJvm.builder(Sleeper.class).captureOutput().start();
             ChildJvm b = ChildJvm.builder(Sleeper.class).captureOutput().start()) {
            assertTrue(a.awaitOutput("READY", LONG), a.output());
            assertFalse(a.join(Duration.ofMillis(50)), "still running");
            assertTrue(a.isAlive());
            assertEquals(OptionalInt.empty(), a.exitCode());
            a.kill();
            assertTrue(a.join(LONG));
            assertEquals(OptionalInt.of(137), a.exitCode());
            assertTrue(b.awaitOutput("READY", LONG), b.output());
            b.terminate();
            assertTrue(b.join(LONG));
            assertEquals(OptionalInt.of(143), b.exitCode());
        }
    }

    @Test
    void shouldExitWhenItsParentIsKilled() throws Exception {
        long grandchild;
        try (ChildJvm parent = ChildJvm.builder(Parent.class).captureOutput().start()) {
            assertTrue(parent.awaitOutput("GRANDCHILD ", LONG), parent.output());
            String out = parent.output();
            int at = out.indexOf("GRANDCHILD ") + "GRANDCHILD ".length();
            grandchild = Long.parseLong(out.substring(at, out.indexOf(' ', at)).trim());
            ProcessIdentity identity = ProcessIdentity.of(grandchild).orElseThrow();
            parent.kill();
            assertTrue(parent.join(LONG));
            try {
                assertTrue(Poll.until(() -> !identity.isAlive(), Duration.ofSeconds(30)),
                    "the grandchild exits by itself once its parent is gone");
            } finally {
                Optional<ProcessHandle> left = ProcessHandle.of(grandchild);
                left.filter(h -> identity.isAlive()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
