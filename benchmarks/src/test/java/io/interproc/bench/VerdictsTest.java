package io.interproc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerdictsTest {
    private static final String B = "SpscThroughput 64 B";

    /** A fork of {@code impl} in {@code round} at {@code value} msg/s, the machine's probe at {@code probe} both sides. */
    private static Pairs.Measured fork(int round, String impl, double value, double probe) {
        return new Pairs.Measured(round, B, impl, "throughput", "ops/s", value, probe, probe);
    }

    @Test
    void shouldApplyTheRuleOfThreeQuarters() {
        assertEquals("ahead", Verdicts.verdict(7, 6, 1));
        assertEquals("ahead", Verdicts.verdict(4, 3, 0));
        assertEquals("level", Verdicts.verdict(7, 5, 2));
        assertEquals("behind", Verdicts.verdict(7, 0, 6));
        assertEquals("no verdict (2 rounds)", Verdicts.verdict(2, 2, 0));
    }

    @Test
    void shouldGiveVerdictsWithinTheMachinesStatesNotAcrossThem() {
        // The case: both sides at ~4.2 M in the slow state, 14-19 M in the fast one; raw pairs
        // say behind, behind, ahead. Within states: level when slow, ahead (about 1.3x) when fast.
        List<Pairs.Measured> all = new ArrayList<>();
        double[][] rounds = { // interproc, agrona, probe
            {4.2e6, 4.25e6, 8e6}, {4.3e6, 4.2e6, 8e6}, {4.2e6, 4.2e6, 8.2e6},
            {18.6e6, 14.2e6, 30e6}, {19.0e6, 14.8e6, 31e6}, {18.1e6, 13.8e6, 29e6}, {18.9e6, 14.1e6, 30e6}};
        for (int r = 0; r < rounds.length; r++) {
            all.add(fork(r + 1, "interproc", rounds[r][0], rounds[r][2]));
            all.add(fork(r + 1, "agrona", rounds[r][1], rounds[r][2]));
        }
        // a round whose forks ran in different states counts in neither
        all.add(fork(8, "interproc", 18e6, 30e6));
        all.add(fork(8, "agrona", 4.2e6, 8e6));
        Verdicts.States states = Verdicts.States.of(all);
        assertEquals("fast", states.of(30e6));
        assertEquals("slow", states.of(8e6));
        List<Verdicts.Verdict> verdicts = Verdicts.of(all);
        assertEquals(1, verdicts.size());
        Verdicts.Verdict v = verdicts.get(0);
        assertEquals("agrona", v.peer());
        assertEquals("interproc", v.reference());
        assertEquals(8, v.rounds());
        assertEquals("ahead when fast (4 rounds) · level when slow (3 rounds) · 1 round mixed or in another state", v.verdict());
        assertEquals(4, v.byState().get("fast")[0]);
        assertTrue(v.leadMax() > 4 && v.leadMin() < 1, "range over every round: " + v.leadMin() + ".." + v.leadMax());
    }

    @Test
    void shouldTellThreeStatesApartAndDescribeTheirBounds() {
        // Seen on a 2-vCPU Firecracker VM: the C ring at about 7 M, 32 M and 100 M msg/s, minutes apart.
        List<Pairs.Measured> all = new ArrayList<>();
        double[] probes = {7.0e6, 7.3e6, 31e6, 33e6, 99e6, 103e6};
        for (int i = 0; i < probes.length; i++) {
            all.add(fork(i + 1, "interproc", 1e6, probes[i]));
        }
        Verdicts.States states = Verdicts.States.of(all);
        assertEquals(List.of("slow", "middle", "fast"), List.of(states.of(7.1e6), states.of(32e6), states.of(101e6)));
        assertEquals("changing", states.of(new Pairs.Measured(1, B, "x", "throughput", "ops/s", 1, 7e6, 100e6)));
        // bounds halfway (in logarithm) between the states' centres
        double slow = Math.sqrt(7.0e6 * 7.3e6);
        double middle = Math.sqrt(31e6 * 33e6);
        double fast = Math.sqrt(99e6 * 103e6);
        String low = ReportWriter.number(Math.sqrt(slow * middle));
        String high = ReportWriter.number(Math.sqrt(middle * fast));
        assertEquals("slow below " + low + ", middle " + low + "–" + high + ", fast above " + high, states.describe());
        // a probe taken while the machine changed state goes with the nearer state, not a state of its own
        all.add(fork(7, "interproc", 1e6, 14e6));
        assertEquals(3, Verdicts.States.of(all).splits().size() + 1);
        assertEquals("slow", Verdicts.States.of(all).of(14e6));
    }

    @Test
    void shouldCallASteadyMachineOneStateAndCompareTimesTheOtherWayRound() {
        List<Pairs.Measured> all = new ArrayList<>();
        for (int r = 1; r <= 5; r++) {
            all.add(new Pairs.Measured(r, "RoundTrip 64 B", "interproc", "median", "ns/op", 200, 30e6 + r, 30e6));
            all.add(new Pairs.Measured(r, "RoundTrip 64 B", "python-queue", "median", "ns/op", 85_000, 30e6, 30e6 - r));
            all.add(new Pairs.Measured(r, "RoundTrip 64 B", "floor-spin", "median", "ns/op", 150, 30e6, 30e6));
        }
        List<Verdicts.Verdict> verdicts = Verdicts.of(all);
        assertEquals(1, verdicts.size(), "floors get no verdict");
        assertEquals("ahead (5 rounds)", verdicts.get(0).verdict());
        assertEquals("level over all 7 rounds (states mixed)", Verdicts.verdictText(java.util.Map.of("mixed", new int[] {7, 5, 2})));
        assertEquals(425, verdicts.get(0).leadMedian(), 1e-9);
        assertEquals("ahead in 5 of 5", verdicts.get(0).aheadIn());
    }

    @Test
    void shouldCompareSyncPeersWithTheirOwnInterprocPrimitive() {
        List<String> impls = List.of("floor-futex", "interproc-lock", "filelock", "interproc-event", "python-event");
        assertEquals("interproc-lock", Verdicts.reference("filelock", impls));
        assertEquals("interproc-event", Verdicts.reference("python-event", impls));
        assertEquals("interproc", Verdicts.reference("agrona", List.of("agrona", "interproc", "interproc-blocking")));
    }

    @Test
    void shouldWriteVerdictsIntoTheReportResultsAndReadmeTable(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder(Pairs.HEADER);
        for (int r = 1; r <= 3; r++) {
            csv.append(fork(r, "interproc", 18e6 + r, 30e6).csv()).append(fork(r, "agrona", 14e6, 30e6).csv())
                .append(fork(r, "floor-c-ring", 30e6, 30e6).csv());
        }
        Files.writeString(dir.resolve("pairs.csv"), csv);
        Files.writeString(dir.resolve("machine.txt"), "date: 2026-12-06\ncpu: test (2 cores)\ncommand: bin/bench --pairs 3\n"
            + "kernel: Linux\npinned cpus: 0,1\n");
        BenchReport.main(new String[] {"-", dir.toString()});
        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.indexOf("## Verdicts (3 rounds)") < report.indexOf("## " + B), report);
        assertTrue(report.contains("| " + B + " | agrona | 18.0 M msg/s | 14.0 M msg/s | 1.29× (1.29–1.29) | ahead in 3 of 3 | **ahead (3 rounds)** |"),
            report);
        assertTrue(report.contains("| interproc | 18.0<br>18.0–18.0 | 60 % |  |"), report);
        assertTrue(Files.readString(dir.resolve("results.csv")).contains(B + ",agrona,throughput,ops/s,14000000.000,ahead (3 rounds)"));
        String table = Files.readString(dir.resolve("readme-table.md"));
        assertTrue(table.contains("`bin/bench --pairs 3`, 2026-12-06, test (2 cores)"), table);
        assertTrue(table.contains("| " + B + " | 18.0 M msg/s | 1.29× ahead |  |  |  |  |  | 60 % of C ring |"), table);
        String readme = "# x\n\n" + ReadmeTable.BEGIN + "\nold\n" + ReadmeTable.END + "\nrest\n";
        String spliced = ReadmeTable.splice(readme, table);
        assertTrue(spliced.startsWith("# x\n\n" + ReadmeTable.BEGIN + "\n`bin/bench") && spliced.endsWith(ReadmeTable.END + "\nrest\n")
            && !spliced.contains("old"), spliced);
        assertThrows(IllegalArgumentException.class, () -> ReadmeTable.splice("# no markers\n", table));
    }
}
