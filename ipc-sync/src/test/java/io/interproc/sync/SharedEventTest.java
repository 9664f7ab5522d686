package io.interproc.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SharedEventTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void shouldSetClearAndWait() throws Exception {
        try (SharedEvent event = SharedEvent.create(RegionDirectory.of(dir), "e")) {
            assertFalse(event.isSet());
            assertFalse(event.await(20, TimeUnit.MILLISECONDS));
            event.set();
            event.set();
            assertTrue(event.isSet());
            assertTrue(event.await(0, TimeUnit.SECONDS));
            event.clear();
            assertFalse(event.isSet());
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                try (SharedEvent other = SharedEvent.open(RegionDirectory.of(dir), "e")) {
                    return other.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            event.set();
            assertTrue(waiter.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldBeInterruptibleAndRefuseACorruptState() throws Exception {
        try (SharedEvent event = SharedEvent.create(RegionDirectory.of(dir), "e")) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    event.await();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            waiter.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(30, TimeUnit.SECONDS));
            waiter.join();
            event.region().memory().putIntVolatile(SharedEventDescriptor.STATE_OFFSET, 7);
            RegionFormatException e = assertThrows(RegionFormatException.class,
                () -> SharedEvent.open(RegionDirectory.of(dir), "e"));
            assertTrue(e.getMessage().contains("corrupt state word 7"), e.getMessage());
        }
    }
}
