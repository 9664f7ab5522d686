package io.interproc.examples;

import io.interproc.core.RegionDirectory;
import io.interproc.queue.ring.RingOptions;
import io.interproc.queue.ring.SpscRing;
import io.interproc.sync.SharedLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link ModularJarTest}'s child: a class-path main that reads the library's modules. */
public final class ModuleCheck {
    private ModuleCheck() {
    }

    /** @param args the directory to make regions in */
    public static void main(String[] args) throws Exception {
        Module core = RegionDirectory.class.getModule();
        Module queue = SpscRing.class.getModule();
        Module sync = SharedLock.class.getModule();
        check(core.getName().equals("io.interproc.core"), "core is " + core);
        check(queue.getName().equals("io.interproc.queue"), "queue is " + queue);
        check(sync.getName().equals("io.interproc.sync"), "sync is " + sync);
        Module pool = io.interproc.pool.ProcessPool.class.getModule();
        check(pool.getName().equals("io.interproc.pool"), "pool is " + pool);
        check(pool.getDescriptor().requires().stream().anyMatch(r -> r.name().equals("io.interproc.queue")
            && r.modifiers().contains(java.lang.module.ModuleDescriptor.Requires.Modifier.TRANSITIVE)),
            "pool requires the queues transitively");
        check(core.isExported("io.interproc.core"), "the core API is exported");
        for (String internal : List.of("io.interproc.core.internal.memory", "io.interproc.core.internal.wait",
            "io.interproc.core.internal.launch")) {
            check(!core.isExported(internal), internal + " is not exported to everyone");
        }
        check(core.isExported("io.interproc.core.internal.wait", queue), "waiting is exported to the queues");
        check(core.isExported("io.interproc.core.internal.memory", sync), "memory access is exported to sync");
        RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
        try (SpscRing ring = SpscRing.create(directory, "modular", RingOptions.of(4096, 64));
             SharedLock lock = SharedLock.create(directory, "modular-lock", false)) {
            lock.lock();
            try {
                check(ring.offer(7, "hello".getBytes(StandardCharsets.UTF_8)), "offer");
                int[] type = {-1};
                check(ring.take((t, b, o, l) -> type[0] = t, 10, TimeUnit.SECONDS) && type[0] == 7, "take");
            } finally {
                lock.unlock();
            }
        } finally {
            directory.unlink("modular");
            directory.unlink("modular-lock");
        }
        System.out.println("MODULES OK");
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

}
