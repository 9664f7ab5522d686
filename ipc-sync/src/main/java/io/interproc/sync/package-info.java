/**
 * interproc synchronization: locks, read-write locks, semaphores, conditions, events, barriers, latches and shared atomics, built on
 * {@code io.interproc.core}. Not yet implemented: see the project's open issues.
 */
package io.interproc.sync;
