package io.interproc.core.internal.wait;

/**
 * What a {@link WaitWord} needs from the region it lies in: the region's per-word watch
 * bookkeeping, which is no part of the region's public API. The region hands its host to each word
 * it makes.
 */
public interface WordHost {
    /** @return the region's watch on the word at {@code offset}, made for {@code word} if it has none */
    WordWatch watchOf(long offset, WaitWord word);

    /** This process starts watching the word at {@code offset} (a shared file lock on its watch byte). */
    void watch(long offset);

    /** This process stops watching the word at {@code offset}. */
    void unwatch(long offset);

    /** Runs {@code action} if no process watches the word at {@code offset}; @return true if it ran */
    boolean ifUnwatched(long offset, Runnable action);
}
