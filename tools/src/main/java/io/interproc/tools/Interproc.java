package io.interproc.tools;

import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionException;
import io.interproc.core.RegionInfo;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.pool.PoolDescriptor;
import io.interproc.queue.mpmc.MpmcQueue;
import io.interproc.queue.ring.MpscRing;
import io.interproc.queue.ring.SpscRing;
import io.interproc.sync.SharedBarrier;
import io.interproc.sync.SharedCountDownLatch;
import io.interproc.sync.SharedEvent;
import io.interproc.sync.SharedLock;
import io.interproc.sync.SharedReadWriteLock;
import io.interproc.sync.SharedSemaphore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code interproc} command for operators: {@code list}, {@code stat NAME}, {@code rm NAME},
 * {@code cleanup}, {@code demo}; {@code stat --watch} refreshes the state, with rates. Every command takes {@code --dir D} (default: the default region
 * directory) and {@code --help}. Exit status 0 on success, 1 on an error (said on standard error),
 * 2 on a usage error.
 */
public final class Interproc {
    static final String USAGE = """
        usage: interproc <command> [--dir D] [arguments]
          list              every region: name, type, size, creator pid (alive?), in use by a live process?
          stat NAME [--watch [--interval MS] [--count N]]
                            the region's header and its structure's state; --watch refreshes it
                            every second (or MS) until interrupted (or N times), with rates
          rm NAME           remove the region (processes that have it open keep using it)
          cleanup           remove every region no live process has open, and abandoned temporary files
          demo [SECONDS]    producer, consumer and lock-sharing JVMs, with live throughput and latency
          demo --pingpong [ROUNDS]  two JVMs sharing a region and waking each other
        options: --dir D (default %s), --help""";

    private Interproc() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        RegionDirectory directory = RegionDirectory.defaultDirectory();
        int dirAt = rest.indexOf("--dir");
        if (dirAt >= 0) {
            if (dirAt + 1 >= rest.size()) {
                err.println("interproc: --dir needs a directory");
                return 2;
            }
            directory = RegionDirectory.of(Path.of(rest.get(dirAt + 1)));
            rest.subList(dirAt, dirAt + 2).clear();
        }
        if (rest.isEmpty() || rest.contains("--help") || rest.contains("-h")) {
            (rest.isEmpty() ? err : out).println(USAGE.formatted(RegionDirectory.defaultDirectory().path()));
            return rest.isEmpty() ? 2 : 0;
        }
        String command = rest.remove(0);
        try {
            return switch (command) {
                case "list" -> list(directory, out);
                case "stat" -> stat(directory, rest, out);
                case "rm" -> rm(directory, one(rest, "rm"), out, err);
                case "cleanup" -> cleanup(directory, out);
                case "demo" -> {
                    if (!rest.isEmpty() && rest.get(0).equals("--pingpong")) {
                        Demo.run(rest.size() > 1 ? positive(rest.get(1), "ROUNDS") : 10_000, directory, out);
                    } else {
                        LiveDemo.run(rest.isEmpty() ? 5 : positive(rest.get(0), "SECONDS"), directory, out);
                    }
                    yield 0;
                }
                default -> {
                    err.println("interproc: unknown command '" + command + "'\n" + USAGE.formatted(directory.path()));
                    yield 2;
                }
            };
        } catch (UsageException e) {
            err.println("interproc " + command + ": " + e.getMessage());
            return 2;
        } catch (RegionException | IllegalArgumentException | IllegalStateException e) {
            err.println("interproc " + command + ": " + e.getMessage());
            return 1;
        }
    }

    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private static String one(List<String> rest, String command) {
        if (rest.size() != 1) {
            throw new UsageException("needs exactly one region name (interproc " + command + " NAME)");
        }
        return rest.get(0);
    }

    private static int list(RegionDirectory directory, PrintStream out) {
        out.printf(Locale.ROOT, "%-32s %-12s %12s %18s %7s%n", "NAME", "TYPE", "BYTES", "CREATOR", "IN USE");
        for (String name : directory.list()) {
            try {
                RegionInfo info = directory.describe(name);
                out.printf(Locale.ROOT, "%-32s %-12s %12d %18s %7s%n", name, info.typeName() + " v" + info.typeVersion(),
                    info.length(), info.creator().pid() + (info.creator().isAlive() ? " (alive)" : " (dead)"),
                    info.inUse() ? "yes" : "no");
            } catch (RegionException e) {
                out.printf(Locale.ROOT, "%-32s not a readable region: %s%n", name, e.getMessage());
            }
        }
        return 0;
    }

    private static int positive(String value, String what) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException(what + " must be a positive number, got '" + value + "'");
    }

    private static int stat(RegionDirectory directory, List<String> args, PrintStream out) throws InterruptedException {
        List<String> rest = new ArrayList<>(args);
        boolean watch = rest.remove("--watch");
        long interval = 1000;
        long count = Long.MAX_VALUE;
        int at = rest.indexOf("--interval");
        if (at >= 0) {
            interval = positive(at + 1 < rest.size() ? rest.get(at + 1) : "", "--interval MS");
            rest.subList(at, Math.min(at + 2, rest.size())).clear();
        }
        at = rest.indexOf("--count");
        if (at >= 0) {
            count = positive(at + 1 < rest.size() ? rest.get(at + 1) : "", "--count N");
            rest.subList(at, Math.min(at + 2, rest.size())).clear();
        }
        String name = one(rest, "stat");
        if (!watch) {
            printState(directory, name, out, null);
            return 0;
        }
        Rates rates = new Rates();
        for (long i = 0; i < count; i++) {
            if (i > 0) {
                Thread.sleep(interval);
            }
            if (System.console() != null && out == System.out) {
                out.print("\033[H\033[2J"); // home and clear, on a terminal only
            }
            out.println("interproc stat " + name + " --watch: " + Instant.now() + " (every " + interval + " ms; Ctrl-C ends)");
            printState(directory, name, out, rates);
            out.flush();
        }
        return 0;
    }

    /** Positions seen at the last refresh of {@code stat --watch}, to print rates. */
    private static final class Rates {
        private long at;
        private long[] values;

        /** @return "a/s, b/s" for the change of each value since the last call, or "" the first time */
        String update(long... now) {
            long time = System.nanoTime();
            String text = "";
            if (values != null && values.length == now.length && time > at) {
                StringBuilder b = new StringBuilder();
                double seconds = (time - at) / 1e9;
                for (int i = 0; i < now.length; i++) {
                    b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f/s", (now[i] - values[i]) / seconds));
                }
                text = b.toString();
            } else {
                text = "(from the next refresh)";
            }
            values = now;
            at = time;
            return text;
        }
    }

    private static String alive(long pid) {
        return pid == 0 ? "none" : "pid " + pid + (ProcessIdentity.of(pid).isPresent() ? " (alive)" : " (dead)");
    }

    private static void printState(RegionDirectory directory, String name, PrintStream out, Rates rates) {
        RegionInfo info = directory.describe(name);
        out.println("name:       " + name);
        out.println("file:       " + info.path());
        out.println("type:       " + info.typeName() + " (layout version " + info.typeVersion() + ")");
        out.println("bytes:      " + info.length());
        out.println("parameters: " + Arrays.toString(info.parameters()));
        out.println("creator:    pid " + info.creator().pid() + (info.creator().isAlive() ? " (alive)" : " (dead)")
            + ", created " + info.createdAt());
        out.println("in use:     " + (info.inUse() ? "yes" : "no"));
        switch (info.typeName()) {
            case "ring" -> {
                try (SpscRing ring = SpscRing.open(directory, name)) {
                    out.println("ring:       SPSC, capacity " + ring.capacity()
                        + ", max message " + ring.maxMessageLength());
                    out.println("positions:  producer " + ring.producerPosition() + ", consumer " + ring.consumerPosition()
                        + " (handed to its handler " + ring.handedPosition() + "), backlog " + ring.size() + " bytes");
                    long heartbeat = ring.consumerHeartbeat();
                    out.println("consumer:   " + (heartbeat == 0 ? "never read" : "last read " + Instant.ofEpochMilli(heartbeat)));
                    if (rates != null) {
                        out.println("rates:      " + rates.update(ring.producerPosition(), ring.consumerPosition())
                            + " (bytes produced, consumed)");
                    }
                }
            }
            case "mpsc-ring" -> {
                try (MpscRing ring = MpscRing.open(directory, name)) {
                    java.util.List<MpscRing.LaneInfo> lanes = ring.lanes();
                    out.println("mpsc ring:  lanes of " + ring.laneCapacity() + " bytes, max message " + ring.maxMessageLength()
                        + ", " + lanes.size() + " of " + ring.maxLanes() + " lanes taken");
                    for (MpscRing.LaneInfo lane : lanes) {
                        out.println("  lane " + lane.index() + ": producer pid " + lane.producerPid() + " (" + lane.state()
                            + "), backlog " + (lane.backlog() < 0 ? "unreadable" : lane.backlog() + " bytes"));
                    }
                }
            }
            case "mpmc-queue" -> {
                try (MpmcQueue queue = MpmcQueue.open(directory, name)) {
                    out.println("queue:      " + queue.size() + " of " + queue.capacity() + " slots used; abandoned "
                        + queue.abandonedEnqueues() + " enqueues, " + queue.abandonedDequeues() + " dequeues");
                    out.println("positions:  producer " + queue.producerPosition() + ", consumer " + queue.consumerPosition());
                    if (rates != null) {
                        out.println("rates:      " + rates.update(queue.producerPosition(), queue.consumerPosition())
                            + " (messages put, taken)");
                    }
                }
            }
            case "lock" -> {
                try (SharedLock lock = SharedLock.open(directory, name)) {
                    long pid = lock.ownerPid();
                    out.println("owner:      " + (pid == 0 ? "none (free)" : "pid " + pid
                        + (ProcessIdentity.of(pid).isPresent() ? " (alive)" : " (dead: the next locker recovers it)")));
                    out.println("waiters:    " + lock.sleepingWaiters() + " asleep");
                    out.println("recoveries: " + lock.recoveries());
                }
            }
            case "rwlock" -> {
                try (SharedReadWriteLock lock = SharedReadWriteLock.open(directory, name)) {
                    out.println("state:      " + (lock.isWriteLocked() ? "write-locked" : lock.getReadLockCount() + " read holds")
                        + ", recoveries " + lock.recoveries());
                    out.println("waiters:    " + lock.sleepingWaiters() + " asleep");
                }
            }
            case "semaphore" -> {
                try (SharedSemaphore semaphore = SharedSemaphore.open(directory, name)) {
                    out.println("permits:    " + semaphore.availablePermits() + " available; " + semaphore.recoveredPermits()
                        + " recovered from dead holders");
                    out.println("waiters:    " + semaphore.sleepingWaiters() + " asleep");
                }
            }
            case "event" -> {
                try (SharedEvent event = SharedEvent.open(directory, name)) {
                    out.println("event:      " + (event.isSet() ? "set" : "clear"));
                    out.println("waiters:    " + event.sleepingWaiters() + " asleep");
                }
            }
            case "latch" -> {
                try (SharedCountDownLatch latch = SharedCountDownLatch.open(directory, name)) {
                    out.println("count:      " + latch.getCount());
                }
            }
            case "barrier" -> {
                try (SharedBarrier barrier = SharedBarrier.open(directory, name)) {
                    out.println("barrier:    " + barrier.getNumberWaiting() + " of " + barrier.getParties() + " waiting"
                        + (barrier.isBroken() ? ", broken" : ""));
                }
            }
            case "pool" -> {
                try (Region pool = directory.open(name, PoolDescriptor.TYPE)) {
                    PoolDescriptor.check(pool);
                    MemoryAccess m = pool.memory();
                    out.println("pool:       " + alive(m.getLongVolatile(PoolDescriptor.POOL_PID_OFFSET)) + ", "
                        + PoolDescriptor.stateName(m.getLongVolatile(PoolDescriptor.STATE_OFFSET)));
                    long submitted = m.getLongVolatile(PoolDescriptor.SUBMITTED_OFFSET);
                    long completed = m.getLongVolatile(PoolDescriptor.COMPLETED_OFFSET);
                    long failed = m.getLongVolatile(PoolDescriptor.FAILED_OFFSET);
                    out.println("tasks:      " + submitted + " submitted, " + completed + " completed, " + failed
                        + " failed; " + m.getLongVolatile(PoolDescriptor.LAUNCHED_OFFSET) + " workers launched");
                    if (rates != null) {
                        out.println("rates:      " + rates.update(submitted, completed) + " (submitted, completed)");
                    }
                    for (int i = 0; i < pool.parameter(0); i++) {
                        long slot = PoolDescriptor.slot(i);
                        long running = m.getLongVolatile(slot + PoolDescriptor.RUNNING_TASK);
                        out.println(String.format(Locale.ROOT, "worker %-3d  %s, %s, %d tasks done", i,
                            alive(m.getLongVolatile(slot + PoolDescriptor.WORKER_PID)),
                            running == 0 ? "idle" : "running task " + (running - 1),
                            m.getLongVolatile(slot + PoolDescriptor.TASKS_DONE)));
                    }
                }
            }
            default -> out.println("state:      (no detail for this type)");
        }
    }

    private static int rm(RegionDirectory directory, String name, PrintStream out, PrintStream err) {
        directory.describe(name); // says clearly when it is missing or not a region
        if (!directory.unlink(name)) {
            err.println("interproc rm: no region '" + name + "' in " + directory.path());
            return 1;
        }
        out.println("removed " + name);
        return 0;
    }

    private static int cleanup(RegionDirectory directory, PrintStream out) {
        int removed = 0;
        for (String name : directory.list()) {
            if (directory.unlinkIfUnused(name)) {
                out.println("removed " + name);
                removed++;
            } else {
                out.println("kept    " + name + " (in use)");
            }
        }
        int temporaries = directory.removeAbandonedTemporaries();
        out.println(removed + " regions and " + temporaries + " abandoned temporary files removed");
        return 0;
    }
}
