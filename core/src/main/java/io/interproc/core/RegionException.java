package io.interproc.core;

/**
 * A region could not be created, opened or removed: the message names the region, the file and
 * the problem (missing directory, no space, permission, lock held...).
 */
public class RegionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the region or structure
     */
    public RegionException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the region or structure
     * @param cause what caused it
     */
    public RegionException(String message, Throwable cause) {
        super(message, cause);
    }
}
