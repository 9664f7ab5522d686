package io.interproc.core;

/** {@code open} found no region of that name in the directory. */
public class NoSuchRegionException extends RegionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the region or structure
     */
    public NoSuchRegionException(String message) {
        super(message);
    }
}
