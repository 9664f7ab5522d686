package io.interproc.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Pairs mode ({@code bin/bench --pairs N}): for each benchmark and parameter set, single forks of
 * its implementations in turn, N rounds (the order reversed every other round, so that a drift
 * of the machine over a round does not favour whoever runs first), and a probe of the machine's
 * state before and after every fork. Writes {@code pairs.csv}; {@link BenchReport} turns it into
 * the verdicts.
 *
 * <p>The probe is the C ring floor at 64 B for 0.2 s (messages/s between two processes, pinned as
 * the benchmarks are); without a C compiler, the one-word spin ping-pong between two JVMs
 * (round trips/s). On a shared VM both sides of a comparison move together with the machine's
 * state (a quarter of the speed in the slow one), so the report compares rounds within a state.
 *
 * <p>Usage: {@code Pairs ROUNDS OUTPUT_DIR [-p name=v1,v2]... [-wi N] [-i N] [-w TIME] [-r TIME]
 * [-jvmArgsPrepend OPTION]... [REGEX]};
 * the Python and C rows of {@link External} join every round when their benchmarks are included.
 */
public final class Pairs {
    /** One measured value of one fork (or external run) with the probe before and after it. */
    record Measured(int round, String benchmark, String implementation, String metric, String unit, double value,
                    double probeBefore, double probeAfter) {
        String csv() {
            String row = BenchReport.csvLine(new BenchReport.Row(benchmark, implementation, metric, unit, value));
            return String.format(Locale.ROOT, "%d,%s,%.0f,%.0f%n", round, row.strip(), probeBefore, probeAfter);
        }
    }

    /** The header of pairs.csv. */
    static final String HEADER = "round,benchmark,implementation,metric,unit,value,probe_before,probe_after\n";

    /** One implementation of a case: a JMH benchmark method with every parameter fixed. */
    record Contestant(BenchmarkListEntry entry, String implementation, Map<String, String> params) {
    }

    private final int rounds;
    private final Path out;
    private final Map<String, List<String>> overrides = new LinkedHashMap<>();
    private final List<String> includes = new ArrayList<>();
    /** The quick profile's iterations (as {@link BenchMain}'s) unless the command line says otherwise. */
    private Integer warmups = 2;
    private Integer iterations = 3;
    private TimeValue warmupTime;
    private TimeValue iterationTime;
    private final List<String> jvmArgsPrepend = new ArrayList<>();
    private final PrintStream log = System.out;
    private final StringBuilder csv = new StringBuilder(HEADER);

    private Pairs(int rounds, Path out) {
        this.rounds = rounds;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Pairs pairs = new Pairs(Integer.parseInt(args[0]), Path.of(args[1]));
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "-p" -> {
                    String[] kv = args[++i].split("=", 2);
                    pairs.overrides.put(kv[0], List.of(kv[1].split(",")));
                }
                case "-wi" -> pairs.warmups = Integer.parseInt(args[++i]);
                case "-i" -> pairs.iterations = Integer.parseInt(args[++i]);
                case "-w" -> pairs.warmupTime = TimeValue.fromString(args[++i]);
                case "-r" -> pairs.iterationTime = TimeValue.fromString(args[++i]);
                case "-jvmArgsPrepend" -> pairs.jvmArgsPrepend.add(args[++i]);
                default -> {
                    if (args[i].startsWith("-")) {
                        throw new IllegalArgumentException("pairs mode takes -p, -wi, -i, -w, -r, -jvmArgsPrepend and a "
                            + "benchmark regex, "
                            + "not '" + args[i] + "'");
                    }
                    pairs.includes.add(args[i]);
                }
            }
        }
        if (pairs.rounds < 1) {
            throw new IllegalArgumentException("--pairs needs a number of rounds >= 1, got " + pairs.rounds);
        }
        pairs.run();
    }

    private void run() throws IOException, RunnerException, InterruptedException {
        Map<String, List<Contestant>> cases = cases();
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("no benchmark matches " + includes + " with " + overrides);
        }
        log.printf(Locale.ROOT, "pairs mode: %d rounds of %d cases (%d forks each round), probe: %s%n", rounds,
            cases.size(), cases.values().stream().mapToInt(List::size).sum(), probeName());
        for (int round = 1; round <= rounds; round++) {
            externals(round, cases.keySet());
            for (Map.Entry<String, List<Contestant>> c : cases.entrySet()) {
                List<Contestant> order = new ArrayList<>(c.getValue());
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (Contestant contestant : order) {
                    double before = probe();
                    List<Row> measured = fork(contestant);
                    double after = probe();
                    for (Row r : measured) {
                        record(new Measured(round, c.getKey(), contestant.implementation(), r.metric(), r.unit(),
                            r.value(), before, after));
                    }
                }
            }
            Files.writeString(out.resolve("pairs.csv"), csv); // after each round: an interrupted run keeps its rounds
        }
    }

    private void record(Measured m) {
        csv.append(m.csv());
        if (m.metric().equals("throughput") || m.metric().equals("median") || m.metric().equals("time")) {
            ReportWriter.Scale scale = ReportWriter.Scale.of(m.unit(), List.of(m.value()));
            log.printf(Locale.ROOT, "round %d  %-28s %-20s %8s %-8s (probe %s, %s)%n", m.round(), m.benchmark(),
                m.implementation(), scale.format(m.value()), scale.unit(), ReportWriter.number(m.probeBefore()),
                ReportWriter.number(m.probeAfter()));
        }
    }

    private record Row(String metric, String unit, double value) {
    }

    /** Runs one fork of {@code c}: throughput, or the median, p99 and mean of a latency. */
    private List<Row> fork(Contestant c) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
            .include("^" + Pattern.quote(c.entry().getUsername()) + "$")
            .forks(1)
            .verbosity(VerboseMode.SILENT)
            .shouldFailOnError(true);
        c.params().forEach(options::param);
        if (!jvmArgsPrepend.isEmpty()) {
            options.jvmArgsPrepend(jvmArgsPrepend.toArray(String[]::new));
        }
        if (warmups != null) {
            options.warmupIterations(warmups);
        }
        if (iterations != null) {
            options.measurementIterations(iterations);
        }
        if (warmupTime != null) {
            options.warmupTime(warmupTime);
        }
        if (iterationTime != null) {
            options.measurementTime(iterationTime);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult run : results) {
            Result<?> primary = run.getPrimaryResult();
            String unit = primary.getScoreUnit();
            switch (run.getParams().getMode()) {
                case SampleTime -> {
                    rows.add(new Row("median", unit, primary.getStatistics().getPercentile(50)));
                    rows.add(new Row("p99", unit, primary.getStatistics().getPercentile(99)));
                    rows.add(new Row("mean", unit, primary.getScore()));
                }
                case Throughput -> rows.add(new Row("throughput", unit, primary.getScore()));
                default -> rows.add(new Row("time", unit, primary.getScore()));
            }
        }
        return rows;
    }

    /** The C floors and Python's multiprocessing, once a round, for the cases that are there. */
    private void externals(int round, Collection<String> cases) {
        List<External.Outcome> outcomes = new ArrayList<>();
        double before = probe();
        for (int length : External.LENGTHS) {
            if (cases.contains("SpscThroughput " + length + " B")) {
                outcomes.add(External.cFloor("ring", length, 1));
                outcomes.add(External.cFloor("memcpy", length, 0.5));
            }
        }
        if (cases.contains("RoundTrip 64 B") || cases.contains("SyncRoundTrip") || cases.contains("SpscThroughput 64 B")) {
            outcomes.add(External.python(1));
        }
        double after = probe();
        for (External.Outcome o : outcomes) {
            if (o.skipped() != null && round == 1) {
                log.println("skipped: " + o.skipped());
            }
            for (BenchReport.Row r : o.rows()) {
                if (cases.contains(r.benchmark()) && !r.metric().equals("bytes") && !r.metric().equals("p99.9")) {
                    record(new Measured(round, r.benchmark(), r.implementation(), r.metric(), r.unit(), r.value(),
                        before, after));
                }
            }
        }
    }

    private Boolean cProbe;

    /** @return the probe's name, as the report states it */
    private String probeName() {
        return useCProbe() ? "C ring 64 B for 0.2 s, messages/s" : "one-word spin ping-pong between two JVMs, round trips/s";
    }

    private boolean useCProbe() {
        if (cProbe == null) {
            cProbe = Files.isExecutable(External.floorBinary());
        }
        return cProbe;
    }

    /** @return the machine's state now: higher is faster */
    private double probe() {
        if (useCProbe()) {
            External.Outcome o = External.cFloor("ring", 64, 0.2);
            return o.rows().isEmpty() ? Double.NaN : o.rows().get(0).value();
        }
        try {
            return 1e9 / FloorPingPong.run("spin", 20_000, 5_000).p50();
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /**
     * The cases: each benchmark named as the report names it ({@code SpscThroughput 64 B}; Chronicle's
     * forks under the workloads they run) with every parameter but {@code impl} fixed, and its
     * implementations in the order the benchmarks declare them.
     */
    private Map<String, List<Contestant>> cases() {
        List<String> regex = includes.isEmpty() ? List.of("io\\.interproc\\.bench\\..*") : includes;
        Map<String, List<Contestant>> cases = new LinkedHashMap<>();
        for (BenchmarkListEntry entry : BenchmarkList.defaultList()
                .find(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), regex,
                    includes.isEmpty() ? List.of(BenchMain.MICRO) : List.of())) {
            Map<String, String[]> declared = new LinkedHashMap<>(entry.getParams().orElse(Map.of()));
            overrides.forEach((name, values) -> {
                if (name.equals("impl") && declared.containsKey(name)) { // those of the given that it has
                    List<String> own = List.of(declared.get(name));
                    declared.put(name, values.stream().filter(own::contains).toArray(String[]::new));
                } else if (declared.containsKey(name)) {
                    declared.put(name, values.toArray(String[]::new));
                }
            });
            List<Map<String, String>> combinations = new ArrayList<>();
            combinations.add(new LinkedHashMap<>());
            for (Map.Entry<String, String[]> p : declared.entrySet()) {
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> partial : combinations) {
                    for (String value : p.getValue()) {
                        Map<String, String> extended = new LinkedHashMap<>(partial);
                        extended.put(p.getKey(), value);
                        next.add(extended);
                    }
                }
                combinations = next;
            }
            java.util.Set<String> varying = new java.util.HashSet<>();
            declared.forEach((name, values) -> {
                if (values.length > 1) {
                    varying.add(name);
                }
            });
            for (Map<String, String> params : combinations) {
                String name = BenchReport.caseName(entry.getUsername(), params, varying);
                cases.computeIfAbsent(name, k -> new ArrayList<>())
                    .add(new Contestant(entry, params.getOrDefault("impl", "-"), params));
            }
        }
        return cases;
    }

    static List<Measured> parse(List<String> lines) {
        List<Measured> measured = new ArrayList<>();
        for (String line : lines) {
            List<String> f = BenchReport.split(line);
            if (f.size() == 8 && !f.get(0).equals("round")) {
                measured.add(new Measured(Integer.parseInt(f.get(0)), f.get(1), f.get(2), f.get(3), f.get(4),
                    Double.parseDouble(f.get(5)), Double.parseDouble(f.get(6)), Double.parseDouble(f.get(7))));
            }
        }
        return measured;
    }

    static List<Measured> read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }
}
