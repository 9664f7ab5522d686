package io.interproc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
    @Test
    void shouldTurnJmhCsvIntoRowsAndRatios() {
        List<String> csv = List.of(
            "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\",\"Param: impl\",\"Param: length\"",
            "\"io.interproc.bench.SpscThroughputBenchmark.offer\",\"thrpt\",1,5,20000000.0,1.0,\"ops/s\",interproc,64",
            "\"io.interproc.bench.SpscThroughputBenchmark.offer\",\"thrpt\",1,5,10000000.0,1.0,\"ops/s\",agrona,64",
            "\"io.interproc.bench.RoundTripBenchmark.roundTrip:p0.50\",\"sample\",1,1,230.0,NaN,\"ns/op\",interproc,64",
            // what profilers given to bin/bench add: a text-only result (skipped) and a metric (kept under its name)
            "\"io.interproc.bench.SpscThroughputBenchmark.offer:asm\",\"thrpt\",1,1,NaN,NaN,\"---\",interproc,64",
            "\"io.interproc.bench.SpscThroughputBenchmark.offer:gc.alloc.rate\",\"thrpt\",1,5,0.5,0.1,\"MB/sec\",interproc,64");
        List<BenchReport.Row> rows = BenchReport.parse(csv);
        assertEquals(new BenchReport.Row("SpscThroughput 64 B", "interproc", "gc.alloc.rate", "MB/sec", 0.5), rows.get(5));
        assertEquals(6, rows.size());
        assertEquals(new BenchReport.Row("SpscThroughput 64 B", "interproc", "throughput", "ops/s", 2e7), rows.get(0));
        assertEquals(new BenchReport.Row("SpscThroughput 64 B", "interproc", "bytes", "B/s", 1.28e9), rows.get(1));
        assertEquals(new BenchReport.Row("RoundTrip 64 B", "interproc", "median", "ns/op", 230), rows.get(4));
        List<BenchReport.Row> blocked = BenchReport.parseResults(List.of("BlockedCpu 1 s,SharedLock.tryLock,cpu,% of a core,0.760"));
        assertEquals(List.of(new BenchReport.Row("BlockedCpu 1 s", "SharedLock.tryLock", "cpu", "% of a core", 0.76)), blocked);
        assertTrue(BenchReport.report(blocked, "").contains("## BlockedCpu 1 s — cpu (% of a core)"));
        String report = BenchReport.report(rows, "cpu: test\npinned cpus: none");
        // one unit for the table, interproc's lead over each row
        assertTrue(report.contains("| implementation | M msg/s | GB/s | interproc × |"), report);
        assertTrue(report.contains("| agrona | 10.0 | 0.640 | 2.00 |"), report);
        assertTrue(report.contains("cpu: test"), report);
        assertTrue(report.contains("**Caveat**: unpinned") && report.contains("**Caveat**: one short fork"), report);
    }

    @Test
    void shouldKeepRunsOfAnotherParameterApart() {
        String header = "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\","
            + "\"Param: impl\",\"Param: length\",\"Param: producerWait\",\"Param: work\"";
        String mpsc = "\"io.interproc.bench.MpscThroughputBenchmark.consume\",\"thrpt\",1,3,";
        List<BenchReport.Row> rows = BenchReport.parse(List.of(header,
            mpsc + "30000000.0,1.0,\"ops/s\",interproc-mpsc,64,yield,0",
            mpsc + "60000000.0,1.0,\"ops/s\",agrona-mpsc,64,yield,0",
            mpsc + "20000000.0,1.0,\"ops/s\",interproc-mpsc,64,spin,0",
            mpsc + "10000000.0,1.0,\"ops/s\",agrona-mpsc,64,spin,0"));
        // producerWait varies, so it names the benchmark; work does not, so it stays out of the name
        assertEquals(new BenchReport.Row("MpscThroughput 64 B, producerWait=yield", "agrona-mpsc", "throughput", "ops/s", 6e7),
            rows.get(2));
        assertEquals(new BenchReport.Row("MpscThroughput 64 B, producerWait=spin", "interproc-mpsc", "throughput", "ops/s", 2e7),
            rows.get(4));
        String report = BenchReport.report(rows, "");
        assertTrue(report.contains("## MpscThroughput 64 B, producerWait=yield — throughput"), report);
        assertTrue(report.contains("| agrona-mpsc | 60.0 | 3.84 | 0.500 |"), report);
        assertTrue(report.contains("| agrona-mpsc | 10.0 | 0.640 | 2.00 |"), report);
        // a benchmark named with a comma survives results.csv
        assertEquals(rows.subList(2, 3), BenchReport.parseResults(List.of(BenchReport.csvLine(rows.get(2)).strip())));
    }

    @Test
    void shouldNamePercentilesAndDrawThroughputBarsAndLatencyCurves(@TempDir Path dir) throws Exception {
        assertEquals("median", BenchReport.percentileMetric(0.5));
        assertEquals("p99.9", BenchReport.percentileMetric(0.999));
        assertEquals("p99.99", BenchReport.percentileMetric(0.9999));
        assertEquals(0.999, BenchReport.percentileOf("p99.9"), 1e-12);
        List<String> csv = new ArrayList<>(List.of(
            "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\",\"Param: impl\",\"Param: length\"",
            "\"io.interproc.bench.SpscThroughputBenchmark.offer\",\"thrpt\",1,5,20000000.0,1.0,\"ops/s\",interproc,64",
            "\"io.interproc.bench.SpscThroughputBenchmark.offer\",\"thrpt\",1,5,10000000.0,1.0,\"ops/s\",agrona,64"));
        for (String impl : List.of("interproc", "agrona")) {
            double scale = impl.equals("interproc") ? 1 : 3;
            for (String p : List.of("0.00", "0.50", "0.90", "0.99", "0.999", "0.9999", "1.00")) {
                csv.add("\"io.interproc.bench.RoundTripBenchmark.roundTrip:p" + p + "\",\"sample\",1,1,"
                    + (scale * 200 * (1 + 10 * Double.parseDouble(p))) + ",NaN,\"ns/op\"," + impl + ",64");
            }
        }
        List<BenchReport.Row> rows = BenchReport.parse(csv);
        assertTrue(rows.contains(new BenchReport.Row("RoundTrip 64 B", "agrona", "p99.99", "ns/op", 3 * 200 * (1 + 10 * 0.9999))));
        String report = BenchReport.report(rows, "");
        String floors = BenchReport.report(List.of(new BenchReport.Row("SyncRoundTrip", "floor-futex", "median", "ns/op", 40_000),
            new BenchReport.Row("SyncRoundTrip", "interproc-event", "median", "ns/op", 30_000),
            new BenchReport.Row("SyncRoundTrip", "python-event", "median", "ns/op", 120_000)), "");
        // µs for the table, each row's multiple of the floor, the peer against interproc's event
        assertTrue(floors.contains("## SyncRoundTrip — latency (µs)") && floors.contains("| median | × floor | interproc × |")
            && floors.contains("| interproc-event | 30.0 | 0.750 |  |") && floors.contains("| python-event | 120 | 3.00 | 4.00 |"),
            floors);
        assertTrue(report.contains("## RoundTrip 64 B — latency (ns)") && report.contains("| median | p99 | p99.9 |")
            && !report.contains("p99.99"), report);
        assertTrue(report.contains("| agrona | 3,600 | 6,540 | 6,594 | 3.00 |"), report);
        Map<String, String> plots = BenchReport.plot(rows, dir);
        assertEquals(Set.of("throughput-spscthroughput-64-b-ops-s.png", "latency-roundtrip-64-b-ns-op.png"), plots.keySet());
        for (String file : plots.keySet()) {
            BufferedImage image = ImageIO.read(dir.resolve(file).toFile());
            assertEquals(Plots.WIDTH, image.getWidth());
            assertTrue(countColor(image, 0x1f77b4) > 50, file + " draws interproc in its color");
        }
        assertTrue(countColor(ImageIO.read(dir.resolve("latency-roundtrip-64-b-ns-op.png").toFile()), 0xff7f0e) > 50,
            "the second implementation's curve");
    }

    private static int countColor(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
