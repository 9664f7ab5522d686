package io.interproc.core;

import io.interproc.core.internal.launch.ChildMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A separately launched JVM running a main class or a {@link JvmTask}: the counterpart of Python's
 * {@code multiprocessing.Process}. The child gets this JVM's class path (and module path), this
 * JVM's options except debugger and agent options, {@code --enable-native-access} for interproc,
 * and any options and arguments given.
 *
 * <p>By default the child watches this process and exits by itself (status
 * {@link #PARENT_DIED_EXIT_CODE}) within about {@link #PARENT_WATCH_PERIOD} after it dies, even by
 * {@code kill -9}: no orphans. {@link Builder#watchParent(boolean)} turns that off.
 *
 * <p>Output is inherited by default; {@link Builder#captureOutput()} collects standard output and
 * error together, readable with {@link #output()} and {@link #awaitOutput}.
 *
 * <p>Thread-safe. {@link #close()} kills a child that is still running and waits for it to end,
 * so a try-with-resources block leaves no process behind.
 */
public final class ChildJvm implements AutoCloseable {
    /** Exit status of a child whose parent died. */
    public static final int PARENT_DIED_EXIT_CODE = 86;
    /** How often a child checks that its parent lives. */
    public static final Duration PARENT_WATCH_PERIOD = Duration.ofMillis(100);

    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
        "--module-path", "--upgrade-module-path", "--add-modules", "-m", "--module", "--patch-module");

    private final Process process;
    private final String description;
    private final ByteArrayOutputStream captured;
    private final Thread pump;

    private ChildJvm(Process process, String description, ByteArrayOutputStream captured, Thread pump) {
        this.process = process;
        this.description = description;
        this.captured = captured;
        this.pump = pump;
    }

    /**
     * @param mainClass a class with {@code public static void main(String[])}, or a {@link JvmTask}
     *                  with a public no-argument constructor; when running on the module path, its
     *                  package must be exported
     * @return a builder for a child running it
     */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass);
    }

    /**
     * Launches {@code mainClass} with {@code args} and default settings.
     *
     * @param mainClass a class with {@code public static void main(String[])}, or a {@link JvmTask}
     * @param args the program arguments
     * @return the started child
     */
    public static ChildJvm start(Class<?> mainClass, String... args) {
        return builder(mainClass).args(args).start();
    }

    /** Options for a child JVM. Not thread-safe; {@link #start()} may be called more than once. */
    public static final class Builder {
        private final Class<?> mainClass;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private boolean inheritJvmOptions = true;
        private boolean watchParent = true;
        private boolean capture;

        private Builder(Class<?> mainClass) {
            this.mainClass = mainClass;
        }

        /**
         * Adds program arguments.
         *
         * @param values the arguments
         * @return this builder
         */
        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        /**
         * Adds JVM options (for example {@code -Xmx64m}, {@code -Dkey=value}).
         *
         * @param options the options
         * @return this builder
         */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /**
         * Whether to pass on this JVM's own options (default true; agents and debuggers never are).
         *
         * @return this builder
         */
        public Builder inheritJvmOptions(boolean inherit) {
            inheritJvmOptions = inherit;
            return this;
        }

        /**
         * Whether the child exits by itself when this process dies (default true).
         *
         * @return this builder
         */
        public Builder watchParent(boolean watch) {
            watchParent = watch;
            return this;
        }

        /**
         * Collects the child's standard output and error instead of inheriting them.
         *
         * @return this builder
         */
        public Builder captureOutput() {
            capture = true;
            return this;
        }

        /** {@return the command line {@link #start()} runs} */
        public List<String> command() {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            if (inheritJvmOptions) {
                command.addAll(inheritedOptions());
            }
            command.addAll(jvmOptions);
            Module module = mainClass.getModule();
            String modulePath = System.getProperty("jdk.module.path");
            boolean modular = module.isNamed() && ChildJvm.class.getModule().isNamed() && modulePath != null;
            if (modular) {
                command.add("--enable-native-access=" + ChildJvm.class.getModule().getName());
                command.add("--module-path");
                command.add(modulePath);
                command.add("--add-modules");
                command.add(module.getName());
            } else {
                command.add("--enable-native-access=ALL-UNNAMED");
            }
            String classPath = System.getProperty("java.class.path", "");
            if (!classPath.isEmpty()) {
                command.add("-cp");
                command.add(classPath);
            }
            if (modular) {
                command.add("-m");
                command.add(ChildJvm.class.getModule().getName() + "/" + ChildMain.class.getName());
            } else {
                command.add(ChildMain.class.getName());
            }
            ProcessIdentity parent = ProcessIdentity.current();
            command.add(watchParent ? parent.pid() + ":" + parent.startTime() : "-");
            command.add(mainClass.getName());
            command.addAll(args);
            return command;
        }

        /**
         * Launches the child.
         *
         * @return the started child
         * @throws IllegalStateException if the JVM cannot be started
         */
        public ChildJvm start() {
            List<String> command = command();
            ProcessBuilder builder = new ProcessBuilder(command);
            if (capture) {
                builder.redirectErrorStream(true);
            } else {
                builder.inheritIO();
            }
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot launch a JVM for " + mainClass.getName() + ": " + e, e);
            }
            String description = mainClass.getSimpleName() + " (pid " + process.pid() + ")";
            if (!capture) {
                return new ChildJvm(process, description, null, null);
            }
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            Thread pump = Thread.ofPlatform().daemon().name("interproc-child-output-" + process.pid())
                .start(() -> copy(process.getInputStream(), captured));
            return new ChildJvm(process, description, captured, pump);
        }
    }

    private static List<String> inheritedOptions() {
        List<String> inherited = new ArrayList<>();
        List<String> input = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < input.size(); i++) {
            String option = input.get(i);
            if (OPTIONS_WITH_VALUE.contains(option)) {
                i++;
            } else if (!(option.startsWith("-agentlib") || option.startsWith("-agentpath")
                || option.startsWith("-javaagent") || option.startsWith("-Xrunjdwp") || option.equals("-Xdebug")
                || option.startsWith("-Djava.class.path=") || option.startsWith("-Djdk.module.path=")
                || option.startsWith("--enable-native-access") || option.startsWith("@")
                || option.startsWith("--module-path=") || option.startsWith("--add-modules="))) {
                inherited.add(option);
            }
        }
        return inherited;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                    out.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // the child went away; what was read stays readable
        }
    }

    /** {@return the child's process id} */
    public long pid() {
        return process.pid();
    }

    /** {@return the child's identity (pid and start time), while it runs} */
    public java.util.Optional<ProcessIdentity> identity() {
        return ProcessIdentity.of(process.pid());
    }

    /** {@return true while the child runs} */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the child to exit.
     *
     * @param timeout longest wait
     * @return true if it exited within {@code timeout}
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (exited && pump != null) {
            pump.join(Math.max(1, timeout.toMillis()));
        }
        return exited;
    }

    /** {@return the exit status, empty while the child runs} */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Asks the child to exit ({@code SIGTERM}); its shutdown hooks run. */
    public void terminate() {
        process.destroy();
    }

    /** Kills the child at once ({@code SIGKILL}, as {@code kill -9}). */
    public void kill() {
        process.destroyForcibly();
    }

    /** {@return everything the child wrote so far to standard output and error, when captured} */
    public String output() {
        if (captured == null) {
            throw new IllegalStateException("output of " + description + " is not captured");
        }
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Waits until the captured output contains {@code text}.
     *
     * @param text what to wait for
     * @param timeout longest wait
     * @return true if it did within {@code timeout}; false on timeout or if the child ended without it
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        output();
        synchronized (captured) {
            while (!captured.toString(StandardCharsets.UTF_8).contains(text)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !pump.isAlive())) {
                    return captured.toString(StandardCharsets.UTF_8).contains(text);
                }
                // woken by the output pump on every read; the bound re-checks the child's liveness
                captured.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
            }
            return true;
        }
    }

    /** Kills the child if it still runs and waits for it to end (at most 30 seconds). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(description + " did not end after SIGKILL");
            }
            if (pump != null) {
                pump.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ChildJvm[" + description + "]";
    }

}
