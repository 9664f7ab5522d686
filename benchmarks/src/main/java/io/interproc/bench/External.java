package io.interproc.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The measurements that are not JMH benchmarks, in the same run: the hardware's floors in C (an
 * SPSC ring between two processes and memory-copy bandwidth, {@code src/main/c/interproc-floor.c},
 * compiled by the build when {@code cc} is present) and Python's {@code multiprocessing} (Queue,
 * Pipe and Event round trips, Queue throughput; {@code mp_bench.py}, when {@code python3} is on
 * the PATH). Each yields rows in results.csv's form, filed under the JMH benchmarks they stand
 * beside ({@code SpscThroughput 64 B}, {@code RoundTrip 64 B}, {@code SyncRoundTrip}), or a reason
 * it was skipped. {@code bin/bench} runs them after JMH: {@code External SECONDS --csv FILE}.
 */
final class External {
    /** Rows measured, or the reason nothing was. */
    record Outcome(List<BenchReport.Row> rows, String skipped) {
        static Outcome skip(String reason) {
            return new Outcome(List.of(), reason);
        }
    }

    /** Message lengths the throughput floors are measured at: those of the JMH throughput benchmarks. */
    static final int[] LENGTHS = {64, 1024};

    private External() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[0]);
        StringBuilder csv = new StringBuilder();
        List<Outcome> outcomes = new ArrayList<>();
        for (int length : LENGTHS) {
            outcomes.add(cFloor("ring", length, seconds));
            outcomes.add(cFloor("memcpy", length, seconds));
        }
        outcomes.add(python(seconds));
        for (Outcome outcome : outcomes) {
            if (outcome.skipped() != null) {
                System.out.println("skipped: " + outcome.skipped());
            }
            for (BenchReport.Row r : outcome.rows()) {
                String line = BenchReport.csvLine(r);
                csv.append(line);
                System.out.print(line);
            }
        }
        if (args.length > 2 && args[1].equals("--csv")) {
            Files.writeString(Path.of(args[2]), csv);
        }
    }

    /**
     * The C floor: {@code ring} (two processes, messages/s) or {@code memcpy} (one thread, messages/s)
     * for messages of {@code length} bytes, filed as {@code floor-c-ring} and {@code floor-memcpy}
     * under {@code SpscThroughput <length> B}.
     */
    static Outcome cFloor(String mode, int length, double seconds) {
        Path binary = floorBinary();
        if (!Files.isExecutable(binary)) {
            return Outcome.skip("C floor (" + mode + ", " + length + " B): no binary at " + binary
                + "; the build compiles src/main/c/interproc-floor.c there when a C compiler (cc) is on the PATH");
        }
        String benchmark = "SpscThroughput " + length + " B";
        String impl = mode.equals("ring") ? "floor-c-ring" : "floor-memcpy";
        List<String> out = run(List.of(binary.toString(), mode, Integer.toString(length), Double.toString(seconds)),
            seconds, impl);
        if (out.size() == 1 && out.get(0).startsWith("!")) {
            return Outcome.skip(out.get(0).substring(1));
        }
        double rate = Double.parseDouble(out.get(out.size() - 1).replace("throughput ", ""));
        return new Outcome(List.of(new BenchReport.Row(benchmark, impl, "throughput", "ops/s", rate),
            new BenchReport.Row(benchmark, impl, "bytes", "B/s", rate * length)), null);
    }

    /**
     * Python's multiprocessing between two Python processes, or why not: {@code python3} on the PATH,
     * or the interpreter in the system property {@code interproc.bench.python}.
     */
    static Outcome python(double seconds) {
        String python = System.getProperty("interproc.bench.python", "python3");
        List<String> version = run(List.of(python, "--version"), 10, "Python multiprocessing");
        if (version.size() == 1 && version.get(0).startsWith("!")) {
            return Outcome.skip(version.get(0).substring(1));
        }
        Path script = null;
        try (InputStream in = External.class.getResourceAsStream("mp_bench.py")) {
            script = Files.createTempFile("interproc-mp-bench-", ".py");
            Files.write(script, in.readAllBytes());
            List<String> out = run(List.of(python, script.toString(), Double.toString(seconds)), 12 * seconds,
                "Python multiprocessing");
            if (out.size() == 1 && out.get(0).startsWith("!")) {
                return Outcome.skip(out.get(0).substring(1));
            }
            return new Outcome(BenchReport.parseResults(out), null);
        } catch (IOException e) {
            return Outcome.skip("Python multiprocessing: " + e);
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    /**
     * @return where the build puts the C floor: {@code target/native/} beside {@code target/classes}
     *     (or the path in the system property {@code interproc.bench.floorBinary})
     */
    static Path floorBinary() {
        String set = System.getProperty("interproc.bench.floorBinary");
        if (set != null) {
            return Path.of(set);
        }
        try {
            Path classes = Path.of(External.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.resolveSibling("native").resolve("interproc-floor");
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("benchmarks/target/native/interproc-floor");
        }
    }

    /**
     * Runs a command with a deadline well past what it should need.
     *
     * @return its standard output's lines, or one line of {@code !} and why it failed
     */
    private static List<String> run(List<String> command, double seconds, String what) {
        Path output;
        try {
            output = Files.createTempFile("interproc-external-", ".out");
        } catch (IOException e) {
            return List.of("!" + what + ": " + e.getMessage());
        }
        Process process = null;
        try {
            // Output to a file, not a pipe: a command that hangs cannot block this JVM past the deadline.
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            long deadline = (long) (seconds * 10) + 60;
            if (!process.waitFor(deadline, TimeUnit.SECONDS)) {
                return List.of("!" + what + ": no answer within " + deadline + " s");
            }
            if (process.exitValue() != 0) {
                return List.of("!" + what + ": " + command.get(0) + " exited with " + process.exitValue());
            }
            return Files.readAllLines(output, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            return List.of("!" + what + ": cannot run " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("!" + what + ": interrupted");
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            try {
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }
}
