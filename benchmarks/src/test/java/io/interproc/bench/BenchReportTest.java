package io.interproc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    @Test
    void shouldTurnJmhCsvIntoRowsAndRatios() {
        List<String> csv = List.of(
            "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\",\"Param: impl\",\"Param: length\"",
            "\"io.interproc.bench.SpscThroughputBenchmark.offer\",\"thrpt\",1,5,20000000.0,1.0,\"ops/s\",interproc,64",
            "\"io.interproc.bench.SpscThroughputBenchmark.offer\",\"thrpt\",1,5,10000000.0,1.0,\"ops/s\",agrona,64",
            "\"io.interproc.bench.RoundTripBenchmark.roundTrip:p0.50\",\"sample\",1,1,230.0,NaN,\"ns/op\",interproc,64");
        List<BenchReport.Row> rows = BenchReport.parse(csv);
        assertEquals(new BenchReport.Row("SpscThroughput 64 B", "interproc", "throughput", "ops/s", 2e7), rows.get(0));
        assertEquals(new BenchReport.Row("SpscThroughput 64 B", "interproc", "bytes", "B/s", 1.28e9), rows.get(1));
        assertEquals(new BenchReport.Row("RoundTrip 64 B", "interproc", "median", "ns/op", 230), rows.get(4));
        String report = BenchReport.report(rows, "cpu: test");
        assertTrue(report.contains("| agrona | 10.00 M | 0.50 |"), report);
        assertTrue(report.contains("cpu: test"), report);
    }
}
