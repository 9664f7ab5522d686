package io.interproc.core;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;

/**
 * Everything needed to create a region: its type, the length of its body (the structure's bytes,
 * after the header) and the values of the type's parameters, plus the file permissions on POSIX
 * file systems (owner read-write only unless asked).
 *
 * @param type        the structure's type
 * @param bodyLength  bytes after the header, &gt;= 0
 * @param parameters  one value per {@link RegionType#parameterNames()} entry
 * @param permissions permissions of the created file (the umask still applies)
 */
public record RegionSpec(RegionType type, long bodyLength, long[] parameters, Set<PosixFilePermission> permissions) {
    /** Owner read and write: {@code 0600}. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** Copies {@code parameters} and {@code permissions}, so that the record's stay its own. */
    public RegionSpec {
        parameters = parameters.clone();
        permissions = Set.copyOf(permissions);
        if (bodyLength < 0 || bodyLength > Long.MAX_VALUE - RegionHeader.LENGTH) {
            throw new IllegalArgumentException("region body length must be >= 0, got " + bodyLength);
        }
        if (parameters.length != type.parameterNames().size()) {
            throw new IllegalArgumentException("region type '" + type.name() + "' takes "
                + type.parameterNames().size() + " parameters " + type.parameterNames() + ", got "
                + parameters.length);
        }
    }

    /**
     * A spec with owner-only permissions.
     *
     * @param type the type the region must have
     */
    public RegionSpec(RegionType type, long bodyLength, long... parameters) {
        this(type, bodyLength, parameters, OWNER_ONLY);
    }

    /** {@return the same spec with other file permissions} */
    public RegionSpec withPermissions(Set<PosixFilePermission> newPermissions) {
        return new RegionSpec(type, bodyLength, parameters, newPermissions);
    }

    /** {@return the file's whole length: header plus body} */
    public long totalLength() {
        return RegionHeader.LENGTH + bodyLength;
    }

    /** {@return a copy of the type's parameters} */
    @Override
    public long[] parameters() {
        return parameters.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegionSpec s && type.equals(s.type) && bodyLength == s.bodyLength
            && Arrays.equals(parameters, s.parameters) && permissions.equals(s.permissions);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Long.hashCode(bodyLength)) + Arrays.hashCode(parameters);
    }

    @Override
    public String toString() {
        return "RegionSpec[" + type.name() + " v" + type.version() + ", body " + bodyLength + " bytes, parameters "
            + Arrays.toString(parameters) + "]";
    }
}
