package io.interproc.core;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * What a region's header says, read without attaching to it (see {@link RegionDirectory#describe}).
 *
 * @param name        the region's name
 * @param path        its file
 * @param typeName    the structure's type, e.g. {@code ring}
 * @param typeVersion the structure's layout version
 * @param length      file length in bytes
 * @param parameters  the type's parameters, in header order
 * @param creator     the process that created it
 * @param createdAt   when
 * @param inUse       whether any live process has it open
 */
public record RegionInfo(String name, Path path, String typeName, int typeVersion, long length, long[] parameters,
                         ProcessIdentity creator, Instant createdAt, boolean inUse) {
    /** Copies {@code parameters}, so that the record's stays its own. */
    public RegionInfo {
        parameters = parameters.clone();
    }

    /** {@return a copy of the type's parameters} */
    @Override
    public long[] parameters() {
        return parameters.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegionInfo r && name.equals(r.name) && path.equals(r.path) && typeName.equals(r.typeName)
            && typeVersion == r.typeVersion && length == r.length && Arrays.equals(parameters, r.parameters)
            && creator.equals(r.creator) && createdAt.equals(r.createdAt) && inUse == r.inUse;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(parameters);
    }

    @Override
    public String toString() {
        return "RegionInfo[" + name + ", " + typeName + " v" + typeVersion + ", " + length + " bytes, parameters "
            + Arrays.toString(parameters) + ", creator " + creator + ", in use " + inUse + "]";
    }
}
