package io.interproc.bench;

import io.interproc.core.ChildJvm;
import io.interproc.core.RegionDirectory;
import io.interproc.sync.SharedEvent;
import io.interproc.sync.SharedLock;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Two wake-ups between two JVMs, both sides asleep in the kernel in between: lock hand-off (two
 * locks passed back and forth; interproc's SharedLock, {@code interproc-lock}, and the JDK's
 * FileChannel.lock, {@code filelock}), event wake-up (ping and pong events, {@code interproc-event};
 * Python's multiprocessing.Event beside it from {@link External}), and the one-word futex ping-pong
 * floor in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m", BenchPeer.AGRONA_FLAG})
public class SyncRoundTripBenchmark {
    @Param({"floor-futex", "interproc-lock", "filelock", "interproc-event"})
    public String impl;

    private Path dir;
    private ChildJvm peer;
    private FloorPingPong.Session floor;
    private SharedLock first;
    private SharedLock second;
    private SharedEvent ping;
    private SharedEvent pong;
    private SyncPeer.FileLockPair files;

    @Setup
    public void setUp() throws Exception {
        CpuPinning.pin(0);
        if (impl.equals("floor-futex")) {
            floor = new FloorPingPong.Session("futex", -1);
            return;
        }
        dir = BenchPeer.tempDirectory();
        RegionDirectory directory = RegionDirectory.of(dir);
        if (impl.equals("filelock")) {
            files = new SyncPeer.FileLockPair(dir);
            files.lockFirst();
            try (SharedEvent ready = SharedEvent.create(directory, "ready")) {
                peer = launch("filelock");
                if (!ready.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the peer JVM did not take its file lock");
                }
            }
        } else if (impl.equals("interproc-lock")) {
            first = SharedLock.create(directory, "first", false).waitStrategy(SyncPeer.SLEEP);
            second = SharedLock.create(directory, "second", false).waitStrategy(SyncPeer.SLEEP);
            first.lock();
            try (SharedEvent ready = SharedEvent.create(directory, "ready")) {
                peer = launch("lock");
                if (!ready.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the peer JVM did not take its lock");
                }
            }
        } else {
            ping = SharedEvent.create(directory, "ping").waitStrategy(SyncPeer.SLEEP);
            pong = SharedEvent.create(directory, "pong").waitStrategy(SyncPeer.SLEEP);
            peer = launch("event");
        }
    }

    private ChildJvm launch(String role) {
        return ChildJvm.builder(SyncPeer.class).inheritJvmOptions(false).jvmOptions("-Xmx128m")
            .args(role, dir.toString()).start();
    }

    @TearDown
    public void tearDown() throws Exception {
        if (floor != null) {
            floor.close();
            return;
        }
        peer.close();
        for (AutoCloseable c : new AutoCloseable[] {first, second, ping, pong, files}) {
            if (c != null) {
                c.close();
            }
        }
        BenchPeer.delete(dir);
    }

    @Benchmark
    public void roundTrip() throws InterruptedException {
        if (floor != null) {
            floor.roundTrip();
        } else if (files != null) {
            try {
                files.releaseFirstLockSecondAndSwap();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else if (first != null) {
            first.unlock();
            second.lock();
            SharedLock swap = first;
            first = second;
            second = swap;
        } else {
            ping.set();
            pong.await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            pong.clear();
        }
    }
}
