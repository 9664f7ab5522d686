package io.interproc.core;

/** {@code create} found a region of that name already in the directory. */
public class RegionExistsException extends RegionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the region or structure
     */
    public RegionExistsException(String message) {
        super(message);
    }
}
