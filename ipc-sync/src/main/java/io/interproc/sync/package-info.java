/**
 * interproc synchronization between JVMs, built on {@code io.interproc.core}: so far
 * {@link io.interproc.sync.SharedLock} (robust, optionally reentrant) and
 * {@link io.interproc.sync.SharedEvent}. Semaphores, conditions, barriers, latches and shared
 * atomics are still to come.
 */
package io.interproc.sync;
