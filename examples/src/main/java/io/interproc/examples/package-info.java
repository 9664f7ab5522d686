/**
 * Runnable examples, each a main class that launches the other JVMs it needs and cleans up after
 * itself: {@link io.interproc.examples.RingExample}, {@link io.interproc.examples.CounterExample},
 * {@link io.interproc.examples.PoolExample}, {@link io.interproc.examples.PipeExample}. Run one with
 * {@code bin/example ring|counter|pool|pipe}.
 */
package io.interproc.examples;
