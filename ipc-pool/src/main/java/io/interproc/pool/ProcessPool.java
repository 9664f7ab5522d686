package io.interproc.pool;

import static io.interproc.pool.PoolDescriptor.COMPLETED_OFFSET;
import static io.interproc.pool.PoolDescriptor.FAILED_OFFSET;
import static io.interproc.pool.PoolDescriptor.LAUNCHED_OFFSET;
import static io.interproc.pool.PoolDescriptor.POOL_PID_OFFSET;
import static io.interproc.pool.PoolDescriptor.POOL_START_OFFSET;
import static io.interproc.pool.PoolDescriptor.RUNNING_TASK;
import static io.interproc.pool.PoolDescriptor.STATE_BROKEN;
import static io.interproc.pool.PoolDescriptor.STATE_OFFSET;
import static io.interproc.pool.PoolDescriptor.STATE_RUNNING;
import static io.interproc.pool.PoolDescriptor.STATE_SHUTTING_DOWN;
import static io.interproc.pool.PoolDescriptor.STATE_TERMINATED;
import static io.interproc.pool.PoolDescriptor.SUBMITTED_OFFSET;
import static io.interproc.pool.PoolDescriptor.TASKS_DONE;
import static io.interproc.pool.PoolDescriptor.WORKER_PID;

import io.interproc.core.ChildJvm;
import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.RegionSpec;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.queue.mpmc.MpmcQueue;
import io.interproc.queue.ring.MpscRing;
import io.interproc.queue.ring.RingOptions;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of worker JVMs that run {@link Task}s — Python's {@code multiprocessing.Pool} and
 * {@code ProcessPoolExecutor}, between JVMs. Tasks travel to the workers over a shared-memory
 * {@link MpmcQueue} (idle workers compete for them, asleep in the kernel while there is none) and
 * results come back over an {@link MpscRing}, a lane per worker; no socket, no Java serialization. Layout and
 * messages in {@link PoolDescriptor}.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.builder().workers(4).start()) {
 *     List<Long> squares = pool.map(Square.class, List.of(1L, 2L, 3L), Codec.LONG, Codec.LONG);
 * }
 * }</pre>
 *
 * <p><b>Calls.</b> {@link #submit} returns at once with a future, unless the task queue is full
 * (then it waits for room: back-pressure). {@link #map} waits for every result, in input order;
 * {@link #mapUnordered} hands results as they complete. {@link #shutdown} stops new submissions
 * (Python's {@code close}); {@link #join} waits until the submitted tasks are done and the workers
 * have exited; {@link #close} is both; {@link #shutdownNow} kills the workers and cancels what is
 * left. All methods are thread-safe. Dependent actions attached to a future without an executor
 * run on the pool's collector thread: keep them short or use the {@code *Async} forms.
 *
 * <p><b>Faults.</b> A task that throws fails its future with a {@link RemoteTaskException} (remote
 * class, message and stack trace as text); the worker carries on. A worker that dies (killed,
 * crashed, {@code System.exit}) fails the task it was running with a {@link WorkerDiedException}
 * naming its pid and exit status, and is replaced; so is a task it had taken from the queue but
 * not yet recorded as running, after a grace period of {@value #LOST_TASK_GRACE_MILLIS} ms. No future
 * waits for a dead worker. An initializer that throws breaks the pool (see
 * {@link WorkerInitializer}); so do workers that die three times in a row before starting (a bad
 * JVM option, say). Workers exit by themselves when the pool's process dies; its regions are then
 * left behind until {@code interproc cleanup} (or {@link RegionDirectory#unlinkIfUnused}) removes them.
 */
public final class ProcessPool implements AutoCloseable {
    /** Bytes of a result message that are not the result: a task's result may be max message length minus this. */
    public static final int RESULT_OVERHEAD = 8;
    /** How long after a worker's death a task it took but never recorded as running is failed. */
    public static final long LOST_TASK_GRACE_MILLIS = 2_000;

    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final long POLL_MILLIS = 50;
    private static final int MAX_EARLY_DEATHS = 3;

    private final RegionDirectory directory;
    private final String name;
    private final Builder settings;
    private final Region state;
    private final MemoryAccess memory;
    private final MpmcQueue tasks;
    private final MpscRing results;
    private final Worker[] workers;
    private final Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
    private final Object submitLock = new Object();
    private final Object stateLock = new Object();
    private final ArrayDeque<Sweep> sweeps = new ArrayDeque<>();
    private final Thread collector;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private long nextPosition;
    private volatile int runState = STATE_RUNNING;
    private volatile RemoteTaskException brokenBy;
    private int earlyDeaths;

    private ProcessPool(Builder b) {
        this.settings = b;
        this.directory = b.directory;
        this.name = b.name != null ? b.name
            : "pool-" + ProcessIdentity.current().pid() + "-" + POOLS.incrementAndGet();
        RegionDirectory.checkName(name + "-results");
        this.state = directory.create(name, new RegionSpec(PoolDescriptor.TYPE, PoolDescriptor.bodyLength(b.workers),
            b.workers, b.maxMessageLength), r -> { });
        MpmcQueue queue = null;
        MpscRing ring = null;
        try {
            queue = MpmcQueue.create(directory, name + "-tasks", b.queueCapacity, b.maxMessageLength);
            // A lane per worker; twice that, for workers that exit while their replacements start
            // (a dead worker's lane is free again once drained).
            ring = MpscRing.create(directory, name + "-results",
                RingOptions.of(ringCapacity(b.maxMessageLength), b.maxMessageLength).withMaxLanes(2 * b.workers + 2));
        } catch (RuntimeException e) {
            if (queue != null) {
                queue.close();
            }
            unlinkAll();
            state.close();
            throw e;
        }
        this.tasks = queue;
        this.results = ring;
        this.memory = state.memory();
        ProcessIdentity me = ProcessIdentity.current();
        memory.putLongVolatile(POOL_START_OFFSET, me.startTime());
        memory.putLongVolatile(POOL_PID_OFFSET, me.pid());
        this.workers = new Worker[b.workers];
        try {
            for (int i = 0; i < workers.length; i++) {
                workers[i] = launch(i);
            }
        } catch (RuntimeException e) {
            for (Worker w : workers) {
                if (w != null) {
                    w.child.kill();
                    w.child.close();
                }
            }
            closeRegions();
            throw e;
        }
        collector = Thread.ofPlatform().daemon().name("interproc-pool-" + name).start(this::collect);
    }

    private static int ringCapacity(int maxMessageLength) {
        int record = maxMessageLength + 16;
        return Math.max(1 << 16, Integer.highestOneBit(record - 1) << 3);
    }

    /** {@return a builder with the defaults: one worker per core, 64 KiB messages, 64 queued tasks} */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a pool; {@link #start()} launches it. Not thread-safe. */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private long maxTasksPerWorker;
        private String initializer;
        private byte[] initializerArgument = new byte[0];
        private RegionDirectory directory = RegionDirectory.defaultDirectory();
        private String name;
        private int maxMessageLength = 64 * 1024;
        private int queueCapacity = 64;
        private final List<String> jvmOptions = new ArrayList<>();

        private Builder() {
        }

        /**
         * Number of worker JVMs, 1 to {@value PoolDescriptor#MAX_WORKERS}; default: the number of cores.
         *
         * @param count the initial count
         */
        public Builder workers(int count) {
            if (count < 1 || count > PoolDescriptor.MAX_WORKERS) {
                throw new IllegalArgumentException("a pool has 1 to " + PoolDescriptor.MAX_WORKERS + " workers, got "
                    + count);
            }
            workers = count;
            return this;
        }

        /**
         * Tasks a worker runs before it exits and is replaced (Python's maxtasksperchild); 0, the default, for no limit.
         *
         * @param count how many
         * @return this builder
         */
        public Builder maxTasksPerWorker(long count) {
            if (count < 0) {
                throw new IllegalArgumentException("max tasks per worker must be >= 0, got " + count);
            }
            maxTasksPerWorker = count;
            return this;
        }

        /** Runs {@code type} with {@code argument} (at most 64 KiB) once in every worker before its first task. */
        public Builder initializer(Class<? extends WorkerInitializer> type, byte[] argument) {
            if (argument.length > 64 * 1024) {
                throw new IllegalArgumentException("an initializer argument may have at most 65536 bytes, got "
                    + argument.length);
            }
            initializer = type.getName();
            initializerArgument = argument.clone();
            return this;
        }

        /**
         * Where the pool's regions live; default {@link RegionDirectory#defaultDirectory()}.
         *
         * @return this builder
         */
        public Builder directory(RegionDirectory value) {
            directory = value;
            return this;
        }

        /**
         * Name of the pool's state region (its queues add {@code -tasks} and {@code -results}); default {@code pool-PID-N}.
         *
         * @return this builder
         */
        public Builder name(String value) {
            RegionDirectory.checkName(value);
            name = value;
            return this;
        }

        /**
         * Longest task message (input plus 10 bytes plus the class name) and result message (result plus 8); default 64 KiB.
         *
         * @return this builder
         */
        public Builder maxMessageLength(int bytes) {
            if (bytes < 256 || bytes > (1 << 26)) {
                throw new IllegalArgumentException("max message length must be 256 bytes to 64 MiB, got " + bytes);
            }
            maxMessageLength = bytes;
            return this;
        }

        /**
         * Tasks that may wait in the queue before {@link #submit} waits for room (a power of two); default 64.
         *
         * @return this builder
         */
        public Builder queueCapacity(int slots) {
            if (slots < 2 || slots > (1 << 16) || Integer.bitCount(slots) != 1) {
                throw new IllegalArgumentException("queue capacity must be a power of two from 2 to 65536, got " + slots);
            }
            queueCapacity = slots;
            return this;
        }

        /**
         * Adds options for the worker JVMs (after the pool JVM's own, which they inherit).
         *
         * @param options the options
         * @return this builder
         */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /**
         * Creates the pool's regions and launches its workers (they start in the background: tasks
         * submitted meanwhile wait in the queue).
         *
         * @return the started pool
         * @throws io.interproc.core.RegionExistsException if a region of that name exists
         */
        public ProcessPool start() {
            return new ProcessPool(this);
        }
    }

    // ------------------------------------------------------------------ submitting

    /**
     * Queues a task.
     *
     * @param task  the task class, with a public no-argument constructor, on the workers' class path
     * @param input its input
     * @return the result's future: completed with the bytes the task returned, or failed with
     *         {@link RemoteTaskException}, {@link WorkerDiedException} or {@link CancellationException}
     * @throws IllegalArgumentException   if the input is too long for the pool's max message length
     * @throws RejectedExecutionException after {@link #shutdown} (or if interrupted while the queue was full)
     */
    public CompletableFuture<byte[]> submit(Class<? extends Task> task, byte[] input) {
        byte[] className = task.getName().getBytes(StandardCharsets.UTF_8);
        int length = PoolMessages.TASK_OVERHEAD + className.length + input.length;
        if (length > settings.maxMessageLength || className.length > 0xFFFF) {
            throw new IllegalArgumentException("a task input of " + input.length + " bytes with class " + task.getName()
                + " needs a " + length + "-byte message, over the pool's max message length "
                + settings.maxMessageLength);
        }
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        RemoteTaskException broken = brokenBy;
        if (broken != null) {
            future.completeExceptionally(broken);
            return future;
        }
        synchronized (submitLock) {
            checkAccepting();
            long id = nextPosition;
            byte[] message = PoolMessages.task(id, className, input);
            pending.put(id, future);
            try {
                while (!tasks.put(PoolDescriptor.TASK, message, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    checkAccepting();
                }
            } catch (InterruptedException e) {
                pending.remove(id);
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException("interrupted while waiting for room in pool '" + name + "'", e);
            } catch (RuntimeException e) {
                pending.remove(id);
                throw e;
            }
            nextPosition++;
            memory.getAndAddLong(SUBMITTED_OFFSET, 1);
        }
        return future;
    }

    /**
     * {@link #submit(Class, byte[])} with codecs for the input and the result (a result that does not decode fails the future).
     *
     * @param <I> the input type
     * @param <O> the result type
     * @param task the task class, with a public no-argument constructor, on the workers' class path
     * @param in encodes the inputs
     * @param out decodes the results
     */
    public <I, O> CompletableFuture<O> submit(Class<? extends Task> task, I input, Codec<I> in, Codec<O> out) {
        return submit(task, in.encode(input)).thenApply(out::decode);
    }

    /**
     * Runs {@code task} on every input and waits for all results, in input order (Python's {@code map}).
     *
     * @param task the task class, with a public no-argument constructor, on the workers' class path
     * @param inputs the tasks' inputs
     * @throws ExecutionException   for the first input whose task failed (its cause says how); the other tasks still run
     * @throws InterruptedException if interrupted while waiting (the tasks still run)
     */
    public List<byte[]> map(Class<? extends Task> task, List<byte[]> inputs) throws ExecutionException, InterruptedException {
        return map(task, inputs, Codec.BYTES, Codec.BYTES);
    }

    /**
     * {@link #map(Class, List)} with codecs.
     *
     * @param <I> the input type
     * @param <O> the result type
     * @param task the task class, with a public no-argument constructor, on the workers' class path
     * @param inputs the tasks' inputs
     * @param in encodes the inputs
     * @param out decodes the results
     * @throws InterruptedException if interrupted while waiting
     */
    public <I, O> List<O> map(Class<? extends Task> task, List<I> inputs, Codec<I> in, Codec<O> out)
        throws ExecutionException, InterruptedException {
        checkAccepting();
        List<CompletableFuture<O>> futures = new ArrayList<>(inputs.size());
        for (I input : inputs) {
            futures.add(submit(task, input, in, out));
        }
        List<O> outputs = new ArrayList<>(inputs.size());
        for (CompletableFuture<O> future : futures) {
            outputs.add(future.get());
        }
        return outputs;
    }

    /**
     * Runs {@code task} on every input; the iterator hands each result as soon as it is ready,
     * in completion order (Python's {@code imap_unordered}). {@link Iterator#next()} blocks until
     * the next result and throws {@link java.util.concurrent.CompletionException} (cause:
     * {@link RemoteTaskException}, {@link WorkerDiedException}...) for a task that failed; the
     * iteration may go on after it.
     *
     * @param task the task class, with a public no-argument constructor, on the workers' class path
     * @param inputs the tasks' inputs
     */
    public Iterator<byte[]> mapUnordered(Class<? extends Task> task, List<byte[]> inputs) {
        return mapUnordered(task, inputs, Codec.BYTES, Codec.BYTES);
    }

    /**
     * {@link #mapUnordered(Class, List)} with codecs.
     *
     * @param <I> the input type
     * @param <O> the result type
     * @param task the task class, with a public no-argument constructor, on the workers' class path
     * @param inputs the tasks' inputs
     * @param in encodes the inputs
     * @param out decodes the results
     */
    public <I, O> Iterator<O> mapUnordered(Class<? extends Task> task, List<I> inputs, Codec<I> in, Codec<O> out) {
        checkAccepting();
        LinkedBlockingQueue<CompletableFuture<O>> done = new LinkedBlockingQueue<>();
        for (I input : inputs) {
            CompletableFuture<O> future = submit(task, input, in, out);
            future.whenComplete((v, t) -> done.add(future));
        }
        int total = inputs.size();
        return new Iterator<>() {
            private int handed;

            @Override
            public boolean hasNext() {
                return handed < total;
            }

            @Override
            public O next() {
                if (handed >= total) {
                    throw new NoSuchElementException();
                }
                try {
                    CompletableFuture<O> next = done.take();
                    handed++;
                    return next.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for a result of pool '" + name + "'");
                }
            }
        };
    }

    private void checkAccepting() {
        if (runState != STATE_RUNNING) {
            throw new RejectedExecutionException("pool '" + name + "' is " + PoolDescriptor.stateName(runState), brokenBy);
        }
    }

    // ------------------------------------------------------------------ ending

    /** Accepts no more tasks; those submitted still run (Python's {@code close}). Returns at once. */
    public void shutdown() {
        synchronized (stateLock) {
            if (runState == STATE_RUNNING) {
                setState(STATE_SHUTTING_DOWN);
            }
        }
    }

    /**
     * After {@link #shutdown}: waits until every submitted task is done, then stops the workers and
     * removes the pool's regions.
     *
     * @param timeout longest wait
     * @return true once terminated, false if {@code timeout} passed first
     * @throws IllegalStateException if the pool was not shut down
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        if (runState == STATE_RUNNING) {
            throw new IllegalStateException("pool '" + name + "' is still running: shutdown() first");
        }
        try {
            terminated.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("pool '" + name + "' failed while terminating", e.getCause());
        }
    }

    /**
     * {@link #join(Duration)} without a timeout.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void join() throws InterruptedException {
        join(Duration.ofNanos(Long.MAX_VALUE));
    }

    /**
     * Kills every worker at once (SIGKILL), cancels every task not done (their futures fail with
     * {@link CancellationException}), and removes the pool's regions.
     *
     * @return how many tasks were cancelled
     */
    public int shutdownNow() {
        synchronized (stateLock) {
            if (runState == STATE_TERMINATED) {
                return 0;
            }
            setState(STATE_TERMINATED);
        }
        collector.interrupt();
        try {
            collector.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return terminate(true);
    }

    /**
     * Shuts the pool down and waits for it to terminate (ExecutorService's {@code close}): submitted
     * tasks finish first. Interrupted while waiting, it {@link #shutdownNow}s.
     */
    @Override
    public void close() {
        if (runState == STATE_TERMINATED) {
            return;
        }
        shutdown();
        try {
            join();
        } catch (InterruptedException e) {
            shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** {@return true once shut down (or broken)} */
    public boolean isShutdown() {
        return runState != STATE_RUNNING;
    }

    /** {@return true once every worker has exited and the regions are gone} */
    public boolean isTerminated() {
        return terminated.isDone();
    }

    // ------------------------------------------------------------------ introspection

    /**
     * What one worker is doing.
     *
     * @param index the index, from 0
     * @param pid the process id
     */
    public record WorkerInfo(int index, long pid, boolean alive, OptionalLong runningTask, long tasksDone) {
    }

    /** {@return the workers now, in slot order} */
    public List<WorkerInfo> workers() {
        List<WorkerInfo> info = new ArrayList<>();
        synchronized (workers) {
            if (terminated.isDone()) {
                return info;
            }
            for (Worker w : workers) {
                long slot = PoolDescriptor.slot(w.index);
                long running = memory.getLongVolatile(slot + RUNNING_TASK);
                boolean alive = w.child.isAlive();
                info.add(new WorkerInfo(w.index, w.child.pid(), alive,
                    alive && running > 0 ? OptionalLong.of(running - 1) : OptionalLong.empty(),
                    memory.getLongVolatile(slot + TASKS_DONE)));
            }
        }
        return info;
    }

    /** {@return tasks submitted and not yet done} */
    public int pendingTasks() {
        return pending.size();
    }

    /** {@return the pool's name (its state region's)} */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "ProcessPool[" + name + ", " + workers.length + " workers, " + PoolDescriptor.stateName(runState) + ", "
            + pending.size() + " pending]";
    }

    // ------------------------------------------------------------------ the collector thread

    private void collect() {
        try {
            while (runState != STATE_TERMINATED) {
                if (results.take(this::onResult, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    results.read(this::onResult, 1024);
                }
                checkWorkers();
                runSweeps();
                if ((runState == STATE_SHUTTING_DOWN && pending.isEmpty() || runState == STATE_BROKEN) && stopWorkers()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // shutdownNow
        } catch (Throwable t) {
            // The collector cannot go on (a corrupt result ring, say): the pool ends here, as
            // shutdownNow would, so that no worker JVM and no region file outlives it. (Before,
            // the futures failed and the workers ran on: a later shutdownNow found the pool
            // already ended and killed nothing.)
            setState(STATE_TERMINATED);
            failAll(t);
            terminate(false, t);
        }
    }

    private void onResult(int type, MemorySegment buffer, long offset, int length) {
        PoolMessages.Reply reply = PoolMessages.readReply(type, buffer, offset, length);
        if (type == PoolDescriptor.INIT_FAILED) {
            String[] error = reply.error();
            brokenBy = new RemoteTaskException("the initializer " + settings.initializer, reply.pid(), error[0], error[1],
                error[2]);
            setState(STATE_BROKEN);
            failAll(brokenBy);
            return;
        }
        CompletableFuture<byte[]> future = pending.remove(reply.taskId());
        if (future == null) {
            return; // already failed (its worker was judged dead) or cancelled
        }
        if (reply.result() != null) {
            memory.getAndAddLong(COMPLETED_OFFSET, 1);
            future.complete(reply.result());
        } else {
            String[] error = reply.error();
            memory.getAndAddLong(FAILED_OFFSET, 1);
            future.completeExceptionally(new RemoteTaskException("task " + reply.taskId(), reply.pid(), error[0],
                error[1], error[2]));
        }
    }

    private long workerRunning(long id) {
        for (Worker w : workers) {
            if (memory.getLongVolatile(PoolDescriptor.slot(w.index) + RUNNING_TASK) == id + 1) {
                return w.child.pid();
            }
        }
        return 0;
    }

    private void checkWorkers() throws InterruptedException {
        for (int i = 0; i < workers.length; i++) {
            Worker w = workers[i];
            if (w.child.isAlive()) {
                if (!w.started && memory.getLongVolatile(PoolDescriptor.slot(i) + WORKER_PID) == w.child.pid()) {
                    w.started = true;
                    earlyDeaths = 0;
                }
                continue;
            }
            long slot = PoolDescriptor.slot(i);
            // Read what it was doing before draining the results: a result it committed is then seen.
            long running = memory.getLongVolatile(slot + RUNNING_TASK) - 1;
            long started = memory.getLongVolatile(slot + WORKER_PID) == w.child.pid() ? 1 : 0;
            long dequeued = tasks.consumerPosition();
            results.read(this::onResult, Integer.MAX_VALUE);
            w.child.join(Duration.ofSeconds(5));
            OptionalInt status = w.child.exitCode();
            w.child.close();
            if (running >= 0 && started == 1) {
                fail(running, new WorkerDiedException(running, w.child.pid(), status, "while running it"));
            }
            List<Long> candidates = new ArrayList<>();
            for (Long id : pending.keySet()) {
                if (id < dequeued) {
                    candidates.add(id);
                }
            }
            if (!candidates.isEmpty()) {
                sweeps.add(new Sweep(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOST_TASK_GRACE_MILLIS),
                    candidates, w.child.pid(), status));
            }
            memory.putLongVolatile(slot + RUNNING_TASK, 0);
            if (started == 0 && ++earlyDeaths >= MAX_EARLY_DEATHS && brokenBy == null) {
                brokenBy = new RemoteTaskException("starting a worker JVM", w.child.pid(), "WorkerDidNotStart",
                    MAX_EARLY_DEATHS + " workers in a row exited before starting (last exit status "
                        + (status.isPresent() ? status.getAsInt() : "unknown") + "); see their standard error", "");
                setState(STATE_BROKEN);
                failAll(brokenBy);
            }
            if (runState == STATE_RUNNING || runState == STATE_SHUTTING_DOWN) {
                synchronized (workers) {
                    workers[i] = launch(i);
                }
            }
        }
    }

    /** Fails the tasks a dead worker may have taken without recording them, once the grace period is over. */
    private void runSweeps() {
        long now = System.nanoTime();
        while (!sweeps.isEmpty() && now - sweeps.peekFirst().deadline >= 0) {
            Sweep sweep = sweeps.pollFirst();
            for (long id : sweep.candidates) {
                if (pending.containsKey(id) && workerRunning(id) == 0) {
                    results.read(this::onResult, Integer.MAX_VALUE);
                    if (pending.containsKey(id) && workerRunning(id) == 0) {
                        fail(id, new WorkerDiedException(id, sweep.pid, sweep.status,
                            "after taking it from the queue, before it could run it"));
                    }
                }
            }
        }
    }

    private void fail(long id, RuntimeException failure) {
        CompletableFuture<byte[]> future = pending.remove(id);
        if (future != null) {
            memory.getAndAddLong(FAILED_OFFSET, 1);
            future.completeExceptionally(failure);
        }
    }

    private void failAll(Throwable failure) {
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<byte[]> future = pending.remove(id);
            if (future != null) {
                memory.getAndAddLong(FAILED_OFFSET, 1);
                future.completeExceptionally(failure);
            }
        }
    }

    /**
     * Graceful end: one stop message per worker, then wait for them (killing any that hang).
     *
     * @return false if a task was submitted meanwhile (it got in before the shutdown): not yet
     */
    private boolean stopWorkers() throws InterruptedException {
        synchronized (submitLock) {
            if (runState == STATE_SHUTTING_DOWN && !pending.isEmpty()) {
                return false; // no later submitter gets past the state check while we hold the lock
            }
            for (Worker w : workers) {
                if (w.child.isAlive()) {
                    if (tasks.put(PoolDescriptor.STOP, new byte[0], 1, TimeUnit.SECONDS)) {
                        nextPosition++;
                    }
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Worker w : workers) {
            w.child.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        if (runState != STATE_BROKEN) {
            setState(STATE_TERMINATED);
        }
        terminate(false);
        return true;
    }

    private int terminate(boolean cancel) {
        return terminate(cancel, null);
    }

    /**
     * Kills the workers, ends the pending futures (cancelled, or failed), unmaps and removes the
     * regions, then completes {@link #terminated}: normally, or with {@code cause}.
     */
    private synchronized int terminate(boolean cancel, Throwable cause) {
        if (terminated.isDone()) {
            return 0;
        }
        for (Worker w : workers) {
            w.child.kill();
        }
        for (Worker w : workers) {
            try {
                w.child.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            w.child.close();
        }
        int cancelled = 0;
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<byte[]> future = pending.remove(id);
            if (future != null && (cancel ? future.cancel(false)
                : future.completeExceptionally(new CancellationException("pool '" + name + "' terminated")))) {
                cancelled++;
            }
        }
        synchronized (submitLock) { // no submitter is inside the queue while it is unmapped
            synchronized (stateLock) {
                closeRegions();
                if (cause == null) {
                    terminated.complete(null);
                } else {
                    terminated.completeExceptionally(cause);
                }
            }
        }
        return cancelled;
    }

    private void closeRegions() {
        tasks.close();
        results.close();
        unlinkAll();
        state.close();
    }

    private void unlinkAll() {
        for (String region : List.of(name + "-tasks", name + "-results", name)) {
            try {
                if (region.endsWith("-results")) {
                    MpscRing.remove(directory, region); // and its lane files
                } else {
                    directory.unlink(region);
                }
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    private void setState(int value) {
        synchronized (stateLock) {
            if (runState == STATE_TERMINATED && value != STATE_TERMINATED) {
                return;
            }
            runState = value;
            if (!terminated.isDone()) {
                memory.putLongVolatile(STATE_OFFSET, value);
            }
        }
    }

    private Worker launch(int index) {
        ChildJvm.Builder builder = ChildJvm.builder(PoolWorker.class)
            .jvmOptions(settings.jvmOptions.toArray(String[]::new))
            .args(directory.path().toString(), name, Integer.toString(index), Long.toString(settings.maxTasksPerWorker),
                settings.initializer == null ? "-" : settings.initializer,
                settings.initializer == null ? "-" : PoolMessages.hex(settings.initializerArgument));
        Worker worker = new Worker(index, builder.start());
        memory.getAndAddLong(LAUNCHED_OFFSET, 1);
        return worker;
    }

    private static final class Worker {
        final int index;
        final ChildJvm child;
        boolean started;

        Worker(int index, ChildJvm child) {
            this.index = index;
            this.child = child;
        }
    }

    private record Sweep(long deadline, List<Long> candidates, long pid, OptionalInt status) {
    }
}
