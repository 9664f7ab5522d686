package io.interproc.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a pairs run ({@link Pairs}) says: per benchmark and peer, interproc's lead in each round
 * (how many times faster interproc's fork was than the peer's in the same round), its median and
 * range, in how many rounds interproc was ahead, and a verdict within each state of the machine.
 *
 * <p><b>States.</b> Every fork carries the probe taken before and after it. The probes of the whole
 * run are sorted; where two neighbours differ by {@value #STATE_GAP}× or more, the run saw two
 * states, {@code fast} and {@code slow}, split there (else one, {@code steady}). A fork whose probes
 * fall in different states is {@code changing}; a round whose two forks are in different states is
 * {@code mixed}. Verdicts count only rounds within one state.
 *
 * <p><b>Rule.</b> In a state with n ≥ {@value #MIN_ROUNDS} rounds: <em>ahead</em> when interproc is
 * ahead by more than 2 % in at least ⌈0.75 n⌉ of them, <em>behind</em> when behind by more than 2 %
 * in at least ⌈0.75 n⌉, else <em>level</em>.
 */
final class Verdicts {
    /** The ratio between neighbouring probes that separates two states. */
    static final double STATE_GAP = 1.5;
    /** Rounds a state needs for a verdict. */
    static final int MIN_ROUNDS = 3;
    /** A lead smaller than this (2 %) is a tie, not a round ahead or behind. */
    static final double TIE = 0.02;
    /** The share of rounds a verdict other than level needs. */
    static final double MAJORITY = 0.75;
    /** The rule, as the report states it. */
    static final String RULE = "ahead: interproc ahead by more than 2 % in at least ⌈0.75 n⌉ of the n rounds of a state; "
        + "behind: behind by more than 2 % in at least ⌈0.75 n⌉; level otherwise; no verdict under "
        + MIN_ROUNDS + " rounds. A round is one fork of each, alternating, with the order reversed every other round.";

    /** One peer against interproc in one benchmark. */
    record Verdict(String benchmark, String peer, String reference, String metric, String unit, double referenceMedian,
                   double peerMedian, double leadMedian, double leadMin, double leadMax, int rounds, int ahead,
                   Map<String, int[]> byState, String verdict) {
        /** @return "ahead in k of n" */
        String aheadIn() {
            return "ahead in " + ahead + " of " + rounds;
        }
    }

    /** The states of a run, from its probes. */
    record States(double split) {
        static States of(Collection<Pairs.Measured> all) {
            List<Double> probes = new ArrayList<>();
            for (Pairs.Measured m : all) {
                for (double p : new double[] {m.probeBefore(), m.probeAfter()}) {
                    if (p > 0) {
                        probes.add(p);
                    }
                }
            }
            probes.sort(null);
            double best = STATE_GAP;
            double split = Double.NaN;
            for (int i = 1; i < probes.size(); i++) {
                double gap = probes.get(i) / probes.get(i - 1);
                if (gap >= best) {
                    best = gap;
                    split = Math.sqrt(probes.get(i) * probes.get(i - 1));
                }
            }
            return new States(split);
        }

        String of(double probe) {
            if (!(probe > 0)) {
                return "unknown";
            }
            return Double.isNaN(split) ? "steady" : probe >= split ? "fast" : "slow";
        }

        String of(Pairs.Measured m) {
            String before = of(m.probeBefore());
            return before.equals(of(m.probeAfter())) ? before : "changing";
        }

        /** @return how many forks (and external runs) fell in each state */
        Map<String, Integer> count(Collection<Pairs.Measured> all) {
            Map<String, Integer> forks = new TreeMap<>();
            Set<String> seen = new LinkedHashSet<>();
            for (Pairs.Measured m : all) {
                if (seen.add(m.round() + "/" + m.benchmark() + "/" + m.implementation())) {
                    forks.merge(of(m), 1, Integer::sum);
                }
            }
            return forks;
        }
    }

    private Verdicts() {
    }

    /** @return whether higher values of {@code metric} are better (throughput) rather than lower (times) */
    static boolean higherIsBetter(String metric) {
        return metric.equals("throughput") || metric.equals("bytes");
    }

    /** @return the primary metric of a benchmark's measurements: throughput, else the median, else the average time */
    static String primary(Collection<Pairs.Measured> measured) {
        for (String metric : List.of("throughput", "median")) {
            if (measured.stream().anyMatch(m -> m.metric().equals(metric))) {
                return metric;
            }
        }
        return "time";
    }

    /** @return whether {@code impl} is compared with interproc (not interproc's own variants, not a floor) */
    static boolean isPeer(String impl) {
        return !impl.startsWith("interproc") && !impl.startsWith("floor-");
    }

    /** @return the interproc implementation a peer is compared with in a benchmark of {@code impls}, or null */
    static String reference(String peer, Collection<String> impls) {
        String explicit = switch (peer) {
            case "filelock" -> "interproc-lock";
            case "python-event" -> "interproc-event";
            default -> null;
        };
        if (explicit != null && impls.contains(explicit)) {
            return explicit;
        }
        if (impls.contains("interproc")) {
            return "interproc";
        }
        return impls.stream().filter(i -> i.startsWith("interproc")).findFirst().orElse(null);
    }

    /** @return the verdicts of a pairs run, benchmark by benchmark, peers in the order they ran */
    static List<Verdict> of(List<Pairs.Measured> all) {
        States states = States.of(all);
        Map<String, List<Pairs.Measured>> byBenchmark = new LinkedHashMap<>();
        for (Pairs.Measured m : all) {
            byBenchmark.computeIfAbsent(m.benchmark(), k -> new ArrayList<>()).add(m);
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<String, List<Pairs.Measured>> b : byBenchmark.entrySet()) {
            String metric = primary(b.getValue());
            Map<String, Map<Integer, Pairs.Measured>> byImpl = new LinkedHashMap<>();
            for (Pairs.Measured m : b.getValue()) {
                if (m.metric().equals(metric)) {
                    byImpl.computeIfAbsent(m.implementation(), k -> new TreeMap<>()).put(m.round(), m);
                }
            }
            for (String peer : byImpl.keySet()) {
                String reference = reference(peer, byImpl.keySet());
                if (!isPeer(peer) || reference == null) {
                    continue;
                }
                verdicts.add(verdict(b.getKey(), peer, reference, metric, byImpl.get(reference), byImpl.get(peer), states));
            }
        }
        return verdicts;
    }

    private static Verdict verdict(String benchmark, String peer, String reference, String metric,
                                   Map<Integer, Pairs.Measured> ours, Map<Integer, Pairs.Measured> theirs, States states) {
        List<Double> leads = new ArrayList<>();
        List<Double> ourValues = new ArrayList<>();
        List<Double> theirValues = new ArrayList<>();
        Map<String, int[]> byState = new TreeMap<>(); // state -> rounds, ahead, behind
        int ahead = 0;
        String unit = "";
        for (Map.Entry<Integer, Pairs.Measured> round : ours.entrySet()) {
            Pairs.Measured mine = round.getValue();
            Pairs.Measured other = theirs.get(round.getKey());
            if (other == null || mine.value() <= 0 || other.value() <= 0) {
                continue;
            }
            unit = mine.unit();
            double lead = higherIsBetter(metric) ? mine.value() / other.value() : other.value() / mine.value();
            leads.add(lead);
            ourValues.add(mine.value());
            theirValues.add(other.value());
            String a = states.of(mine);
            String state = a.equals(states.of(other)) ? a : "mixed";
            int[] counts = byState.computeIfAbsent(state, k -> new int[3]);
            counts[0]++;
            if (lead > 1 + TIE) {
                counts[1]++;
                ahead++;
            } else if (lead < 1 / (1 + TIE)) {
                counts[2]++;
            }
        }
        return new Verdict(benchmark, peer, reference, metric, unit, median(ourValues), median(theirValues), median(leads),
            leads.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
            leads.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), leads.size(), ahead, byState,
            verdictText(byState));
    }

    /** @return the verdict in one state from its rounds, ahead and behind counts */
    static String verdict(int rounds, int ahead, int behind) {
        if (rounds < MIN_ROUNDS) {
            return "no verdict (" + rounds + (rounds == 1 ? " round)" : " rounds)");
        }
        int needed = (int) Math.ceil(MAJORITY * rounds);
        return ahead >= needed ? "ahead" : behind >= needed ? "behind" : "level";
    }

    /**
     * @return the verdict over the states: one state's verdict alone, or each state's with its
     *     rounds ("fast: ahead (4) · slow: level (3)"); with no round inside a state, all rounds together
     */
    static String verdictText(Map<String, int[]> byState) {
        List<String> parts = new ArrayList<>();
        int mixed = 0;
        for (Map.Entry<String, int[]> s : byState.entrySet()) {
            if (s.getKey().equals("mixed") || s.getKey().equals("changing") || s.getKey().equals("unknown")) {
                mixed += s.getValue()[0];
                continue;
            }
            parts.add(s.getKey() + ": " + verdict(s.getValue()[0], s.getValue()[1], s.getValue()[2]) + " ("
                + s.getValue()[0] + ")");
        }
        if (parts.isEmpty()) {
            int[] all = byState.values().stream().reduce(new int[3], (x, y) -> new int[] {x[0] + y[0], x[1] + y[1], x[2] + y[2]});
            return verdict(all[0], all[1], all[2]) + " (all rounds; states mixed)";
        }
        if (parts.size() == 1) {
            String only = parts.get(0);
            return only.substring(only.indexOf(": ") + 2, only.lastIndexOf(" (")) + (mixed > 0 ? " (" + mixed
                + " mixed-state rounds left out)" : "");
        }
        return String.join(" · ", parts) + (mixed > 0 ? " · " + mixed + " mixed" : "");
    }

    /** @return the median of each benchmark, implementation and metric over the rounds, as results rows */
    static List<BenchReport.Row> medians(List<Pairs.Measured> all) {
        Map<List<String>, List<Double>> values = new LinkedHashMap<>();
        for (Pairs.Measured m : all) {
            values.computeIfAbsent(List.of(m.benchmark(), m.implementation(), m.metric(), m.unit()), k -> new ArrayList<>())
                .add(m.value());
        }
        List<BenchReport.Row> rows = new ArrayList<>();
        values.forEach((k, v) -> rows.add(new BenchReport.Row(k.get(0), k.get(1), k.get(2), k.get(3), median(v))));
        return rows;
    }

    /** @return the smallest and largest value of each benchmark, implementation and metric, keyed as {@link #medians} */
    static Map<List<String>, double[]> ranges(List<Pairs.Measured> all) {
        Map<List<String>, double[]> ranges = new LinkedHashMap<>();
        for (Pairs.Measured m : all) {
            double[] r = ranges.computeIfAbsent(List.of(m.benchmark(), m.implementation(), m.metric()),
                k -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
            r[0] = Math.min(r[0], m.value());
            r[1] = Math.max(r[1], m.value());
        }
        return ranges;
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String lead(double lead) {
        return String.format(Locale.ROOT, "%.2f×", lead);
    }
}
