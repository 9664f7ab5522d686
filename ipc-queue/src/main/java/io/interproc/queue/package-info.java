/**
 * interproc queues: ring buffers (SPSC, MPSC), bounded MPMC queue, pipes and the process pool, built on
 * {@code io.interproc.core}. Not yet implemented: see the project's open issues.
 */
package io.interproc.queue;
