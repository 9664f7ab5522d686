package io.interproc.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a run's measurements into the suite's results: {@code results.csv} (benchmark,
 * implementation, metric, unit, value, verdict), {@code report.md} ({@link ReportWriter}) and PNG
 * plots ({@link Plots}). Run by {@code bin/bench}.
 */
public final class BenchReport {
    /** One measured value. */
    record Row(String benchmark, String implementation, String metric, String unit, double value) {
    }

    /** How JMH's CSV heads a parameter's column. */
    private static final String PARAM = "Param: ";

    private BenchReport() {
    }

    /**
     * {@code BenchReport JMH_CSV|- OUTPUT_DIR}: reads JMH's CSV (or none, "-"), and from the output
     * directory {@code pairs.csv} ({@link Pairs}), {@code externals.csv} ({@link External}),
     * {@code blocked-cpu.csv} and {@code machine.txt}; writes results.csv, report.md, the plots and,
     * after a pairs run, {@code readme-table.md}. {@code BenchReport --readme OUTPUT_DIR README}
     * puts a run's table into the README between its bench-table markers.
     */
    public static void main(String[] args) throws IOException {
        if (args[0].equals("--readme")) {
            Path readme = Path.of(args[2]);
            Files.writeString(readme, ReadmeTable.splice(Files.readString(readme),
                Files.readString(Path.of(args[1]).resolve("readme-table.md"))));
            System.out.println("README table replaced from " + args[1]);
            return;
        }
        Path out = Path.of(args[1]);
        List<Row> rows = args[0].equals("-") ? new ArrayList<>()
            : parse(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
        List<Pairs.Measured> pairs = Files.exists(out.resolve("pairs.csv")) ? Pairs.read(out.resolve("pairs.csv")) : List.of();
        rows.addAll(Verdicts.medians(pairs));
        Set<String> measured = new HashSet<>();
        rows.forEach(r -> measured.add(r.benchmark()));
        if (Files.exists(out.resolve("externals.csv"))) { // beside the benchmarks that ran, not alone
            parseResults(Files.readAllLines(out.resolve("externals.csv"), StandardCharsets.UTF_8)).stream()
                .filter(r -> measured.contains(r.benchmark())).forEach(rows::add);
        }
        if (Files.exists(out.resolve("blocked-cpu.csv"))) {
            rows.addAll(parseResults(Files.readAllLines(out.resolve("blocked-cpu.csv"), StandardCharsets.UTF_8)));
        }
        List<Verdicts.Verdict> verdicts = Verdicts.of(pairs);
        Map<List<String>, String> verdictOf = new LinkedHashMap<>();
        for (Verdicts.Verdict v : verdicts) {
            verdictOf.put(List.of(v.benchmark(), v.peer(), v.metric()), v.verdict());
        }
        StringBuilder csv = new StringBuilder("benchmark,implementation,metric,unit,value,verdict\n");
        for (Row r : rows) {
            String line = csvLine(r);
            csv.append(line, 0, line.length() - 1).append(',')
                .append(quote(verdictOf.getOrDefault(List.of(r.benchmark(), r.implementation(), r.metric()), "")))
                .append('\n');
        }
        Files.writeString(out.resolve("results.csv"), csv);
        String machine = Files.exists(out.resolve("machine.txt")) ? Files.readString(out.resolve("machine.txt")) : "";
        String report = report(rows, machine, pairs, verdicts);
        if (!verdicts.isEmpty()) {
            Files.writeString(out.resolve("readme-table.md"), ReadmeTable.of(machine, rows, verdicts, pairs));
        }
        try {
            Map<String, String> plots = plot(rows, out);
            StringBuilder links = new StringBuilder("\n## Plots\n\n");
            plots.forEach((file, title) -> links.append("![").append(title).append("](").append(file).append(")\n\n"));
            report += links;
        } catch (IOException | RuntimeException | LinkageError | java.awt.AWTError e) {
            // A JDK without its desktop module or a machine without fonts: the numbers still count.
            report += "\n(plots skipped: " + e + ")\n";
        }
        Files.writeString(out.resolve("report.md"), report);
        System.out.println(report);
    }

    /** @return one results.csv line (benchmark, implementation, metric, unit, value), fields quoted where needed */
    static String csvLine(Row r) {
        return String.format(Locale.ROOT, "%s,%s,%s,%s,%.3f%n", quote(r.benchmark()), quote(r.implementation()),
            quote(r.metric()), quote(r.unit()), r.value());
    }

    private static String quote(String field) {
        return field.contains(",") || field.contains("\"") ? '"' + field.replace("\"", "") + '"' : field;
    }

    /** Rows already in results.csv's form (benchmark, implementation, metric, unit, value), without a header. */
    static List<Row> parseResults(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        for (String line : lines) {
            List<String> f = split(line);
            if (f.size() == 5 || f.size() == 6 && !f.get(0).equals("benchmark")) {
                rows.add(new Row(f.get(0), f.get(1), f.get(2), f.get(3), Double.parseDouble(f.get(4))));
            }
        }
        return rows;
    }

    /**
     * Rows from JMH's CSV. A benchmark is named by its class, its length parameter and every other
     * parameter (but the implementation) that takes more than one value for it in the file, so that
     * a run with {@code -p producerWait=yield,spin} compares each setting's implementations apart.
     */
    static List<Row> parse(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        List<String> header = split(lines.get(0));
        int implColumn = header.indexOf("Param: impl");
        int lengthColumn = header.indexOf("Param: length");
        List<List<String>> records = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = split(line);
            if (f.size() >= 7) {
                records.add(f);
            }
        }
        Map<String, Set<Integer>> varying = varyingParameters(header, records, implColumn, lengthColumn);
        for (List<String> f : records) {
            String name = f.get(0);
            String mode = f.get(1);
            double score = Double.parseDouble(f.get(4));
            if (Double.isNaN(score)) {
                continue; // a profiler's non-numeric result, such as perfasm's ":asm"
            }
            String unit = f.get(6);
            String secondary = name.contains(":") ? name.substring(name.indexOf(':') + 1).replace("·", "") : null;
            String percentile = secondary != null && secondary.matches("p[0-9.]+") ? secondary : null;
            String length = lengthColumn >= 0 && lengthColumn < f.size() ? f.get(lengthColumn) : "";
            Map<String, String> params = new LinkedHashMap<>();
            if (!length.isEmpty()) {
                params.put("length", length);
            }
            Set<String> varies = new HashSet<>();
            for (int column : varying.getOrDefault(simpleName(name), Set.of())) {
                String param = header.get(column).substring(PARAM.length());
                params.put(param, f.get(column));
                varies.add(param);
            }
            String benchmark = caseName(name, params, varies);
            String length0 = length;
            String impl = implColumn >= 0 && implColumn < f.size() ? f.get(implColumn) : "-";
            if (percentile != null) {
                rows.add(new Row(benchmark, impl, percentileMetric(Double.parseDouble(percentile.substring(1))), unit, score));
                continue;
            }
            if (secondary != null) { // a profiler's metric (-prof gc: gc.alloc.rate, ...)
                rows.add(new Row(benchmark, impl, secondary, unit, score));
                continue;
            }
            String metric = switch (mode) {
                case "thrpt" -> "throughput";
                case "sample" -> "mean";
                default -> "time";
            };
            rows.add(new Row(benchmark, impl, metric, unit, score));
            if (mode.equals("thrpt") && !length0.isEmpty()) {
                rows.add(new Row(benchmark, impl, "bytes", "B/s", score * Double.parseDouble(length0)));
            }
        }
        return rows;
    }

    /**
     * @return how the report names a benchmark: its class's simple name ({@code SpscThroughput};
     *     Chronicle's forks under the workloads they run), its length ({@code 64 B}) and each parameter
     *     in {@code varying} but impl ({@code , producerWait=yield})
     */
    static String caseName(String benchmark, Map<String, String> params, Set<String> varying) {
        String simple = simpleName(benchmark);
        if (simple.equals("Chronicle")) {
            simple = benchmark.contains(".offer") ? "SpscThroughput" : "RoundTrip";
        }
        String length = params.getOrDefault("length", "");
        StringBuilder named = new StringBuilder(length.isEmpty() ? simple : simple + " " + length + " B");
        params.forEach((param, value) -> {
            if (varying.contains(param) && !param.equals("impl") && !param.equals("length")) {
                named.append(", ").append(param).append('=').append(value);
            }
        });
        return named.toString();
    }

    /** @return the benchmark's class name without its package and "Benchmark" (as JMH's CSV names it) */
    private static String simpleName(String name) {
        return name.replaceAll(".*\\.(\\w+)Benchmark\\.\\w+.*", "$1");
    }

    /**
     * @return for each benchmark (by {@link #simpleName}), the parameter columns other than impl and
     *     length that take more than one value in {@code records}, in column order
     */
    private static Map<String, Set<Integer>> varyingParameters(List<String> header, List<List<String>> records,
                                                               int implColumn, int lengthColumn) {
        Map<String, Map<Integer, Set<String>>> values = new LinkedHashMap<>();
        for (List<String> f : records) {
            for (int column = 0; column < Math.min(header.size(), f.size()); column++) {
                if (column != implColumn && column != lengthColumn && header.get(column).startsWith(PARAM)) {
                    values.computeIfAbsent(simpleName(f.get(0)), k -> new TreeMap<>())
                        .computeIfAbsent(column, k -> new HashSet<>()).add(f.get(column));
                }
            }
        }
        Map<String, Set<Integer>> varying = new LinkedHashMap<>();
        values.forEach((benchmark, columns) -> columns.forEach((column, seen) -> {
            if (seen.size() > 1) {
                varying.computeIfAbsent(benchmark, k -> new TreeSet<>()).add(column);
            }
        }));
        return varying;
    }

    /** @return "median" for 0.5, else "p" and the percent: p90, p99, p99.9, p99.99, p0, p100 */
    static String percentileMetric(double fraction) {
        if (fraction == 0.5) {
            return "median";
        }
        return "p" + BigDecimal.valueOf(fraction * 100).round(new MathContext(8)).stripTrailingZeros().toPlainString();
    }

    /** @return the fraction a percentile metric stands for, or NaN if the metric is not one */
    static double percentileOf(String metric) {
        if (metric.equals("median")) {
            return 0.5;
        }
        if (metric.matches("p[0-9.]+")) {
            return Double.parseDouble(metric.substring(1)) / 100;
        }
        return Double.NaN;
    }

    /**
     * Writes the plots into {@code out}: throughput bars per throughput benchmark, latency percentile
     * curves per latency benchmark.
     *
     * @return the files written, with their titles
     */
    static Map<String, String> plot(List<Row> rows, Path out) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        Map<String, List<Row>> throughput = new LinkedHashMap<>();
        Map<String, Map<String, SortedMap<Double, Double>>> latency = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.metric().equals("throughput")) {
                throughput.computeIfAbsent(r.benchmark() + " (" + r.unit() + ")", k -> new ArrayList<>()).add(r);
            }
            double fraction = percentileOf(r.metric());
            if (!Double.isNaN(fraction)) {
                latency.computeIfAbsent(r.benchmark() + " (" + r.unit() + ")", k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.implementation(), k -> new TreeMap<>()).put(fraction, r.value());
            }
        }
        for (Map.Entry<String, List<Row>> group : throughput.entrySet()) {
            String file = "throughput-" + slug(group.getKey()) + ".png";
            List<Row> bars = group.getValue();
            Plots.bars(out.resolve(file), group.getKey(), bars.get(0).unit(), bars.stream().map(Row::implementation).toList(),
                bars.stream().map(Row::value).toList());
            files.put(file, group.getKey() + ", throughput");
        }
        for (Map.Entry<String, Map<String, SortedMap<Double, Double>>> group : latency.entrySet()) {
            String file = "latency-" + slug(group.getKey()) + ".png";
            Plots.percentiles(out.resolve(file), group.getKey() + ", latency percentiles", group.getValue());
            files.put(file, group.getKey() + ", latency percentiles");
        }
        return files;
    }

    private static String slug(String title) {
        return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    static String report(List<Row> rows, String machine) {
        return report(rows, machine, List.of(), List.of());
    }

    static String report(List<Row> rows, String machine, List<Pairs.Measured> pairs, List<Verdicts.Verdict> verdicts) {
        return new ReportWriter(rows, machine, pairs, verdicts).write();
    }

    static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }
}
