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
 * run are sorted; wherever two neighbours differ by {@value #STATE_GAP}× or more, the run saw
 * another state ({@link States}). A fork whose probes fall in different states is
 * {@code changing}; a round whose two forks are in different states is {@code mixed}. Verdicts
 * count only rounds within one state.
 *
 * <p><b>Rule.</b> In a state with n ≥ {@value #MIN_ROUNDS} rounds: <em>ahead</em> when interproc is
 * ahead by more than 2 % in at least ⌈0.75 n⌉ of them, <em>behind</em> when behind by more than 2 %
 * in at least ⌈0.75 n⌉, else <em>level</em>.
 */
final class Verdicts {
    /** The ratio between neighbouring probes that separates two states. */
    static final double STATE_GAP = 1.5;
    /** The least share of a run's probes, in percent, that counts as a state of its own. */
    static final int MIN_SHARE_PERCENT = 5;
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
        /** @return the verdicts alone, each with its state: "ahead (fast)", "level (slow) · ahead (fast)", "level (all rounds)" */
        String shortVerdict() {
            List<String> parts = new ArrayList<>();
            int[] all = new int[3];
            byState.forEach((state, c) -> {
                for (int i = 0; i < 3; i++) {
                    all[i] += c[i];
                }
                if (!state.equals("mixed") && !state.equals("changing") && !state.equals("unknown") && c[0] >= MIN_ROUNDS) {
                    parts.add(Verdicts.verdict(c[0], c[1], c[2]) + (state.equals("steady") ? "" : " (" + state + ")"));
                }
            });
            return parts.isEmpty() ? Verdicts.verdict(all[0], all[1], all[2]) + (all[0] >= MIN_ROUNDS ? " (all rounds)" : "")
                : String.join(" · ", parts);
        }

        /** @return "ahead in k of n" */
        String aheadIn() {
            return "ahead in " + ahead + " of " + rounds;
        }
    }

    /**
     * The states of a run, from its probes: the probes' logarithms clustered (k-means, k of 3, 2 or
     * 1, the most that keeps every two neighbouring centres {@value #STATE_GAP}× apart and every
     * state at least {@value #MIN_SHARE_PERCENT} % of the probes), each probe in the state of its
     * nearest centre. A probe taken while the machine changed state lands between centres and is
     * put with the nearer one. One state is {@code steady}; two are {@code slow} and {@code fast};
     * three {@code slow}, {@code middle} and {@code fast}.
     *
     * @param splits the probe values between states (geometric means of neighbouring centres), ascending
     */
    record States(List<Double> splits) {
        static States of(Collection<Pairs.Measured> all) {
            List<Double> logs = new ArrayList<>();
            for (Pairs.Measured m : all) {
                for (double p : new double[] {m.probeBefore(), m.probeAfter()}) {
                    if (p > 0) {
                        logs.add(Math.log(p));
                    }
                }
            }
            logs.sort(null);
            for (int k = 3; k > 1; k--) {
                double[] centres = kMeans(logs, k);
                if (centres != null) {
                    List<Double> splits = new ArrayList<>();
                    for (int i = 1; i < k; i++) {
                        splits.add(Math.exp((centres[i - 1] + centres[i]) / 2));
                    }
                    return new States(List.copyOf(splits));
                }
            }
            return new States(List.of());
        }

        /** @return {@code k} ascending centres of the sorted {@code logs}, or null when they are not states apart */
        private static double[] kMeans(List<Double> logs, int k) {
            if (logs.size() < 2 * k) {
                return null;
            }
            double[] centres = new double[k];
            for (int i = 0; i < k; i++) { // start at evenly spaced quantiles
                centres[i] = logs.get((int) ((i + 0.5) * logs.size() / k));
            }
            int[] sizes = new int[k];
            for (int iteration = 0; iteration < 100; iteration++) {
                double[] sums = new double[k];
                sizes = new int[k];
                for (double v : logs) {
                    int nearest = 0;
                    for (int i = 1; i < k; i++) {
                        if (Math.abs(v - centres[i]) < Math.abs(v - centres[nearest])) {
                            nearest = i;
                        }
                    }
                    sums[nearest] += v;
                    sizes[nearest]++;
                }
                boolean moved = false;
                for (int i = 0; i < k; i++) {
                    double next = sizes[i] == 0 ? centres[i] : sums[i] / sizes[i];
                    moved |= Math.abs(next - centres[i]) > 1e-9;
                    centres[i] = next;
                }
                if (!moved) {
                    break;
                }
            }
            // 1-D clusters are intervals: centres that start in order stay in order
            for (int i = 0; i < k; i++) {
                if (sizes[i] * 100 < MIN_SHARE_PERCENT * logs.size()
                    || i > 0 && centres[i] - centres[i - 1] < Math.log(STATE_GAP)) {
                    return null;
                }
            }
            return centres;
        }

        /** @return the name of state {@code index} (0 the slowest) */
        String name(int index) {
            return switch (splits.size()) {
                case 0 -> "steady";
                case 1 -> index == 0 ? "slow" : "fast";
                case 2 -> List.of("slow", "middle", "fast").get(index);
                default -> "state" + (index + 1);
            };
        }

        String of(double probe) {
            if (!(probe > 0)) {
                return "unknown";
            }
            int index = 0;
            while (index < splits.size() && probe >= splits.get(index)) {
                index++;
            }
            return name(index);
        }

        /** @return the states and their bounds, as the report states them */
        String describe() {
            if (splits.isEmpty()) {
                return "one (no two probes " + STATE_GAP + "× apart)";
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i <= splits.size(); i++) {
                String low = i == 0 ? null : ReportWriter.number(splits.get(i - 1));
                String high = i == splits.size() ? null : ReportWriter.number(splits.get(i));
                parts.add(name(i) + (low == null ? " below " + high : high == null ? " above " + low : " " + low + "–" + high));
            }
            return String.join(", ", parts);
        }

        String of(Pairs.Measured m) {
            String before = of(m.probeBefore());
            return before.equals(of(m.probeAfter())) ? before : "changing";
        }

        /** @return how many forks (and external runs) fell in each state: "slow 120, fast 80, changing 7" */
        String count(Collection<Pairs.Measured> all) {
            Map<String, Integer> forks = new TreeMap<>();
            Set<String> seen = new LinkedHashSet<>();
            for (Pairs.Measured m : all) {
                if (seen.add(m.round() + "/" + m.benchmark() + "/" + m.implementation())) {
                    forks.merge(of(m), 1, Integer::sum);
                }
            }
            List<String> parts = new ArrayList<>();
            forks.forEach((state, n) -> parts.add(state + " " + n));
            return String.join(", ", parts);
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
     * @return the verdict in each state with enough rounds ("ahead when fast (4 rounds) · level when
     *     slow (3 rounds) · 2 rounds mixed"); one steady state's alone ("ahead (7 rounds)"); with no
     *     state of enough rounds, all rounds together, said so ("level over all 7 rounds (states mixed)")
     */
    static String verdictText(Map<String, int[]> byState) {
        List<String> parts = new ArrayList<>();
        int[] all = new int[3];
        int left = 0;
        for (Map.Entry<String, int[]> s : byState.entrySet()) {
            int[] c = s.getValue();
            for (int i = 0; i < 3; i++) {
                all[i] += c[i];
            }
            boolean state = !s.getKey().equals("mixed") && !s.getKey().equals("changing") && !s.getKey().equals("unknown");
            if (state && c[0] >= MIN_ROUNDS) {
                parts.add(verdict(c[0], c[1], c[2]) + (s.getKey().equals("steady") ? "" : " when " + s.getKey()) + " ("
                    + c[0] + " rounds)");
            } else {
                left += c[0];
            }
        }
        if (parts.isEmpty()) {
            return all[0] < MIN_ROUNDS ? verdict(all[0], all[1], all[2])
                : verdict(all[0], all[1], all[2]) + " over all " + all[0] + " rounds (states mixed)";
        }
        return String.join(" · ", parts) + (left == 0 ? "" : " · " + left + (left == 1 ? " round" : " rounds")
            + " mixed or in another state");
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
