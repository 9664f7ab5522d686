package io.interproc.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code bin/bench}'s JMH entry: JMH's own command line, with the quick profile's defaults where the
 * command line says nothing: 2 warm-up and 3 measured iterations of 1 s, and without a benchmark
 * regex every benchmark but the single-thread micro-benchmarks ({@value #MICRO}, run when named).
 * About 5 minutes on 2 cores; {@code --full} and explicit {@code -wi}/{@code -i} take precedence.
 */
public final class BenchMain {
    /** Benchmarks the quick run leaves out unless a regex names them: one thread, no second process. */
    static final String MICRO = "SingleThreadRing";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions command = new CommandLineOptions(args);
        if (command.shouldHelp() || command.shouldList() || command.shouldListWithParams() || command.shouldListProfilers()
            || command.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(command);
        if (command.getIncludes().isEmpty()) {
            options.exclude(MICRO);
        }
        if (!command.getWarmupIterations().hasValue()) {
            options.warmupIterations(2);
        }
        if (!command.getMeasurementIterations().hasValue()) {
            options.measurementIterations(3);
        }
        new Runner(options.build()).run();
    }
}
