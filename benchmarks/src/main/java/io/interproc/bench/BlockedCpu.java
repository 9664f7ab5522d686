package io.interproc.bench;

import io.interproc.core.RegionDirectory;
import io.interproc.queue.ring.RingOptions;
import io.interproc.queue.ring.SpscRing;
import io.interproc.sync.SharedEvent;
import io.interproc.sync.SharedLock;
import io.interproc.sync.SharedSemaphore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * CPU burned by a thread blocked for {@code seconds} (default 1) in each blocking call, with the
 * default wait strategy (spin, yield, then sleep in the kernel): the thread's CPU time over the
 * wall time, for each call first in a fresh JVM and then warm. Run with {@code bin/blocked-cpu [seconds]}; {@code bin/bench} runs it after JMH with
 * {@code --csv FILE}, which writes the rows for the suite's results.
 */
public final class BlockedCpu {
    private BlockedCpu() {
    }

    @FunctionalInterface
    interface Blocking {
        void block(long seconds) throws Exception;
    }

    /** Rows for the suite's results.csv, when {@code --csv FILE} is given. */
    private static final StringBuilder CSV = new StringBuilder();

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 && !args[0].startsWith("--") ? Long.parseLong(args[0]) : 1;
        int csvAt = java.util.Arrays.asList(args).indexOf("--csv");
        Path dir = BenchPeer.tempDirectory();
        RegionDirectory directory = RegionDirectory.of(dir);
        try (SharedLock lock = SharedLock.create(directory, "lock", false);
             SharedSemaphore semaphore = SharedSemaphore.create(directory, "semaphore", 0, false);
             SharedEvent event = SharedEvent.create(directory, "event");
             SpscRing ring = SpscRing.create(directory, "ring", RingOptions.of(1024, 64))) {
            lock.lock();
            System.out.printf(Locale.ROOT, "CPU of a thread blocked %d s (share of one core):%n", seconds);
            // Each twice: the first call in this JVM runs the wait loop interpreted (JIT warm-up); the second is
            // what a long-running process pays.
            for (String pass : new String[] {"first call", "warm"}) {
                report("SharedLock.tryLock", pass, s -> lock.tryLock(s, TimeUnit.SECONDS), seconds);
                report("SharedSemaphore.tryAcquire", pass, s -> semaphore.tryAcquire(1, s, TimeUnit.SECONDS), seconds);
                report("SharedEvent.await", pass, s -> event.await(s, TimeUnit.SECONDS), seconds);
                report("SpscRing.take", pass, s -> ring.take((t, b, o, l) -> { }, s, TimeUnit.SECONDS), seconds);
            }
            lock.unlock();
        } finally {
            BenchPeer.delete(dir);
        }
        if (csvAt >= 0) {
            java.nio.file.Files.writeString(Path.of(args[csvAt + 1]), CSV);
        }
    }

    private static void report(String call, String pass, Blocking blocking, long seconds) throws Exception {
        report(call + " (" + pass + ")", blocking, seconds);
    }

    private static void report(String what, Blocking call, long seconds) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CompletableFuture<long[]> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                long cpu = threads.getCurrentThreadCpuTime();
                long wall = System.nanoTime();
                call.block(seconds);
                result.complete(new long[] {threads.getCurrentThreadCpuTime() - cpu, System.nanoTime() - wall});
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        long[] cpuWall = result.get(seconds + 60, TimeUnit.SECONDS);
        double percent = 100.0 * cpuWall[0] / cpuWall[1];
        System.out.printf(Locale.ROOT, "  %-40s %.3f %% (%.2f ms CPU in %.2f s)%n", what, percent, cpuWall[0] / 1e6,
            cpuWall[1] / 1e9);
        CSV.append(String.format(Locale.ROOT, "BlockedCpu %d s,%s,cpu,%% of a core,%.3f%n", seconds, what, percent));
    }
}
