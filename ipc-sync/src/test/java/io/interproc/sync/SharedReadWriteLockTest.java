package io.interproc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionSpec;
import io.interproc.core.testing.NoLeftoverProcesses;
import io.interproc.core.testing.Poll;
import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeftoverProcesses.class)
@Timeout(300)
class SharedReadWriteLockTest {
    static final Duration LONG = Duration.ofSeconds(120);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private RegionDirectory directory() {
        return RegionDirectory.of(dir);
    }

    private static <T> CompletableFuture<T> async(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Increments the counter under the write lock {@code args[1]} times. */
    public static final class Writer implements JvmTask {
        @Override
        public void run(String[] args) {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            try (SharedReadWriteLock lock = SharedReadWriteLock.open(directory, "rw");
                 Region counter = directory.open("counter", SharedSyncMultiJvmTest.COUNTER)) {
                for (long i = Long.parseLong(args[1]); i > 0; i--) {
                    lock.writeLock().lock();
                    try {
                        counter.memory().putLongPlain(0, counter.memory().getLongPlain(0) + 1);
                    } finally {
                        lock.writeLock().unlock();
                    }
                }
            }
        }
    }

    /** Takes the read or write lock and holds it until killed. */
    public static final class Holder implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            SharedReadWriteLock lock = SharedReadWriteLock.open(RegionDirectory.of(Path.of(args[0])), "rw");
            (args[1].equals("read") ? lock.readLock() : lock.writeLock()).lock();
            System.out.println("HOLDING");
            new CountDownLatch(1).await();
        }
    }

    @Test
    void shouldShareReadersExcludeWritersAndPreferAWaitingWriter() throws Exception {
        try (SharedReadWriteLock rw = SharedReadWriteLock.create(directory(), "rw")) {
            assertTrue(rw.readLock().tryLock());
            assertTrue(async(() -> {
                boolean got = rw.readLock().tryLock();
                rw.readLock().unlock();
                return got;
            }).get(30, TimeUnit.SECONDS), "readers share");
            assertFalse(async(() -> rw.writeLock().tryLock()).get(30, TimeUnit.SECONDS), "a reader excludes writers");
            CompletableFuture<Boolean> writer = async(() -> {
                boolean got = rw.writeLock().tryLock(60, TimeUnit.SECONDS);
                rw.writeLock().unlock();
                return got;
            });
            assertTrue(Poll.until(rw::hasWaitingWriter, LONG), "the waiting writer has claimed the lock");
            assertFalse(async(() -> rw.readLock().tryLock(20, TimeUnit.MILLISECONDS)).get(30, TimeUnit.SECONDS),
                "a waiting writer holds back new readers that block");
            assertTrue(async(() -> {
                boolean barged = rw.readLock().tryLock();
                rw.readLock().unlock();
                return barged;
            }).get(30, TimeUnit.SECONDS), "tryLock() barges, as ReentrantReadWriteLock's does");
            rw.readLock().unlock();
            assertTrue(writer.get(60, TimeUnit.SECONDS));
            rw.writeLock().lock();
            assertTrue(rw.isWriteLocked());
            assertFalse(async(() -> rw.readLock().tryLock(20, TimeUnit.MILLISECONDS)).get(30, TimeUnit.SECONDS));
            assertThrows(Exception.class, () -> async(() -> {
                rw.writeLock().unlock();
                return null;
            }).get(30, TimeUnit.SECONDS), "only the writer unlocks");
            rw.writeLock().unlock();
            assertThrows(IllegalMonitorStateException.class, () -> rw.readLock().unlock());
            assertThrows(IllegalMonitorStateException.class, () -> rw.writeLock().unlock());
        }
    }

    @Test
    void shouldCountExactlyThroughTheWriteSideFromFourJvms() throws Exception {
        try (SharedReadWriteLock rw = SharedReadWriteLock.create(directory(), "rw");
             Region counter = directory().create("counter", new RegionSpec(SharedSyncMultiJvmTest.COUNTER, 64), r -> { })) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    children.add(ChildJvm.builder(Writer.class).jvmOptions("-Xmx64m").captureOutput()
                        .args(dir.toString(), "250000").start());
                }
                for (ChildJvm child : children) {
                    assertTrue(child.join(LONG));
                    assertEquals(OptionalInt.of(0), child.exitCode(), child.output());
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            assertEquals(1_000_000, counter.memory().getLongVolatile(0));
        }
    }

    @Test
    void shouldRecoverFromADeadWriterAndADeadReader() throws Exception {
        try (SharedReadWriteLock rw = SharedReadWriteLock.create(directory(), "rw")) {
            for (String side : List.of("write", "read")) {
                try (ChildJvm holder = ChildJvm.builder(Holder.class).args(dir.toString(), side).captureOutput().start()) {
                    assertTrue(holder.awaitOutput("HOLDING", LONG), holder.output());
                    assertFalse(rw.writeLock().tryLock());
                    holder.kill();
                    assertTrue(rw.writeLock().tryLock(30, TimeUnit.SECONDS), "the dead " + side + "r's hold is given back");
                    rw.writeLock().unlock();
                }
            }
            assertEquals(2, rw.recoveries());
        }
    }

    @Test
    void shouldTreatAWriterWordNamingNoProcessAsDeadAndSurviveCorruptSlots() throws Exception {
        try (SharedReadWriteLock rw = SharedReadWriteLock.create(directory(), "rw")) {
            rw.region().memory().putLongVolatile(SharedReadWriteLockDescriptor.WRITER_OFFSET, 0x4000_0000_0000_0000L);
            rw.region().memory().putLongVolatile(SharedReadWriteLockDescriptor.READERS_OFFSET, -5); // Slots Used
            rw.region().memory().putLongVolatile(SharedReadWriteLockDescriptor.READERS_OFFSET + 64 + 16, -1); // a slot's owner
            rw.region().memory().putLongVolatile(SharedReadWriteLockDescriptor.READERS_OFFSET + 64 + 24, 7); // and its holds
            try (SharedReadWriteLock other = SharedReadWriteLock.open(directory(), "rw")) {
                assertTrue(other.writeLock().tryLock(30, TimeUnit.SECONDS), "garbage owners are recovered");
                other.writeLock().unlock();
                assertTrue(other.readLock().tryLock());
                other.readLock().unlock();
            }
        }
    }

    /** Waits for the write lock (the parent holds a read lock), saying so; killed while waiting. */
    public static final class WaitingWriter implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            SharedReadWriteLock lock = SharedReadWriteLock.open(RegionDirectory.of(Path.of(args[0])), "rw");
            System.out.println("WAITING");
            lock.writeLock().lock();
            System.out.println("GOT IT");
            new CountDownLatch(1).await();
        }
    }

    @Test
    void shouldLetReadersInAgainWhenAWriterIsKilledWhileWaiting() throws Exception {
        try (SharedReadWriteLock rw = SharedReadWriteLock.create(directory(), "rw")) {
            rw.readLock().lock();
            try (ChildJvm writer = ChildJvm.builder(WaitingWriter.class).args(dir.toString()).captureOutput().start()) {
                assertTrue(writer.awaitOutput("WAITING", LONG), writer.output());
                assertTrue(Poll.until(rw::hasWaitingWriter, LONG), "the waiting writer holds new readers back");
                assertFalse(async(() -> rw.readLock().tryLock(20, TimeUnit.MILLISECONDS)).get(30, TimeUnit.SECONDS));
                writer.kill();
                assertTrue(writer.join(LONG));
            }
            assertTrue(async(() -> {
                boolean got = rw.readLock().tryLock(5, TimeUnit.SECONDS);
                rw.readLock().unlock();
                return got;
            }).get(30, TimeUnit.SECONDS), "a writer killed while waiting holds nobody back");
            rw.readLock().unlock();
            assertTrue(rw.writeLock().tryLock(5, TimeUnit.SECONDS));
            rw.writeLock().unlock();
        }
    }
}
