package io.interproc.core.internal.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.LivenessCheck;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.Membarrier;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A process's watch on a wait word: held while its threads sleep, kept for the linger time after,
 * given back by the reaper and by close, and never the cause of a lost wake-up between JVMs.
 */
@ExtendWith(NoLeftoverProcesses.class)
@Timeout(180)
class WordWatchTest {
    static final RegionType TYPE = RegionType.of("watch-test", 1);
    static final Duration LONG = Duration.ofSeconds(90);
    /** Offsets: ping counter, pong counter (own lines), then the wait word. */
    static final long PING = 0;
    static final long PONG = 64;
    static final long PING_WORD = 128;
    static final int ROUND_TRIPS = 50_000;
    /** One slice far longer than any wait here: a lost wake-up would end only by the wait's timeout. */
    static final WaitStrategy SLEEP_AT_ONCE = WaitStrategy.blocking(0, 0, Duration.ofMinutes(10));

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    static Region region(String dir) {
        return RegionDirectory.of(Path.of(dir)).openOrCreate("pingpong", new RegionSpec(TYPE, 256), r -> { });
    }

    private static CompletableFuture<Boolean> sleepUntil(WaitWord word, Region r, long offset, long value) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Waiter.of(SLEEP_AT_ONCE).await(word, () -> r.memory().getLongAcquire(offset) >= value,
                    TimeUnit.SECONDS.toNanos(60), LivenessCheck.NONE);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void shouldHoldTheWatchWhileSleepingAndGiveItBackOnceIdleForTheLingerTime() throws Exception {
        try (Region r = region(dir.toString())) {
            WaitWord word = r.waitWord(PING_WORD);
            assertEquals(0, word.watchers(), "nobody waited yet");
            CompletableFuture<Boolean> waiter = sleepUntil(word, r, PING, 1);
            assertTrue(Poll.until(() -> word.sleepers() == 1, LONG), "the waiter sleeps");
            assertEquals(1, word.watchers(), "its process watches the word while it sleeps");
            assertTrue(word.watched());
            r.memory().putLongRelease(PING, 1);
            word.wakeAllAfterRelease();
            assertTrue(waiter.get(20, TimeUnit.SECONDS), "woken before its own 60 s timeout");
            assertEquals(0, word.sleepers());
            assertTrue(Poll.until(() -> word.watchers() == 0, LONG), "the reaper gives the idle watch back");
            assertTrue(!word.watched());
        }
    }

    @Test
    void shouldWakeThroughAViewOfTheWordAndTellAViewThatMapsOtherMemory() throws Exception {
        try (Region r = region(dir.toString())) {
            WaitWord word = r.waitWord(PING_WORD);
            MemorySegment view = r.body().asSlice(64, 192);
            assertTrue(word.isAt(view, PING_WORD - 64));
            assertFalse(word.isAt(view, PING_WORD), "the view maps other memory there");
            assertFalse(word.isAt(view, view.byteSize() - 4), "a word past the view's end");
            CompletableFuture<Boolean> waiter = sleepUntil(word, r, PING, 1);
            assertTrue(Poll.until(() -> word.sleepers() == 1, LONG), "the waiter sleeps");
            r.memory().putLongRelease(PING, 1);
            word.wakeAllIfWatched(MemoryAccess.getIntVolatile(view, PING_WORD - 64 + WaitWord.COUNTS_OFFSET));
            // Sooner than the waiter's own 60 s timeout, after which it would find the value anyway.
            assertTrue(waiter.get(20, TimeUnit.SECONDS), "woken through the view");

            CompletableFuture<Boolean> again = sleepUntil(word, r, PING, 2);
            assertTrue(Poll.until(() -> word.sleepers() == 1, LONG), "the waiter sleeps again");
            int counts = MemoryAccess.putLongReleaseThenGetIntVolatile(r.body(), PING, 2,
                PING_WORD + WaitWord.COUNTS_OFFSET);
            assertEquals(1, counts & 0xFFFF, "the counts read after the store show the sleeper");
            word.wakeAllIfWatched(counts);
            assertTrue(again.get(20, TimeUnit.SECONDS), "woken with the counts the caller read");
        }
    }

    @Test
    void shouldGiveTheWatchBackWhenTheRegionHandleCloses() throws Exception {
        try (Region other = region(dir.toString())) {
            WaitWord seen = other.waitWord(PING_WORD);
            Region r = region(dir.toString());
            WaitWord word = r.waitWord(PING_WORD);
            CompletableFuture<Boolean> waiter = sleepUntil(word, r, PING, 1);
            assertTrue(Poll.until(() -> seen.sleepers() == 1, LONG), "the waiter sleeps");
            assertEquals(1, seen.watchers(), "the other handle's process watches");
            r.close();
            assertTrue(waiter.handle((ok, e) -> e != null).get(20, TimeUnit.SECONDS), "close ended the wait");
            assertEquals(0, seen.watchers(), "close gave the watch back at once");
            assertEquals(0, seen.sleepers());
        }
    }

    /**
     * Answers every ping with a pong, sleeping at once between them; prints how many membarriers it
     * issued.
     */
    public static final class Ponger implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            try (Region r = region(args[0])) {
                WaitWord ping = r.waitWord(PING_WORD);
                System.out.println("READY");
                for (long i = 1; i <= ROUND_TRIPS; i++) {
                    long round = i;
                    if (!Waiter.of(SLEEP_AT_ONCE).await(ping, () -> r.memory().getLongAcquire(PING) >= round,
                        TimeUnit.SECONDS.toNanos(20), LivenessCheck.NONE)) {
                        System.out.println("LOST ping " + i);
                        return;
                    }
                    r.memory().putLongVolatile(PONG, i);
                }
                System.out.println("DONE barriers=" + Membarrier.issued());
            }
        }
    }

    /**
     * The race a lingering watch must survive: this JVM spins for each pong and sends the next ping
     * within a few hundred nanoseconds, that is while the child is still between announcing itself
     * as a sleeper and re-checking; the ping is published with a release store and the cheap wake
     * (no fence where membarrier is registered). A lost wake-up leaves the child asleep for the
     * ten-minute slice, and this test fails by its 20-second deadline. With a watch that lingers (the
     * waker then fences), and with none (linger 0: every wait takes a new watch and issues the
     * barrier the waker relies on), also with membarrier disabled in the child only: it must still
     * issue the barrier for this JVM's wakers, which skip their fence.
     */
    @ParameterizedTest(name = "child linger {0} ms, membarrier disabled in the child: {1}")
    @CsvSource({"600000, false", "0, false", "0, true"})
    void shouldNeverLoseAWakeUpToAJvmThatSleepsAtOnce(long childLingerMillis, boolean childDisablesMembarrier)
        throws Exception {
        try (Region r = region(dir.toString());
             ChildJvm ponger = ChildJvm.builder(Ponger.class).args(dir.toString())
                 .jvmOptions("-Dinterproc.wait.lingerMillis=" + childLingerMillis,
                     "-Dinterproc.membarrier.disable=" + childDisablesMembarrier).captureOutput().start()) {
            WaitWord ping = r.waitWord(PING_WORD);
            assertTrue(ponger.awaitOutput("READY", LONG), ponger.output());
            java.util.SplittableRandom random = new java.util.SplittableRandom(42);
            for (long i = 1; i <= ROUND_TRIPS; i++) {
                for (int spin = random.nextInt(64); spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                r.memory().putLongRelease(PING, i);
                ping.wakeAllAfterRelease();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (r.memory().getLongVolatile(PONG) < i) {
                    if (System.nanoTime() - deadline > 0) {
                        fail("ping " + i + " never woke the child (lost wake-up); child: " + ponger.output());
                    }
                    Thread.onSpinWait();
                }
            }
            assertTrue(ponger.join(LONG));
            assertEquals(OptionalInt.of(0), ponger.exitCode(), ponger.output());
            String out = ponger.output();
            assertTrue(out.contains("DONE"), out);
            long barriers = Long.parseLong(out.substring(out.indexOf("barriers=") + "barriers=".length()).trim());
            assertTrue(childLingerMillis == 0 || barriers <= 1, "the child's watch lingered, so at most its first wait issued a barrier,"
                + " not one per wait: " + barriers + " over " + ROUND_TRIPS + " waits");
            assertEquals(0, ping.sleepers());
            assertEquals(0, ping.watchers(), "the child's close gave its watch back");
        }
    }

    /** Sleeps once on the ping word (until ping 1), then exits without closing the region. */
    public static final class ExitWithoutClosing implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            Region r = region(args[0]);
            WaitWord ping = r.waitWord(PING_WORD);
            System.out.println("WAITING");
            boolean woken = Waiter.of(SLEEP_AT_ONCE).await(ping, () -> r.memory().getLongAcquire(PING) >= 1,
                TimeUnit.SECONDS.toNanos(60), LivenessCheck.NONE);
            System.out.println(woken ? "WOKEN watched=" + ping.watched() : "TIMEOUT");
        }
    }

    @Test
    void shouldGiveTheWatchBackWhenTheJvmExitsWithoutClosing() throws Exception {
        try (Region r = region(dir.toString()); ChildJvm child = startSleeper(dir.toString())) {
            WaitWord ping = r.waitWord(PING_WORD);
            awaitAsleep(child, ping, 1);
            assertEquals(1, ping.watchers());
            r.memory().putLongRelease(PING, 1);
            ping.wakeAllAfterRelease();
            assertTrue(child.join(LONG));
            assertEquals(OptionalInt.of(0), child.exitCode(), child.output());
            assertTrue(child.output().contains("WOKEN watched=true"), "its watch lingered: " + child.output());
            assertEquals(0, ping.sleepers());
            assertEquals(0, ping.watchers(), "the exiting JVM gave its lingering watch back");
        }
    }

    /**
     * A JVM killed ({@code kill -9}) while asleep leaves its sleeper and watcher counts in the word
     * until someone looks: a new view of the word (another JVM opening the region) finds no live
     * watcher and resets them, never a live JVM's; another JVM sleeping on the word is woken by the
     * next publication, and its exit gives back its own counts.
     */
    @Test
    void shouldHealTheCountsAJvmKilledWhileAsleepLeftAndStillWakeOthers() throws Exception {
        try (Region r = region(dir.toString()); ChildJvm killed = startSleeper(dir.toString())) {
            WaitWord ping = r.waitWord(PING_WORD);
            awaitAsleep(killed, ping, 1);
            assertFalse(ping.healCounts(), "a live sleeper's counts are never reset");
            assertEquals(1, ping.watchers());
            killed.kill();
            assertTrue(killed.join(LONG));
            assertEquals(1, ping.sleepers(), "a killed sleeper's count stays until someone looks");
            assertEquals(1, ping.watchers());
            try (ChildJvm other = startSleeper(dir.toString())) {
                // Its view of the word, made when it opened the region, found no live watcher and
                // reset the dead JVM's counts; then it went to sleep itself.
                awaitAsleep(other, ping, 1);
                assertEquals(1, ping.watchers(), "only the live child watches");
                assertFalse(ping.healCounts(), "the live child's counts are never reset");
                r.memory().putLongRelease(PING, 1);
                ping.wakeAllAfterRelease();
                assertTrue(other.join(LONG), "the publication woke the live sleeper: " + other.output());
                assertEquals(OptionalInt.of(0), other.exitCode(), other.output());
                assertTrue(other.output().contains("WOKEN"), other.output());
            }
            assertEquals(0, ping.sleepers(), "the live child gave back its own counts");
            assertEquals(0, ping.watchers());
        }
    }

    @Test
    void shouldHealDeadCountsWhenAWakeUpFindsNobodyAsleep() throws Exception {
        try (Region r = region(dir.toString()); ChildJvm killed = startSleeper(dir.toString())) {
            WaitWord ping = r.waitWord(PING_WORD);
            awaitAsleep(killed, ping, 1);
            killed.kill();
            assertTrue(killed.join(LONG));
            assertEquals(1, ping.sleepers());
            r.memory().putLongRelease(PING, 1);
            ping.wakeAllAfterRelease(); // a system call that wakes nobody: the counts are looked into
            assertEquals(0, ping.sleepers(), "the dead sleeper's count is gone");
            assertEquals(0, ping.watchers(), "and its watch");
            assertFalse(ping.watched(), "this JVM never watched the word");
        }
    }

    /** Starts an {@link ExitWithoutClosing} JVM whose watch lingers ten minutes. */
    private static ChildJvm startSleeper(String dir) {
        return ChildJvm.builder(ExitWithoutClosing.class).args(dir)
            .jvmOptions("-Dinterproc.wait.lingerMillis=600000").captureOutput().start();
    }

    /** Waits until {@code child} says it waits and {@code word} counts {@code sleepers}. */
    private static void awaitAsleep(ChildJvm child, WaitWord word, int sleepers) throws InterruptedException {
        assertTrue(child.awaitOutput("WAITING", LONG), child.output());
        assertTrue(Poll.until(() -> word.sleepers() == sleepers, LONG), "sleepers: " + word.sleepers() + ", expected "
            + sleepers + "; child: " + child.output());
    }

    /** Takes a wait word (which loads the linger setting) and prints what that threw. */
    public static final class TakeAWaitWord implements JvmTask {
        @Override
        public void run(String[] args) {
            try (Region r = region(args[0])) {
                r.waitWord(PING_WORD);
                System.out.println("NO ERROR");
            } catch (Throwable e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                System.out.println("ERROR " + cause);
            }
        }
    }

    @Test
    void shouldNameTheLingerPropertyWhenItIsNotANumberOfMilliseconds() throws Exception {
        try (ChildJvm child = ChildJvm.builder(TakeAWaitWord.class).args(dir.toString())
                 .jvmOptions("-Dinterproc.wait.lingerMillis=-5").captureOutput().start()) {
            assertTrue(child.join(LONG));
            String out = child.output();
            assertTrue(out.contains("ERROR java.lang.IllegalArgumentException") && out.contains("interproc.wait.lingerMillis")
                && out.contains("'-5'"), out);
        }
    }
}
