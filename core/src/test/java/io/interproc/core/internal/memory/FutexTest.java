package io.interproc.core.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.internal.memory.Futex;
import io.interproc.core.testing.KernelWaits;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class FutexTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private Region region() {
        return RegionDirectory.of(dir).create("f", new RegionSpec(RegionType.of("futex-test", 1), 64), r -> { });
    }

    @Test
    void shouldBeSupportedOnLinux() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"));
        assertTrue(Futex.isSupported(), "futex must work on Linux x86-64 and aarch64");
    }

    @Test
    void shouldReturnAtOnceWhenTheValueDiffers() {
        assumeTrue(Futex.isSupported());
        try (Region r = region()) {
            r.memory().putIntVolatile(0, 5);
            assertEquals(Futex.VALUE_CHANGED, Futex.await(r.body(), 0, 4, TimeUnit.SECONDS.toNanos(10)));
        }
    }

    @Test
    void shouldTimeOutInTime() {
        assumeTrue(Futex.isSupported());
        try (Region r = region()) {
            long start = System.nanoTime();
            assertEquals(Futex.TIMED_OUT, Futex.await(r.body(), 0, 0, TimeUnit.MILLISECONDS.toNanos(50)));
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMillis >= 45 && elapsedMillis < 5_000, "slept " + elapsedMillis + " ms");
        }
    }

    @Test
    void shouldBeWokenByAnotherThreadWhileAsleepInTheKernel() throws Exception {
        assumeTrue(Futex.isSupported());
        try (Region r = region()) {
            CompletableFuture<Integer> sleeper = CompletableFuture.supplyAsync(
                () -> Futex.await(r.body(), 0, 0, TimeUnit.SECONDS.toNanos(20)));
            long address = r.body().address();
            assertTrue(Poll.until(() -> KernelWaits.sleepingOn(ProcessHandle.current().pid(), address), Duration.ofSeconds(10)), "a thread sleeps in FUTEX_WAIT");
            r.memory().putIntVolatile(0, 1);
            assertEquals(1, Futex.wake(r.body(), 0, Integer.MAX_VALUE), "exactly the sleeper was woken");
            assertEquals(Futex.WOKEN, sleeper.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldRejectHeapAndMisalignedWords() {
        assertThrows(IllegalArgumentException.class, () -> Futex.await(MemorySegment.ofArray(new int[4]), 0, 0, 1));
        try (Region r = region()) {
            assertThrows(IllegalArgumentException.class, () -> Futex.wake(r.body(), 2, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> Futex.wake(r.body(), 64, 1));
        }
    }
}
