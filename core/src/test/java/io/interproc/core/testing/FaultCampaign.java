package io.interproc.core.testing;

import io.interproc.core.ChildJvm;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * A fault campaign shared by every primitive's tests: keeps {@code parties} real child JVMs running
 * a task in a tight loop (so faults land anywhere, bookkeeping included), and at random moments
 * kills one with {@code kill -9} and starts a replacement, or stops one (SIGSTOP) for longer than
 * the primitive's timeouts and continues it. The children check the primitive's promise themselves
 * (mutual exclusion, ledgers) and exit with a non-zero status and a message when it breaks; the
 * campaign fails at once on any child that exits by itself, with its output. Seeded: the seed is in
 * every failure message, and {@code -Dinterproc.test.seed=N} replays it.
 *
 * <p>Short by default (what {@code mvn verify} runs); {@code -Dinterproc.test.campaign=long} raises
 * every campaign to at least 1,000 kills.
 */
public final class FaultCampaign implements AutoCloseable {
    /** True when {@code -Dinterproc.test.campaign=long}. */
    public static final boolean LONG = "long".equals(System.getProperty("interproc.test.campaign"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final IntFunction<ChildJvm.Builder> child;
    private final int parties;
    private final List<ChildJvm> children = new ArrayList<>();
    private final long seed;
    private final Random random;
    private final String ready;
    private int kills;
    private int stops;
    private int killDelayMillis = 40;
    private Duration stopFor = Duration.ZERO;

    /**
     * @param child   the builder of child {@code i} (0 to parties - 1); it must print {@code ready}
     *                once it runs its loop and run until killed
     * @param parties children alive at once
     * @param ready   the line a child prints when its loop has started
     */
    public FaultCampaign(IntFunction<ChildJvm.Builder> child, int parties, String ready) {
        this.child = child;
        this.parties = parties;
        this.ready = ready;
        this.seed = Long.getLong("interproc.test.seed", System.nanoTime());
        this.random = new Random(seed);
    }

    /** @return {@code shortRun} kills, or at least 1,000 with {@code -Dinterproc.test.campaign=long} */
    public static int scaled(int shortRun) {
        return LONG ? Math.max(1000, shortRun) : shortRun;
    }

    /** Kills to inflict. */
    public FaultCampaign kills(int count) {
        this.kills = count;
        return this;
    }

    /** Stops (SIGSTOP, then SIGCONT after {@code duration}) to inflict. */
    public FaultCampaign stops(int count, Duration duration) {
        this.stops = count;
        this.stopFor = duration;
        return this;
    }

    /** Longest random delay before a fault, once the victim runs its loop (default 40 ms). */
    public FaultCampaign maxDelayMillis(int millis) {
        this.killDelayMillis = millis;
        return this;
    }

    /** @return the seed, for failure messages */
    public long seed() {
        return seed;
    }

    /**
     * Runs the campaign; {@code between} runs after each fault (a check of the shared state).
     *
     * @return a line saying what was done
     * @throws AssertionError if a child exited by itself or did not start
     */
    public String run(Runnable between) throws InterruptedException, IOException {
        for (int i = 0; i < parties; i++) {
            children.add(child.apply(i).captureOutput().start());
        }
        int killed = 0;
        int stopped = 0;
        while (killed < kills || stopped < stops) {
            int victim = random.nextInt(parties);
            ChildJvm c = children.get(victim);
            if (!c.awaitOutput(ready, START_TIMEOUT)) {
                throw failure("child " + victim + " did not start", c);
            }
            checkAllRunning();
            Thread.sleep(random.nextInt(killDelayMillis + 1)); // the fault's random moment, not a synchronization
            checkAllRunning();
            boolean stop = stopped < stops && (killed >= kills || random.nextInt(kills + stops) < stops);
            if (stop) {
                signal("STOP", c.pid());
                Thread.sleep(stopFor.toMillis()); // the stop's length is the fault itself
                signal("CONT", c.pid());
                stopped++;
            } else {
                c.kill();
                c.join(Duration.ofSeconds(30));
                c.close();
                children.set(victim, child.apply(victim).captureOutput().start());
                killed++;
            }
            between.run();
        }
        checkAllRunning();
        return killed + " kills, " + stopped + " stops of " + stopFor.toMillis() + " ms (seed " + seed + ")";
    }

    private void checkAllRunning() {
        for (int i = 0; i < children.size(); i++) {
            ChildJvm c = children.get(i);
            if (!c.isAlive()) {
                throw failure("child " + i + " exited by itself with " + c.exitCode(), c);
            }
        }
    }

    private AssertionError failure(String what, ChildJvm c) {
        return new AssertionError(what + " (seed " + seed + "): " + c.output());
    }

    /**
     * Waits for every child to exit by itself (after the test told them to finish) and checks that
     * each exited with status 0.
     *
     * @throws AssertionError naming the first child that did not, with its output
     */
    public void awaitExit(Duration timeout) throws InterruptedException {
        for (int i = 0; i < children.size(); i++) {
            ChildJvm c = children.get(i);
            if (!c.join(timeout)) {
                throw failure("child " + i + " did not finish within " + timeout, c);
            }
            if (c.exitCode().orElse(-1) != 0) {
                throw failure("child " + i + " exited with " + c.exitCode(), c);
            }
        }
    }

    /** Sends {@code kill -NAME pid}. */
    public static void signal(String name, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        if (p.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + pid + " failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    /** Kills every child (SIGCONT first, so that none stays stopped) and waits for them. */
    @Override
    public void close() {
        for (ChildJvm c : children) {
            try {
                signal("CONT", c.pid());
            } catch (IOException | InterruptedException ignored) {
                // already gone
            }
            c.kill();
            try {
                c.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.close();
        }
        children.clear();
    }
}
