package io.interproc.pool;

import io.interproc.core.Region;
import io.interproc.core.RegionFormatException;
import io.interproc.core.RegionType;

/**
 * Layout of a process pool's state region, and of the messages its queues carry. A pool named
 * {@code P} uses three regions: {@code P} (this state), {@code P-tasks} (an
 * {@link io.interproc.queue.mpmc.MpmcQueue} from the pool to its workers) and {@code P-results}
 * (an {@link io.interproc.queue.ring.MpscRing} from the workers to the pool: a lane per worker, its
 * files {@code P-results.laneN.G}).
 *
 * <pre>
 *  body offset
 *     0  +---------------------------------------------------------------+
 *        |  Pool Pid (64)                 |  Pool Start Time (64)        |
 *    16  |  Submitted (64): tasks put on the queue                       |
 *    24  |  Completed (64): results received                             |
 *    32  |  Failed (64): tasks failed (thrown, worker died, cancelled)    |
 *    40  |  Workers Launched (64)                                        |
 *    48  |  State (64): 0 running, 1 shutting down, 2 terminated, 3 broken|
 *   128  +---------------------------------------------------------------+
 *        |  Worker slot 0 (64 bytes, below), then 1 .. workers-1        ...
 *        +---------------------------------------------------------------+
 *
 *  worker slot
 *     0  |  Worker Pid (64), 0 before the worker started                 |
 *     8  |  Worker Start Time (64)                                       |
 *    16  |  Running Task (64): task id + 1 while it runs, 0 when idle     |
 *    24  |  Tasks Done (64)                                              |
 * </pre>
 *
 * Only the pool writes the first line; each worker writes only its own slot. Messages:
 *
 * <pre>
 *  task queue, type TASK:    Task Id (64) | Class Name Length (16) | Class Name (UTF-8) | Input
 *  task queue, type STOP:    (empty): the worker that takes it exits
 *  result ring, type RESULT: Task Id (64) | Result
 *  result ring, type ERROR:  Task Id (64) | Worker Pid (64) | Error
 *  result ring, type INIT_FAILED: Worker Pid (64) | Error
 *  Error: three UTF-8 strings, each Length (32) | Bytes: class name, message, stack trace
 * </pre>
 *
 * A task's id is its position in the task queue: the pool is the queue's only producer and puts
 * under a lock, so the queue's consumer position tells which tasks have left it.
 */
public final class PoolDescriptor {
    /** Region type of a pool's state: parameters workers and max message length. */
    public static final RegionType TYPE = RegionType.of("pool", 1, "workers", "maxMessageLength");

    /** Offset of the Pool Pid field (see the drawing above). */
    public static final int POOL_PID_OFFSET = 0;
    /** Offset of the Pool Start Time field (see the drawing above). */
    public static final int POOL_START_OFFSET = 8;
    /** Offset of the Submitted field (see the drawing above). */
    public static final int SUBMITTED_OFFSET = 16;
    /** Offset of the Completed field (see the drawing above). */
    public static final int COMPLETED_OFFSET = 24;
    /** Offset of the Failed field (see the drawing above). */
    public static final int FAILED_OFFSET = 32;
    /** Offset of the Workers Launched field (see the drawing above). */
    public static final int LAUNCHED_OFFSET = 40;
    /** Offset of the State field (see the drawing above). */
    public static final int STATE_OFFSET = 48;
    /** Offset of worker slot 0 (see the drawing above). */
    public static final int SLOTS_OFFSET = 128;
    /** Bytes of a worker slot. */
    public static final int SLOT_LENGTH = 64;

    /** Offset of Worker Pid in a worker slot. */
    public static final int WORKER_PID = 0;
    /** Offset of Worker Start Time in a worker slot. */
    public static final int WORKER_START = 8;
    /** Offset of Running Task in a worker slot. */
    public static final int RUNNING_TASK = 16;
    /** Offset of Tasks Done in a worker slot. */
    public static final int TASKS_DONE = 24;

    /** State: accepting tasks. */
    public static final int STATE_RUNNING = 0;
    /** State: shut down, finishing the tasks submitted. */
    public static final int STATE_SHUTTING_DOWN = 1;
    /** State: ended; workers stopped, regions being removed. */
    public static final int STATE_TERMINATED = 2;
    /** State: the initializer failed, or workers could not start: every task fails. */
    public static final int STATE_BROKEN = 3;

    /** Task queue message type: a task (see the messages above). */
    public static final int TASK = 1;
    /** Task queue message type: the worker that takes it exits. */
    public static final int STOP = 2;
    /** Result ring message type: a task's result. */
    public static final int RESULT = 1;
    /** Result ring message type: a task's failure. */
    public static final int ERROR = 2;
    /** Result ring message type: the worker's initializer failed. */
    public static final int INIT_FAILED = 3;

    /** Most workers a pool may have. */
    public static final int MAX_WORKERS = 1024;

    private PoolDescriptor() {
    }

    /**
     * Checks a pool state region's parameters against its size, so that no slot is read outside it.
     *
     * @throws RegionFormatException naming what is wrong
     */
    public static void check(Region region) {
        long workers = region.parameter(0);
        long max = region.parameter(1);
        if (workers < 1 || workers > MAX_WORKERS || max < 1 || max > Integer.MAX_VALUE
            || region.body().byteSize() != bodyLength((int) workers)) {
            throw new RegionFormatException("pool '" + region.name() + "' is corrupt: " + workers + " workers, max message "
                + max + ", body " + region.body().byteSize() + " bytes");
        }
    }

    /**
     * {@return the body length of a pool with {@code workers} workers}
     *
     * @param workers worker JVMs, at least 1
     */
    public static long bodyLength(int workers) {
        return SLOTS_OFFSET + (long) workers * SLOT_LENGTH;
    }

    /**
     * {@return the offset of worker {@code index}'s slot}
     *
     * @param index the index, from 0
     */
    public static long slot(int index) {
        return SLOTS_OFFSET + (long) index * SLOT_LENGTH;
    }

    /** {@return the name of state value {@code state}} */
    public static String stateName(long state) {
        return switch ((int) state) {
            case STATE_RUNNING -> "running";
            case STATE_SHUTTING_DOWN -> "shutting down";
            case STATE_TERMINATED -> "terminated";
            case STATE_BROKEN -> "broken";
            default -> "corrupt (" + state + ")";
        };
    }
}
