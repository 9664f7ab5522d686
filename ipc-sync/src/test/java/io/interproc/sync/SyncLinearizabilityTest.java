package io.interproc.sync;

import io.interproc.core.RegionDirectory;
import io.interproc.core.testing.FaultCampaign;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linearizability of the read-write state, the lock word and the semaphore's holder slots, checked
 * by Lincheck in stress mode:
 * real threads race on a region in /dev/shm, and every result they see must match some sequential
 * order of the same calls on a model with {@code ReentrantReadWriteLock}'s thread ownership (the
 * model is told which thread calls: Lincheck's thread-id parameter, which the region ignores).
 * Non-blocking calls only: {@code tryLock} and {@code unlock}, whose results (true, false or
 * {@link IllegalMonitorStateException}) must all be explained.
 */
@Timeout(300)
class SyncLinearizabilityTest {
    static final Path DIR = directory();
    private static int instances;

    private static Path directory() {
        try {
            return Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(
                System.getProperty("java.io.tmpdir")), "interproc-lincheck-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeRegions() throws java.io.IOException {
        try (var files = Files.list(DIR)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(DIR);
    }

    /** The read-write lock under test; a fresh region per scenario, unlinked at once (the mapping stays). */
    public static class ReadWrite {
        private final SharedReadWriteLock rw;

        public ReadWrite() {
            rw = SharedReadWriteLock.create(RegionDirectory.of(DIR), "rw" + next());
            rw.region().unlink();
            retire(rw);
        }

        @Operation
        public boolean tryRead(@Param(gen = ThreadIdGen.class) int thread) {
            return rw.readLock().tryLock();
        }

        @Operation
        public boolean tryWrite(@Param(gen = ThreadIdGen.class) int thread) {
            return rw.writeLock().tryLock();
        }

        @Operation
        public void unlockRead(@Param(gen = ThreadIdGen.class) int thread) {
            rw.readLock().unlock();
        }

        @Operation
        public void unlockWrite(@Param(gen = ThreadIdGen.class) int thread) {
            rw.writeLock().unlock();
        }
    }

    /** The sequential model: ReentrantReadWriteLock's ownership, tryLock barging, no upgrade. */
    public static class ReadWriteModel {
        private final Map<Integer, Integer> reads = new HashMap<>();
        private int writer = -1;
        private int writeHolds;

        public boolean tryRead(int thread) {
            if (writer != -1 && writer != thread) {
                return false;
            }
            reads.merge(thread, 1, Integer::sum);
            return true;
        }

        public boolean tryWrite(int thread) {
            if (writer == thread) {
                writeHolds++;
                return true;
            }
            if (writer != -1 || reads.values().stream().anyMatch(n -> n > 0)) {
                return false;
            }
            writer = thread;
            writeHolds = 1;
            return true;
        }

        public void unlockRead(int thread) {
            if (reads.getOrDefault(thread, 0) == 0) {
                throw new IllegalMonitorStateException();
            }
            reads.merge(thread, -1, Integer::sum);
        }

        public void unlockWrite(int thread) {
            if (writer != thread) {
                throw new IllegalMonitorStateException();
            }
            if (--writeHolds == 0) {
                writer = -1;
            }
        }
    }

    /** The lock word: a reentrant SharedLock's tryLock and unlock. */
    public static class Mutex {
        private final SharedLock lock;

        public Mutex() {
            lock = SharedLock.create(RegionDirectory.of(DIR), "lock" + next(), true);
            lock.region().unlink();
            retire(lock);
        }

        @Operation
        public boolean tryLock(@Param(gen = ThreadIdGen.class) int thread) {
            return lock.tryLock();
        }

        @Operation
        public void unlock(@Param(gen = ThreadIdGen.class) int thread) {
            lock.unlock();
        }
    }

    public static class MutexModel {
        private int owner = -1;
        private int holds;

        public boolean tryLock(int thread) {
            if (owner == -1 || owner == thread) {
                owner = thread;
                holds++;
                return true;
            }
            return false;
        }

        public void unlock(int thread) {
            if (owner != thread) {
                throw new IllegalMonitorStateException();
            }
            if (--holds == 0) {
                owner = -1;
            }
        }
    }

    /** A bounded semaphore of 2 permits: holds are the process's (any of its threads may release them). */
    public static class Permits {
        private final SharedSemaphore semaphore;

        public Permits() {
            semaphore = SharedSemaphore.create(RegionDirectory.of(DIR), "sem" + next(), 2, true);
            semaphore.region().unlink();
            retire(semaphore);
        }

        @Operation
        public boolean tryAcquire(@Param(gen = org.jetbrains.lincheck.datastructures.IntGen.class, conf = "1:2") int n) {
            return semaphore.tryAcquire(n);
        }

        @Operation
        public void release() {
            semaphore.release();
        }

        @Operation
        public long available() {
            return semaphore.availablePermits();
        }
    }

    public static class PermitsModel {
        private long held;

        public boolean tryAcquire(int n) {
            if (2 - held < n) {
                return false;
            }
            held += n;
            return true;
        }

        public void release() {
            if (held < 1) {
                throw new IllegalStateException();
            }
            held--;
        }

        public long available() {
            return 2 - held;
        }
    }

    private static synchronized int next() {
        return instances++;
    }

    private static AutoCloseable previous;

    /** Lincheck makes a new instance per invocation, after the last one finished: close the last one's region. */
    private static synchronized void retire(AutoCloseable current) {
        if (previous != null) {
            try {
                previous.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        previous = current;
    }

    private static StressOptions options() {
        int iterations = io.interproc.core.testing.FaultCampaign.LONG ? 100 : 8;
        return (StressOptions) new StressOptions().iterations(iterations).invocationsPerIteration(300).threads(3)
            .actorsPerThread(3).actorsBefore(0).actorsAfter(0).minimizeFailedScenario(false);
    }

    @Test
    void shouldKeepTheReadWriteStateLinearizable() {
        options().sequentialSpecification(ReadWriteModel.class).check(ReadWrite.class);
    }

    @Test
    void shouldKeepTheSemaphoreHoldsLinearizable() {
        options().sequentialSpecification(PermitsModel.class).check(Permits.class);
    }

    @Test
    void shouldKeepTheLockWordLinearizable() {
        options().sequentialSpecification(MutexModel.class).check(Mutex.class);
    }
}
