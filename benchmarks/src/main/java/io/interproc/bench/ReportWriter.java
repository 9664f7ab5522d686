package io.interproc.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * report.md: the machine, caveats, the verdicts of a pairs run at the top, then a table per
 * benchmark: throughput with each row's fraction of the C ring floor, latency percentiles with
 * each row's multiple of the spin (else futex) floor, and interproc's lead over each row. One unit
 * per table, chosen for its values.
 */
final class ReportWriter {
    /** A table's unit: its name and what a raw value is divided by. */
    record Scale(String unit, double divisor) {
        /** @return the unit for {@code values} of the raw {@code unit} (ops/s, B/s, ns/op, ...) */
        static Scale of(String unit, Collection<Double> values) {
            double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            double min = values.stream().filter(v -> v > 0).mapToDouble(Double::doubleValue).min().orElse(0);
            double toNanos = switch (unit) {
                case "ns/op" -> 1;
                case "us/op" -> 1e3;
                case "ms/op" -> 1e6;
                case "s/op" -> 1e9;
                default -> 0;
            };
            if (toNanos > 0) {
                double nanos = min * toNanos;
                return nanos >= 1e6 ? new Scale("ms", 1e6 / toNanos) : nanos >= 1e4 ? new Scale("µs", 1e3 / toNanos)
                    : new Scale("ns", 1 / toNanos);
            }
            if (unit.equals("ops/s")) {
                return max >= 1e6 ? new Scale("M msg/s", 1e6) : max >= 1e3 ? new Scale("k msg/s", 1e3) : new Scale("msg/s", 1);
            }
            if (unit.equals("B/s")) {
                return max >= 1e9 ? new Scale("GB/s", 1e9) : max >= 1e6 ? new Scale("MB/s", 1e6) : new Scale("B/s", 1);
            }
            return new Scale(unit, 1);
        }

        String format(double raw) {
            return number(raw / divisor);
        }
    }

    private static final Set<String> LATENCY = Set.of("median", "p99", "p99.9", "mean");

    private final List<BenchReport.Row> rows;
    private final String machine;
    private final List<Pairs.Measured> pairs;
    private final List<Verdicts.Verdict> verdicts;
    private final Map<List<String>, double[]> ranges;
    private final StringBuilder md = new StringBuilder("# interproc benchmark report\n\n");

    ReportWriter(List<BenchReport.Row> rows, String machine, List<Pairs.Measured> pairs, List<Verdicts.Verdict> verdicts) {
        this.rows = rows;
        this.machine = machine;
        this.pairs = pairs;
        this.verdicts = verdicts;
        this.ranges = Verdicts.ranges(pairs);
    }

    String write() {
        if (!machine.isBlank()) {
            md.append("```\n").append(machine.strip()).append("\n```\n\n");
        }
        caveats();
        if (!verdicts.isEmpty()) {
            verdicts();
        }
        md.append("**interproc ×**: how many times faster interproc is than that row (throughput: interproc's ÷ "
            + "theirs; times: theirs ÷ interproc's), above 1 interproc is faster; interproc's own variants (blocking, "
            + "pipe, ...) are not compared with each other. **of C ring**: the row's throughput "
            + "as a fraction of a C SPSC ring between two processes (the hardware's floor). **× floor**: the row's "
            + "median as a multiple of the one-word spin ping-pong's (else the futex ping-pong's).")
            .append(pairs.isEmpty() ? "\n" : " Values are medians over the rounds, with the range below them.\n");
        Map<String, List<BenchReport.Row>> byBenchmark = new LinkedHashMap<>();
        List<BenchReport.Row> ordered = new ArrayList<>(rows);
        // interproc's rows first, then the peers as they ran, the floors last
        ordered.sort(java.util.Comparator.comparingInt(r -> r.implementation().startsWith("interproc") ? 0
            : r.implementation().startsWith("floor-") ? 2 : 1));
        for (BenchReport.Row r : ordered) {
            byBenchmark.computeIfAbsent(r.benchmark(), k -> new ArrayList<>()).add(r);
        }
        byBenchmark.forEach(this::benchmark);
        return md.toString();
    }

    private void caveats() {
        List<String> caveats = new ArrayList<>();
        if (machine.contains("pinned cpus: none")) {
            caveats.add("unpinned: the scheduler may put both busy threads on one CPU for a whole iteration "
                + "(bin/bench --pin)");
        }
        if (pairs.isEmpty() && !machine.contains("profile: full")) {
            caveats.add("one short fork per implementation: on a shared VM one fork can run at a quarter of the next "
                + "one's speed, so a ratio from one run can be off several times over; for verdicts run bin/bench --pairs 7");
        }
        if (!pairs.isEmpty() && pairs.stream().mapToInt(Pairs.Measured::round).max().orElse(0) < Verdicts.MIN_ROUNDS) {
            caveats.add("fewer than " + Verdicts.MIN_ROUNDS + " rounds: no verdicts");
        }
        for (String c : caveats) {
            md.append("> **Caveat**: ").append(c).append(".\n");
        }
        if (!caveats.isEmpty()) {
            md.append('\n');
        }
    }

    private void verdicts() {
        int rounds = pairs.stream().mapToInt(Pairs.Measured::round).max().orElse(0);
        Verdicts.States states = Verdicts.States.of(pairs);
        md.append("## Verdicts (").append(rounds).append(" rounds)\n\n");
        md.append("| benchmark | peer | interproc | peer's | interproc × (median, range) | rounds | verdict |\n")
            .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Verdicts.Verdict v : verdicts) {
            Scale scale = Scale.of(v.unit(), List.of(v.referenceMedian(), v.peerMedian()));
            md.append(String.format(Locale.ROOT, "| %s | %s | %s %s | %s %s | %s (%s–%s) | %s | **%s** |%n", v.benchmark(),
                v.peer(), scale.format(v.referenceMedian()), scale.unit(), scale.format(v.peerMedian()), scale.unit(),
                Verdicts.lead(v.leadMedian()), number(v.leadMin()), number(v.leadMax()), v.aheadIn(), v.verdict()));
        }
        md.append("\nRule: ").append(Verdicts.RULE).append('\n');
        md.append("\nStates of the machine, from a probe before and after every fork: ");
        md.append(states.describe());
        md.append("; forks per state: ").append(states.count(pairs)).append(".\n\n");
    }

    private void benchmark(String benchmark, List<BenchReport.Row> all) {
        Map<String, Map<String, BenchReport.Row>> byImpl = new LinkedHashMap<>();
        for (BenchReport.Row r : all) {
            byImpl.computeIfAbsent(r.implementation(), k -> new LinkedHashMap<>()).put(r.metric(), r);
        }
        if (all.stream().anyMatch(r -> r.metric().equals("throughput"))) {
            throughput(benchmark, byImpl);
        } else if (all.stream().anyMatch(r -> LATENCY.contains(r.metric()))) {
            latency(benchmark, byImpl);
        }
        Map<String, List<BenchReport.Row>> others = new LinkedHashMap<>();
        for (BenchReport.Row r : all) {
            if (!LATENCY.contains(r.metric()) && !r.metric().equals("throughput") && !r.metric().equals("bytes")
                && !r.metric().matches("p[0-9.]+")) {
                others.computeIfAbsent(r.metric() + " (" + r.unit() + ")", k -> new ArrayList<>()).add(r);
            }
        }
        others.forEach((metric, list) -> {
            Scale scale = Scale.of(list.get(0).unit(), list.stream().map(BenchReport.Row::value).toList());
            md.append("\n## ").append(benchmark).append(" — ").append(metric.replace(list.get(0).unit(), scale.unit()))
                .append("\n\n| implementation | value |\n| --- | --- |\n");
            for (BenchReport.Row r : list) {
                md.append("| ").append(r.implementation()).append(" | ").append(scale.format(r.value())).append(" |\n");
            }
        });
    }

    private void throughput(String benchmark, Map<String, Map<String, BenchReport.Row>> byImpl) {
        List<Double> values = new ArrayList<>();
        List<Double> bytes = new ArrayList<>();
        byImpl.values().forEach(m -> {
            if (m.containsKey("throughput")) {
                values.add(m.get("throughput").value());
            }
            if (m.containsKey("bytes")) {
                bytes.add(m.get("bytes").value());
            }
        });
        Scale scale = Scale.of("ops/s", values);
        Scale byteScale = Scale.of("B/s", bytes);
        BenchReport.Row cRing = metric(byImpl, "floor-c-ring", "throughput");
        BenchReport.Row ours = reference(byImpl, "throughput");
        md.append("\n## ").append(benchmark).append(" — throughput\n\n| implementation | ").append(scale.unit())
            .append(bytes.isEmpty() ? "" : " | " + byteScale.unit()).append(cRing == null ? "" : " | of C ring")
            .append(ours == null ? "" : " | interproc ×").append(" |\n|").append(" --- |".repeat(2 + (bytes.isEmpty() ? 0 : 1)
                + (cRing == null ? 0 : 1) + (ours == null ? 0 : 1))).append('\n');
        byImpl.forEach((impl, m) -> {
            BenchReport.Row t = m.get("throughput");
            if (t == null) {
                return;
            }
            md.append("| ").append(impl).append(" | ").append(scale.format(t.value())).append(range(benchmark, impl, "throughput", scale));
            if (!bytes.isEmpty()) {
                md.append(" | ").append(m.containsKey("bytes") ? byteScale.format(m.get("bytes").value()) : "");
            }
            if (cRing != null) {
                md.append(" | ").append(impl.equals("floor-memcpy") ? "" : percent(t.value() / cRing.value()));
            }
            if (ours != null) { // interproc's own variants are not peers: no lead over them
                md.append(" | ").append(impl.startsWith("interproc") ? "" : number(ours.value() / t.value()));
            }
            md.append(" |\n");
        });
    }

    private void latency(String benchmark, Map<String, Map<String, BenchReport.Row>> byImpl) {
        List<Double> values = new ArrayList<>();
        String unit = "ns/op";
        for (Map<String, BenchReport.Row> m : byImpl.values()) {
            for (BenchReport.Row r : m.values()) {
                if (LATENCY.contains(r.metric())) {
                    values.add(r.value());
                    unit = r.unit();
                }
            }
        }
        Scale scale = Scale.of(unit, values);
        BenchReport.Row floor = metric(byImpl, "floor-spin", "median");
        if (floor == null) {
            floor = metric(byImpl, "floor-futex", "median");
        }
        BenchReport.Row ours = reference(byImpl, "median");
        List<String> columns = new ArrayList<>();
        for (String metric : List.of("median", "p99", "p99.9", "mean")) {
            if (byImpl.values().stream().anyMatch(m -> m.containsKey(metric))) {
                columns.add(metric);
            }
        }
        md.append("\n## ").append(benchmark).append(" — latency (").append(scale.unit()).append(")\n\n| implementation | ")
            .append(String.join(" | ", columns)).append(floor == null ? "" : " | × floor")
            .append(ours == null ? "" : " | interproc ×").append(" |\n|")
            .append(" --- |".repeat(1 + columns.size() + (floor == null ? 0 : 1) + (ours == null ? 0 : 1))).append('\n');
        for (Map.Entry<String, Map<String, BenchReport.Row>> e : byImpl.entrySet()) {
            Map<String, BenchReport.Row> m = e.getValue();
            if (columns.stream().noneMatch(m::containsKey)) {
                continue;
            }
            md.append("| ").append(e.getKey());
            for (String metric : columns) {
                md.append(" | ").append(m.containsKey(metric) ? scale.format(m.get(metric).value())
                    + (metric.equals("median") ? range(benchmark, e.getKey(), "median", scale) : "") : "");
            }
            BenchReport.Row median = m.get("median");
            if (floor != null) {
                md.append(" | ").append(median == null ? "" : number(median.value() / floor.value()));
            }
            if (ours != null) {
                String reference = Verdicts.reference(e.getKey(), byImpl.keySet());
                BenchReport.Row theirs = reference == null ? null : metric(byImpl, reference, "median");
                md.append(" | ").append(median == null || theirs == null || e.getKey().startsWith("interproc") ? ""
                    : number(median.value() / theirs.value()));
            }
            md.append(" |\n");
        }
    }

    /** @return " (min–max)" over a pairs run's rounds, or nothing after a single run */
    private String range(String benchmark, String impl, String metric, Scale scale) {
        double[] r = ranges.get(List.of(benchmark, impl, metric));
        return r == null || r[0] == r[1] ? "" : "<br>" + scale.format(r[0]) + "–" + scale.format(r[1]);
    }

    private static BenchReport.Row metric(Map<String, Map<String, BenchReport.Row>> byImpl, String impl, String metric) {
        Map<String, BenchReport.Row> m = byImpl.get(impl);
        return m == null ? null : m.get(metric);
    }

    /** @return interproc's row of {@code metric}: "interproc" or its first variant */
    private static BenchReport.Row reference(Map<String, Map<String, BenchReport.Row>> byImpl, String metric) {
        String reference = Verdicts.reference("", byImpl.keySet());
        return reference == null ? null : metric(byImpl, reference, metric);
    }

    /** @return a number with three significant digits, grouped when large: 0.123, 1.23, 12.3, 123, 1,234 */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%,.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * fraction);
    }
}
