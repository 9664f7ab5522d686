package io.interproc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.interproc.core.internal.memory.Futex;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import io.interproc.core.testing.KernelWaits;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(60)
class WaitStrategyTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    static Stream<WaitStrategy> strategies() {
        return Stream.of(WaitStrategy.blocking(), WaitStrategy.blocking(0, 0, Duration.ofMillis(5)),
            WaitStrategy.polling(new BackoffIdleStrategy()));
    }

    private Region region() {
        return RegionDirectory.of(dir).create("w", new RegionSpec(RegionType.of("wait-test", 1), 128), r -> { });
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void shouldReturnWhenAnotherThreadMakesTheConditionTrue(WaitStrategy strategy) throws Exception {
        try (Region r = region()) {
            WaitWord word = r.waitWord(0);
            for (int round = 1; round <= 200; round++) {
                int target = round;
                CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Waiter.of(strategy).await(word, () -> r.memory().getLongAcquire(8) >= target,
                            TimeUnit.SECONDS.toNanos(30), LivenessCheck.NONE);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                r.memory().putLongRelease(8, round);
                word.wakeAll();
                assertTrue(waiter.get(30, TimeUnit.SECONDS), "round " + round);
            }
        }
    }

    @Test
    void shouldBeWokenFromAKernelSleepByTheWaker() throws Exception {
        assumeTrue(Futex.isSupported());
        // A slice far longer than the test's timeout: only the waker's futex wake can end this sleep.
        WaitStrategy strategy = WaitStrategy.blocking(0, 0, Duration.ofMinutes(10));
        try (Region r = region()) {
            WaitWord word = r.waitWord(64);
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return Waiter.of(strategy).await(word, () -> r.memory().getLongAcquire(8) == 1, WaitStrategy.NO_TIMEOUT,
                        LivenessCheck.NONE);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(Poll.until(() -> KernelWaits.sleepingOn(word.region(), word.offset()), Duration.ofSeconds(20)), "waiter sleeps in the kernel");
            assertEquals(1, word.sleepers());
            r.memory().putLongRelease(8, 1);
            word.wakeAll();
            assertTrue(waiter.get(20, TimeUnit.SECONDS));
            assertEquals(0, word.sleepers());
        }
    }

    @Test
    void shouldNotCallTheKernelToWakeWhenNobodySleeps() throws Exception {
        assumeTrue(Futex.isSupported());
        try (Region r = region()) {
            WaitWord word = r.waitWord(64);
            int before = word.sequence();
            word.wakeAll();
            word.wakeOne();
            assertEquals(before, word.sequence(), "no sleeper: the waker neither bumps the sequence nor wakes");
        }
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void shouldTimeOut(WaitStrategy strategy) throws Exception {
        try (Region r = region()) {
            long start = System.nanoTime();
            assertFalse(Waiter.of(strategy).await(r.waitWord(0), () -> false, TimeUnit.MILLISECONDS.toNanos(30), LivenessCheck.NONE));
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsed >= 29 && elapsed < 10_000, "waited " + elapsed + " ms");
            assertFalse(Waiter.of(strategy).await(r.waitWord(0), () -> false, 0, LivenessCheck.NONE));
            assertEquals(0, r.waitWord(0).sleepers(), "the waiter deregistered");
        }
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void shouldThrowWhenInterrupted(WaitStrategy strategy) throws Exception {
        try (Region r = region()) {
            CompletableFuture<Thread> started = new CompletableFuture<>();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                started.complete(Thread.currentThread());
                try {
                    Waiter.of(strategy).await(r.waitWord(0), () -> false, WaitStrategy.NO_TIMEOUT, LivenessCheck.NONE);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            started.get().interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(30, TimeUnit.SECONDS));
            waiter.join();
        }
    }

    @Test
    void shouldEndAKernelSleepAtOnceWhenInterruptedAndLeaveOtherSleepersWaiting() throws Exception {
        assumeTrue(Futex.isSupported());
        // Slices of 10 minutes: only the interrupt itself can end the first sleep within the test's timeout.
        WaitStrategy strategy = WaitStrategy.blocking(0, 0, Duration.ofMinutes(10));
        try (Region r = region()) {
            WaitWord word = r.waitWord(64);
            CompletableFuture<Throwable> interrupted = new CompletableFuture<>();
            Thread first = Thread.ofPlatform().start(() -> {
                try {
                    Waiter.of(strategy).await(word, () -> false, WaitStrategy.NO_TIMEOUT, LivenessCheck.NONE);
                    interrupted.complete(null);
                } catch (Throwable t) {
                    interrupted.complete(t);
                }
            });
            CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return Waiter.of(strategy).await(word, () -> r.memory().getLongAcquire(8) == 1, WaitStrategy.NO_TIMEOUT,
                        LivenessCheck.NONE);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, t -> Thread.ofPlatform().start(t));
            assertTrue(Poll.until(() -> word.sleepers() == 2 && KernelWaits.sleepingOn(word.region(), word.offset()), Duration.ofSeconds(20)));
            first.interrupt();
            assertInstanceOf(InterruptedException.class, interrupted.get(30, TimeUnit.SECONDS));
            first.join();
            assertFalse(second.isDone(), "the other sleeper woke spuriously, re-checked and sleeps again");
            assertTrue(Poll.until(() -> word.sleepers() == 1 && KernelWaits.sleepingOn(word.region(), word.offset()), Duration.ofSeconds(20)));
            r.memory().putLongRelease(8, 1);
            word.wakeAll();
            assertTrue(second.get(30, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void shouldEndTheWaitWhenTheLivenessCheckThrows(WaitStrategy strategy) throws Exception {
        try (Region r = region()) {
            AtomicInteger checks = new AtomicInteger();
            ProcessIdentity ghost = new ProcessIdentity(Integer.MAX_VALUE - 1, 1);
            PeerDiedException e = assertThrows(PeerDiedException.class, () -> Waiter.of(strategy).await(r.waitWord(0), () -> false,
                WaitStrategy.NO_TIMEOUT, () -> {
                    if (checks.incrementAndGet() == 3) {
                        throw new PeerDiedException(ghost, "waiting for a test peer");
                    }
                }));
            assertEquals(ghost, e.peer());
            assertEquals(3, checks.get());
        }
    }

    @Test
    void shouldEndKernelSleepsPromptlyWhenTheRegionIsClosed() throws Exception {
        Region r = region();
        WaitWord word = r.waitWord(0);
        // A ten-minute slice: only close() waking the sleeper can end this wait within the test's timeout.
        WaitStrategy strategy = WaitStrategy.blocking(0, 0, Duration.ofMinutes(10));
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return Waiter.of(strategy).await(word, () -> false, WaitStrategy.NO_TIMEOUT, LivenessCheck.NONE);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        if (Futex.isSupported()) {
            assertTrue(Poll.until(() -> KernelWaits.sleepingOn(word.region(), word.offset()), Duration.ofSeconds(20)), "waiter sleeps in the kernel");
        } else {
            assertTrue(Poll.until(() -> word.sleepers() > 0, Duration.ofSeconds(20)), "waiter sleeps");
        }
        r.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
    }

    @Test
    void shouldRejectBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> WaitStrategy.blocking(-1, 0, Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> WaitStrategy.blocking(0, 0, Duration.ZERO));
        try (Region r = region()) {
            assertThrows(IllegalArgumentException.class, () -> r.waitWord(2));
            assertThrows(IllegalArgumentException.class, () -> r.waitWord(124));
        }
    }
}
