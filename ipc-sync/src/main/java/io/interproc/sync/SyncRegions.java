package io.interproc.sync;

import io.interproc.core.Region;
import io.interproc.core.RegionFormatException;

/** Checks every synchronizer makes of its region before it reads a field of the body. */
final class SyncRegions {
    private SyncRegions() {
    }

    /** @throws RegionFormatException if the body is not exactly {@code length} bytes */
    static void checkBodyLength(Region region, String kind, long length) {
        if (region.body().byteSize() != length) {
            throw new RegionFormatException(kind + " '" + region.name() + "' has a " + region.body().byteSize()
                + "-byte body, expected " + length);
        }
    }
}
