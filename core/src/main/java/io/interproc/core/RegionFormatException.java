package io.interproc.core;

/**
 * A region file is not what it must be: truncated, corrupt, of another type, or of a layout
 * version this library does not read. The message names the file and the field at fault.
 */
public class RegionFormatException extends RegionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the region or structure
     */
    public RegionFormatException(String message) {
        super(message);
    }
}
