package io.interproc.core;

/** {@code create} found a region of that name already in the directory. */
public class RegionExistsException extends RegionException {
    private static final long serialVersionUID = 1L;

    public RegionExistsException(String message) {
        super(message);
    }
}
