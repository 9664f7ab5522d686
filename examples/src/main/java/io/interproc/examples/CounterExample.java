package io.interproc.examples;

import io.interproc.core.ChildJvm;
import io.interproc.core.RegionDirectory;
import io.interproc.sync.SharedLock;
import io.interproc.sync.SharedLongArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Three JVMs add to one shared counter under one lock: each adds 1 to a {@link SharedLongArray}
 * element 10,000 times, with a read and a write (not an atomic add) inside {@link SharedLock}, so
 * the total is exact only if the lock excludes the other processes. This JVM creates both and
 * prints the total: 30,000.
 *
 * <p>Run: {@code bin/example counter}
 */
public final class CounterExample {
    static final int WORKERS = 3;
    static final int ADDS = 10_000;

    private CounterExample() {
    }

    public static void main(String[] args) throws Exception {
        RegionDirectory directory = RegionDirectory.defaultDirectory();
        if (args.length == 2 && args[0].equals("add")) {
            add(directory, args[1]);
            return;
        }
        String name = "example-counter-" + ProcessHandle.current().pid();
        try (SharedLock lock = SharedLock.create(directory, name + "-lock", false);
             SharedLongArray counter = SharedLongArray.create(directory, name, 1, false)) {
            List<ChildJvm> workers = new ArrayList<>();
            for (int i = 0; i < WORKERS; i++) {
                workers.add(ChildJvm.start(CounterExample.class, "add", name));
            }
            for (ChildJvm worker : workers) {
                if (!worker.join(Duration.ofSeconds(60)) || worker.exitCode().orElse(-1) != 0) {
                    throw new IllegalStateException("worker " + worker.pid() + " failed: " + worker.exitCode());
                }
                worker.close();
            }
            System.out.printf("counter = %,d (%d JVMs x %,d locked adds)%n", counter.get(0), WORKERS, ADDS);
        } finally {
            directory.unlink(name);
            directory.unlink(name + "-lock");
        }
    }

    static void add(RegionDirectory directory, String name) {
        try (SharedLock lock = SharedLock.open(directory, name + "-lock");
             SharedLongArray counter = SharedLongArray.open(directory, name)) {
            for (int i = 0; i < ADDS; i++) {
                lock.lock(); // a java.util.concurrent.locks.Lock, across processes
                try {
                    counter.set(0, counter.get(0) + 1);
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}
