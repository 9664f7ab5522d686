package io.interproc.bench;

import io.interproc.core.ChildJvm;
import io.interproc.core.JvmTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The other JVM of a benchmark: {@code drain IMPL DIR NAME}, {@code echo IMPL DIR PING PONG LENGTH}
 * or {@code produce IMPL DIR NAME LENGTH [spin|yield]} (how the producer waits while the channel is
 * full: spin, the default, or yield its CPU). Runs until killed (or until its parent dies).
 */
public final class BenchPeer implements JvmTask {
    @Override
    public void run(String[] args) throws Exception {
        CpuPinning.pin(Integer.getInteger(PIN_ROLE, 1));
        String role = args[0];
        String impl = args[1];
        Path dir = Path.of(args[2]);
        switch (role) {
            case "drain" -> {
                try (BenchChannel in = BenchChannel.open(impl, dir, args[3], false)) {
                    while (!Thread.currentThread().isInterrupted()) {
                        if (in.drain(256) == 0) {
                            Thread.onSpinWait();
                        }
                    }
                }
            }
            case "echo" -> {
                int length = Integer.parseInt(args[5]);
                try (BenchChannel ping = BenchChannel.open(impl, dir, args[3], false);
                     BenchChannel pong = BenchChannel.open(impl, dir, args[4], false)) {
                    while (!Thread.currentThread().isInterrupted()) {
                        pong.put(ping.take(), length);
                    }
                }
            }
            case "produce" -> {
                int length = Integer.parseInt(args[4]);
                boolean yieldWhenFull = args.length > 5 && parseWait(args[5]);
                try (BenchChannel out = BenchChannel.open(impl, dir, args[3], false)) {
                    for (long seq = 0; !Thread.currentThread().isInterrupted(); seq++) {
                        while (!out.offer(seq, length)) {
                            if (yieldWhenFull) {
                                Thread.yield();
                            } else {
                                Thread.onSpinWait();
                            }
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown role " + role);
        }
    }

    /** @return true for a producer that yields its CPU while the channel is full, false for one that spins */
    static boolean parseWait(String wait) {
        return switch (wait) {
            case "yield" -> true;
            case "spin" -> false;
            default -> throw new IllegalArgumentException("unknown producer wait '" + wait + "' (spin or yield)");
        };
    }

    /**
     * What Agrona 2.x needs on JDK 25 (its UnsafeApi reads jdk.internal.misc.Unsafe); interproc needs
     * nothing of the kind. Given to every benchmark fork, where it changes nothing for the others.
     */
    public static final String AGRONA_FLAG = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    /** The system property telling a peer which CPU of {@link CpuPinning}'s list is its own. */
    static final String PIN_ROLE = "interproc.bench.pinRole";
    /**
     * The system property (of the benchmark's JVM) whose value, split at {@code |}, is added to
     * every peer JVM's options: for diagnostics in the peer, for example {@code bin/bench
     * -jvmArgsAppend -Dinterproc.bench.peerJvmOptions=-XX:+UnlockDiagnosticVMOptions|-XX:+PrintCompilation}
     * (JMH splits {@code -jvmArgsAppend} at spaces, so the value has none).
     */
    static final String PEER_JVM_OPTIONS = "interproc.bench.peerJvmOptions";
    private static final AtomicInteger PEERS = new AtomicInteger();

    /** The other side of a benchmark: a peer JVM, or for in-JVM references a thread of this one. */
    interface Peer extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Starts the peer for {@code args} (role, impl, ...): a JVM with a clean set of options (plus
     * Agrona's or Chronicle's flags for their peers only), or a thread here for {@code abq}. Peer JVMs
     * take the CPUs after the first of {@link CpuPinning}'s list in launch order (round robin).
     */
    static Peer launch(String... args) {
        if (args[1].equals("abq")) {
            Thread thread = Thread.ofPlatform().daemon().name("bench-peer-" + args[0]).start(() -> {
                try {
                    new BenchPeer().run(args);
                } catch (InterruptedException e) {
                    // closed
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            return () -> {
                thread.interrupt();
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
        }
        ChildJvm.Builder builder = ChildJvm.builder(BenchPeer.class).inheritJvmOptions(false)
            .jvmOptions("-Xmx256m", "-XX:+UseSerialGC", "-D" + PIN_ROLE + "=" + (1 + PEERS.getAndIncrement() % 8))
            .args(args);
        String extra = System.getProperty(PEER_JVM_OPTIONS, "").strip();
        if (!extra.isEmpty()) {
            builder.jvmOptions(extra.split("\\|"));
        }
        if (args[1].startsWith("agrona") || args[1].equals("aeron")) {
            builder.jvmOptions(AGRONA_FLAG);
        }
        if (args[1].startsWith("chronicle")) {
            builder.jvmOptions(ChronicleChannel.FLAGS);
        }
        ChildJvm child = builder.start();
        return child::close;
    }

    /**
     * A fresh directory for one benchmark's files, on /dev/shm where there is one; removed at the
     * latest when this JVM exits, so a setup that fails half-way (JMH then skips the tear-down)
     * leaves nothing behind.
     */
    static Path tempDirectory() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "interproc-bench-")
            : Files.createTempDirectory("interproc-bench-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (Files.exists(dir)) {
                    delete(dir);
                }
            } catch (IOException ignored) {
                // best effort at exit
            }
        }));
        return dir;
    }

    /** Removes a benchmark directory and what is in it. */
    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
