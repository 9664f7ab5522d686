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
 * Turns JMH's CSV into the suite's results: {@code results.csv} (benchmark, implementation, metric,
 * unit, value) and {@code report.md}, a table per benchmark and metric with every implementation's
 * ratio to interproc's, and PNG plots ({@link Plots}). Run by {@code bin/bench}:
 * {@code BenchReport <jmh.csv> <output dir>}.
 */
public final class BenchReport {
    /** One measured value. */
    record Row(String benchmark, String implementation, String metric, String unit, double value) {
    }

    /** How JMH's CSV heads a parameter's column. */
    private static final String PARAM = "Param: ";

    private BenchReport() {
    }

    public static void main(String[] args) throws IOException {
        List<Row> rows = parse(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
        Path out = Path.of(args[1]);
        Path blocked = out.resolve("blocked-cpu.csv");
        if (Files.exists(blocked)) {
            rows.addAll(parseResults(Files.readAllLines(blocked, StandardCharsets.UTF_8)));
        }
        StringBuilder csv = new StringBuilder("benchmark,implementation,metric,unit,value\n");
        for (Row r : rows) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%.3f%n", r.benchmark(), r.implementation(), r.metric(),
                r.unit(), r.value()));
        }
        Files.writeString(out.resolve("results.csv"), csv);
        String report = report(rows, Files.exists(out.resolve("machine.txt"))
            ? Files.readString(out.resolve("machine.txt")) : "");
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

    /** Rows already in results.csv's form (benchmark, implementation, metric, unit, value), without a header. */
    static List<Row> parseResults(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        for (String line : lines) {
            List<String> f = split(line);
            if (f.size() == 5) {
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
            String simple = simpleName(name);
            if (simple.equals("Chronicle")) { // Chronicle's own forks, filed under the workloads they run
                simple = name.contains(".offer") ? "SpscThroughput" : "RoundTrip";
            }
            String length = lengthColumn >= 0 && lengthColumn < f.size() ? f.get(lengthColumn) : "";
            StringBuilder named = new StringBuilder(length.isEmpty() ? simple : simple + " " + length + " B");
            for (int column : varying.getOrDefault(simpleName(name), Set.of())) {
                named.append(", ").append(header.get(column).substring(PARAM.length())).append('=').append(f.get(column));
            }
            String benchmark = named.toString();
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
            if (mode.equals("thrpt") && !length.isEmpty()) {
                rows.add(new Row(benchmark, impl, "bytes", "B/s", score * Double.parseDouble(length)));
            }
        }
        return rows;
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

    /** Metrics the report's tables show (results.csv has every percentile). */
    private static final Set<String> TABLE_METRICS = Set.of("throughput", "bytes", "time", "mean", "median", "p99", "p99.9",
        "cpu");

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
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            if (!TABLE_METRICS.contains(r.metric())) {
                continue;
            }
            groups.computeIfAbsent(r.benchmark() + " — " + r.metric() + " (" + r.unit() + ")", k -> new ArrayList<>()).add(r);
        }
        StringBuilder md = new StringBuilder("# interproc benchmark report\n\n");
        if (!machine.isBlank()) {
            md.append("```\n").append(machine.strip()).append("\n```\n\n");
        }
        md.append("Ratios are each implementation's value over interproc's in the same run ")
            .append("(for throughput higher is better, for times lower is better).\n");
        for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
            // The reference: interproc's value; where every implementation is interproc's or a floor
            // (sync round trips), the floor's.
            Row ours = group.getValue().stream().filter(r -> r.implementation().startsWith("interproc")).findFirst()
                .or(() -> group.getValue().stream().filter(r -> r.implementation().startsWith("floor")).findFirst())
                .orElse(null);
            md.append("\n## ").append(group.getKey()).append("\n\n| implementation | value | ratio to ")
                .append(ours == null ? "-" : ours.implementation()).append(" |\n| --- | --- | --- |\n");
            for (Row r : group.getValue()) {
                String ratio = ours == null || ours.value() == 0 ? "-"
                    : String.format(Locale.ROOT, "%.2f", r.value() / ours.value());
                md.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", r.implementation(), format(r.value()), ratio));
            }
        }
        return md.toString();
    }

    private static String format(double v) {
        if (Math.abs(v) >= 1e9) {
            return String.format(Locale.ROOT, "%.2f G", v / 1e9);
        }
        if (Math.abs(v) >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static List<String> split(String line) {
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
