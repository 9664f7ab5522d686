package io.interproc.tools;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import io.interproc.core.LivenessCheck;
import io.interproc.core.PeerDiedException;
import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.RegionType;
import io.interproc.core.WaitStrategy;
import io.interproc.core.internal.memory.Futex;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.Waiter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Two separately launched JVMs share a region and wake each other: this JVM creates the region and
 * launches a child JVM that attaches to it by name; each side in turn publishes a counter and wakes
 * the other, which sleeps in the kernel (futex) in between. Prints what happens and the round-trip
 * times, then removes the region.
 */
public final class Demo {
    static final RegionType TYPE = RegionType.of("demo", 1);
    static final long COUNTER = 0;
    static final long TO_CHILD = 64;
    static final long TO_PARENT = 128;
    static final long BODY = 256;
    static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        run(rounds, RegionDirectory.defaultDirectory(), System.out);
    }

    /** Runs the demo with {@code rounds} round trips in {@code directory}; returns the round trips made. */
    public static long run(int rounds, RegionDirectory directory, PrintStream out) throws Exception {
        String name = "demo-" + ProcessHandle.current().pid();
        out.printf("parent JVM %d: creating region '%s' in %s (futex %s)%n", ProcessHandle.current().pid(), name,
            directory.path(), Futex.isSupported() ? "supported" : "not supported: polling fallback");
        try (Region region = directory.create(name, new RegionSpec(TYPE, BODY), r -> { });
             ChildJvm child = ChildJvm.builder(Child.class)
                 .args(directory.path().toString(), name, Integer.toString(rounds)).start()) {
            out.printf("parent JVM: launched child JVM %d; it opens '%s' by name%n", child.pid(), name);
            MemoryAccess m = region.memory();
            WaitWord toChild = region.waitWord(TO_CHILD);
            WaitWord toParent = region.waitWord(TO_PARENT);
            ProcessIdentity childIdentity = child.identity().orElseThrow();
            LivenessCheck childAlive = () -> {
                if (!childIdentity.isAlive()) {
                    throw new PeerDiedException(childIdentity, "waiting for the demo child");
                }
            };
            long[] nanos = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                long odd = 2L * i + 1;
                long start = System.nanoTime();
                m.putLongRelease(COUNTER, odd);
                toChild.wakeAll();
                if (!Waiter.of(WaitStrategy.blocking()).await(toParent, () -> m.getLongAcquire(COUNTER) == odd + 1, TIMEOUT, childAlive)) {
                    throw new IllegalStateException("the child did not answer round " + i + " within 10 s");
                }
                nanos[i] = System.nanoTime() - start;
                if (i < 3) {
                    out.printf("parent JVM: set counter to %d and woke the child; child answered %d after %.1f us%s%n",
                        odd, odd + 1, nanos[i] / 1000.0, i == 0 ? " (includes the child JVM's start-up)" : "");
                }
            }
            if (!child.join(Duration.ofSeconds(30))) {
                throw new IllegalStateException("the child did not exit");
            }
            Arrays.sort(nanos);
            out.printf(Locale.ROOT, "%d round trips between two JVMs (spin, then futex sleep): median %.1f us, p99 %.1f us%n",
                rounds, nanos[rounds / 2] / 1000.0, nanos[(int) Math.min(rounds - 1, rounds * 0.99)] / 1000.0);
            out.printf("child exited with %d; region removed%n", child.exitCode().orElse(-1));
            return rounds;
        } finally {
            directory.unlink(name);
        }
    }

    /** The child side: sleeps until the counter turns odd, answers with the next even number. */
    public static final class Child implements JvmTask {
        @Override
        public void run(String[] args) throws Exception {
            RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
            int rounds = Integer.parseInt(args[2]);
            try (Region region = directory.open(args[1], TYPE)) {
                MemoryAccess m = region.memory();
                WaitWord toChild = region.waitWord(TO_CHILD);
                WaitWord toParent = region.waitWord(TO_PARENT);
                ProcessIdentity parent = region.creator();
                LivenessCheck parentAlive = () -> {
                    if (!parent.isAlive()) {
                        throw new PeerDiedException(parent, "waiting for the demo parent");
                    }
                };
                for (int i = 0; i < rounds; i++) {
                    long odd = 2L * i + 1;
                    if (!Waiter.of(WaitStrategy.blocking()).await(toChild, () -> m.getLongAcquire(COUNTER) == odd, TIMEOUT, parentAlive)) {
                        throw new IllegalStateException("no ping for round " + i + " within 10 s");
                    }
                    m.putLongRelease(COUNTER, odd + 1);
                    toParent.wakeAll();
                }
            }
        }
    }
}
