package io.interproc.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionHeader;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import io.interproc.pool.Codec;
import io.interproc.pool.ProcessPool;
import io.interproc.pool.Task;
import io.interproc.queue.ring.MpscRing;
import io.interproc.queue.ring.RingOptions;
import io.interproc.queue.ring.SpscRing;
import io.interproc.sync.SharedLock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The interproc command against regions made and held by another JVM. */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(120)
class InterprocTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** Creates a ring (with one message) and a lock it holds, plus an unused lock; then waits to be killed. */
    public static final class Owner implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            SpscRing ring = SpscRing.create(directory, "orders", RingOptions.of(4096, 128));
            ring.offer(1, new byte[40]);
            MpscRing events = MpscRing.create(directory, "events", RingOptions.of(4096, 128).withMaxLanes(4));
            events.attach().offer(1, new byte[8]);
            SharedLock lock = SharedLock.create(directory, "accounts", false);
            lock.lock();
            SharedLock.create(directory, "spare", false).close();
            System.out.println("READY");
            new CountDownLatch(1).await();
        }
    }

    private record Result(int status, String out, String err) {
    }

    private Result run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--dir";
        all[args.length + 1] = dir.toString();
        int status = Interproc.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldListStatRemoveAndCleanUpRegionsOfAnotherJvm() throws Exception {
        try (ChildJvm owner = ChildJvm.builder(Owner.class).args(dir.toString()).captureOutput().start()) {
            assertTrue(owner.awaitOutput("READY", Duration.ofSeconds(60)), owner.output());
            Result list = run("list");
            assertEquals(0, list.status(), list.err());
            assertTrue(list.out().contains("orders") && list.out().contains("ring v2"), list.out());
            assertTrue(list.out().contains(owner.pid() + " (alive)"), list.out());
            assertTrue(list.out().lines().filter(l -> l.startsWith("accounts")).allMatch(l -> l.endsWith("yes")), list.out());
            assertTrue(list.out().lines().filter(l -> l.startsWith("spare")).allMatch(l -> l.endsWith("no")), list.out());

            Result ring = run("stat", "orders");
            assertEquals(0, ring.status(), ring.err());
            assertTrue(ring.out().contains("SPSC, capacity 4096") && ring.out().contains("backlog 48 bytes"), ring.out());
            Result events = run("stat", "events");
            assertTrue(events.out().contains("1 of 4 lanes taken") && events.out().contains("lane 0: producer pid "
                + owner.pid() + " (active), backlog 16 bytes"), events.out());
            Result lock = run("stat", "accounts");
            assertTrue(lock.out().contains("owner:      pid " + owner.pid() + " (alive)"), lock.out());

            Result cleanup = run("cleanup");
            assertTrue(cleanup.out().contains("removed spare") && cleanup.out().contains("kept    orders (in use)"),
                cleanup.out());
            owner.kill();
            assertTrue(owner.join(Duration.ofSeconds(60)));
            Result dead = run("stat", "accounts");
            assertTrue(dead.out().contains("(dead: the next locker recovers it)"), dead.out());
            Result rm = run("rm", "orders");
            assertEquals(0, rm.status(), rm.err());
            assertFalse(Files.exists(dir.resolve("orders")));
            Result after = run("cleanup");
            assertTrue(after.out().contains("removed accounts"), after.out());
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count());
            }
        }
    }

    @Test
    void shouldExplainUnknownNamesForeignFilesNewerLayoutsAndBadUsage() throws Exception {
        Result missing = run("stat", "nope");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("'nope'") && missing.err().contains("does not exist"), missing.err());
        Files.writeString(dir.resolve("notes.txt"), "not a region at all, just some text to fill a header.".repeat(10));
        Result foreign = run("stat", "notes.txt");
        assertEquals(1, foreign.status());
        assertTrue(foreign.err().contains("not an interproc region"), foreign.err());
        assertTrue(run("list").out().contains("notes.txt") && run("list").out().contains("not a readable region"));
        SharedLock.create(RegionDirectory.of(dir), "newer", false).close();
        try (FileChannel channel = FileChannel.open(dir.resolve("newer"), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 9), RegionHeader.LAYOUT_VERSION_OFFSET);
        }
        Result newer = run("stat", "newer");
        assertEquals(1, newer.status());
        assertTrue(newer.err().contains("newer interproc"), newer.err());
        assertEquals(2, run("stat").status());
        assertEquals(2, run("frobnicate").status());
        Result help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("cleanup"), help.out());
        try (var r = RegionDirectory.of(dir).create("broken-pool", new io.interproc.core.RegionSpec(
            io.interproc.pool.PoolDescriptor.TYPE, 64, 1000, 65536), x -> { })) {
            Result pool = run("stat", "broken-pool");
            assertEquals(1, pool.status(), pool.out());
            assertTrue(pool.err().contains("pool 'broken-pool' is corrupt: 1000 workers"), pool.err());
        }
        Result hostile = run("rm", "../x");
        assertEquals(1, hostile.status());
        assertTrue(hostile.err().contains("region name"), hostile.err());
    }

    /** Opens lock "accounts" and waits for it (asleep) on two threads; prints WAITING once both sleep. */
    public static final class Waiter implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            SharedLock lock = SharedLock.open(RegionDirectory.of(Path.of(args[0])), "accounts");
            for (int i = 0; i < 2; i++) {
                Thread.ofPlatform().daemon().start(lock::lock);
            }
            while (lock.sleepingWaiters() < 2) {
                Thread.sleep(10);
            }
            System.out.println("WAITING");
            new CountDownLatch(1).await();
        }
    }

    @Test
    void shouldShowLockWaitersAndWatchRingRates() throws Exception {
        try (ChildJvm owner = ChildJvm.builder(Owner.class).args(dir.toString()).captureOutput().start()) {
            assertTrue(owner.awaitOutput("READY", Duration.ofSeconds(60)), owner.output());
            try (ChildJvm waiter = ChildJvm.builder(Waiter.class).args(dir.toString()).captureOutput().start()) {
                assertTrue(waiter.awaitOutput("WAITING", Duration.ofSeconds(60)), waiter.output());
                Result lock = run("stat", "accounts");
                assertTrue(lock.out().contains("waiters:    2 asleep"), lock.out());
                waiter.kill();
            }
            try (SpscRing ring = SpscRing.open(RegionDirectory.of(dir), "orders")) {
                ring.read((t, b, o, l) -> { }, 10);
            }
            Result watch = run("stat", "orders", "--watch", "--interval", "100", "--count", "3");
            assertEquals(0, watch.status(), watch.err());
            assertEquals(3, watch.out().lines().filter(l -> l.startsWith("interproc stat orders --watch")).count(),
                watch.out());
            assertEquals(2, watch.out().lines().filter(l -> l.matches("rates: +0/s, 0/s \\(bytes produced, consumed\\)")).count(),
                watch.out());
            assertEquals(2, run("stat", "orders", "--watch", "--count", "zero").status());
        }
    }

    @Test
    void shouldStatAProcessPoolAndItsWorkers() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).directory(RegionDirectory.of(dir)).name("crunch")
            .jvmOptions("-Xmx64m").start()) {
            assertEquals(List.of(16L, 25L), pool.map(Square.class, List.of(4L, 5L), Codec.LONG, Codec.LONG));
            // Both workers have started once each shows its pid (the JVMs start in the background),
            // and are idle once each has recorded its task done (just after the pool saw the result).
            assertTrue(Poll.until(() -> pool.workers().stream().allMatch(w -> statOf("crunch").contains(
                "worker " + w.index() + "    pid " + w.pid() + " (alive), idle")), Duration.ofSeconds(60)), statOf("crunch"));
            Result stat = run("stat", "crunch");
            assertEquals(0, stat.status(), stat.err());
            assertTrue(stat.out().contains("pool:       pid " + ProcessHandle.current().pid() + " (alive), running"),
                stat.out());
            assertTrue(stat.out().contains("tasks:      2 submitted, 2 completed, 0 failed; 2 workers launched"), stat.out());
            for (ProcessPool.WorkerInfo worker : pool.workers()) {
                assertTrue(stat.out().contains("worker " + worker.index() + "    pid " + worker.pid() + " (alive), idle"),
                    stat.out());
            }
            assertTrue(run("list").out().contains("crunch-tasks"));
        }
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    private String statOf(String name) {
        try {
            return run("stat", name).out();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Squares a long, in a pool worker. */
    public static final class Square implements Task {
        @Override
        public byte[] apply(byte[] input) {
            long x = Codec.LONG.decode(input);
            return Codec.LONG.encode(x * x);
        }
    }
}
