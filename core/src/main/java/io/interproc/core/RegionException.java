package io.interproc.core;

/**
 * A region could not be created, opened or removed: the message names the region, the file and
 * the problem (missing directory, no space, permission, lock held...).
 */
public class RegionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegionException(String message) {
        super(message);
    }

    public RegionException(String message, Throwable cause) {
        super(message, cause);
    }
}
