package io.interproc.pool;

import static io.interproc.pool.PoolDescriptor.ERROR;
import static io.interproc.pool.PoolDescriptor.INIT_FAILED;
import static io.interproc.pool.PoolDescriptor.RESULT;
import static io.interproc.pool.PoolDescriptor.RUNNING_TASK;
import static io.interproc.pool.PoolDescriptor.STOP;
import static io.interproc.pool.PoolDescriptor.TASKS_DONE;
import static io.interproc.pool.PoolDescriptor.WORKER_PID;
import static io.interproc.pool.PoolDescriptor.WORKER_START;

import io.interproc.core.JvmTask;
import io.interproc.core.ProcessIdentity;
import io.interproc.core.Region;
import io.interproc.core.RegionDirectory;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.queue.mpmc.MpmcQueue;
import io.interproc.queue.ring.MpscRing;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The main class of a {@link ProcessPool} worker JVM; launched by the pool, not by users. Arguments:
 * directory, pool name, worker index, maximum tasks (0 for no limit), initializer class or
 * {@code -}, initializer argument (hex) or {@code -}. Takes tasks from the pool's queue until it
 * takes a stop message, reaches its task limit, or the pool process dies.
 */
public final class PoolWorker implements JvmTask {
    private final Map<String, Task> tasks = new HashMap<>();
    private long taskId;
    private int type;
    private String className;
    private byte[] input;

    @Override
    public void run(String[] args) throws Exception {
        RegionDirectory directory = RegionDirectory.of(Path.of(args[0]));
        String name = args[1];
        int index = Integer.parseInt(args[2]);
        long maxTasks = Long.parseLong(args[3]);
        try (Region state = directory.open(name, PoolDescriptor.TYPE);
             MpmcQueue queue = MpmcQueue.open(directory, name + "-tasks");
             MpscRing ring = MpscRing.open(directory, name + "-results");
             MpscRing.Producer results = ring.attach()) {
            PoolDescriptor.check(state);
            if (index < 0 || index >= state.parameter(0)) {
                throw new IllegalArgumentException("worker index " + index + " outside pool '" + name + "'");
            }
            MemoryAccess m = state.memory();
            long slot = PoolDescriptor.slot(index);
            int limit = ring.maxMessageLength();
            ProcessIdentity me = ProcessIdentity.current();
            m.putLongVolatile(slot + RUNNING_TASK, 0);
            m.putLongVolatile(slot + TASKS_DONE, 0);
            m.putLongVolatile(slot + WORKER_START, me.startTime());
            m.putLongVolatile(slot + WORKER_PID, me.pid());
            if (!args[4].equals("-")) {
                try {
                    WorkerInitializer initializer = instantiate(args[4], WorkerInitializer.class);
                    initializer.initialize(args[5].equals("-") ? new byte[0] : PoolMessages.unhex(args[5]));
                } catch (Throwable t) {
                    results.put(INIT_FAILED, PoolMessages.initFailure(me.pid(), t, limit));
                    return;
                }
            }
            for (long done = 0; maxTasks <= 0 || done < maxTasks; done++) {
                queue.take(this::receive);
                if (type == STOP) {
                    return;
                }
                m.putLongVolatile(slot + RUNNING_TASK, taskId + 1);
                byte[] reply;
                int replyType;
                try {
                    byte[] result = task(className).apply(input);
                    if (result == null) {
                        throw new NullPointerException("task " + className + " returned null");
                    }
                    if (result.length > limit - ProcessPool.RESULT_OVERHEAD) {
                        throw new IllegalArgumentException("result of " + result.length + " bytes exceeds the pool's "
                            + "maximum of " + (limit - ProcessPool.RESULT_OVERHEAD) + " (max message length " + limit
                            + " minus " + ProcessPool.RESULT_OVERHEAD + ")");
                    }
                    reply = PoolMessages.result(taskId, result);
                    replyType = RESULT;
                } catch (Throwable t) {
                    reply = PoolMessages.failure(taskId, me.pid(), t, limit);
                    replyType = ERROR;
                }
                results.put(replyType, reply);
                m.putLongRelease(slot + RUNNING_TASK, 0);
                m.getAndAddLong(slot + TASKS_DONE, 1);
            }
        }
    }

    private void receive(int messageType, MemorySegment buffer, long offset, int length) {
        type = messageType;
        if (messageType != PoolDescriptor.TASK) {
            return;
        }
        PoolMessages.TaskMessage task = PoolMessages.readTask(buffer, offset, length);
        taskId = task.id();
        className = task.className();
        input = task.input();
    }

    private Task task(String name) throws ReflectiveOperationException {
        Task task = tasks.get(name);
        if (task == null) {
            task = instantiate(name, Task.class);
            tasks.put(name, task);
        }
        return task;
    }

    private static <T> T instantiate(String name, Class<T> kind) throws ReflectiveOperationException {
        Class<?> type = Class.forName(name, true, Thread.currentThread().getContextClassLoader());
        if (!kind.isAssignableFrom(type)) {
            throw new ClassCastException(name + " does not implement " + kind.getName());
        }
        return kind.cast(type.getConstructor().newInstance());
    }

}
