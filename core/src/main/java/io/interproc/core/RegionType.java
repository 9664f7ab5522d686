package io.interproc.core;

import java.util.List;

/**
 * What kind of structure a region holds, written in its header and checked by every
 * {@code open}: a short name, the structure's own layout version, and the names of its
 * parameters (at most {@link RegionHeader#MAX_PARAMETERS}; named in error messages and by tools).
 *
 * @param name           1 to 16 characters from {@code [a-z0-9._-]}, for example {@code "spsc-ring"}
 * @param version        layout version of the structure's body, &gt;= 1; a file of another version
 *                       is refused by {@code open}
 * @param parameterNames names of the type's parameters, in header order
 */
public record RegionType(String name, int version, List<String> parameterNames) {
    /** Checks the name, version and parameter names, and copies the list. */
    public RegionType {
        if (name == null || name.isEmpty() || name.length() > RegionHeader.TYPE_NAME_LENGTH
            || !name.chars().allMatch(RegionType::isTypeNameChar)) {
            throw new IllegalArgumentException("region type name must be 1 to " + RegionHeader.TYPE_NAME_LENGTH
                + " characters from [a-z0-9._-], got '" + name + "'");
        }
        if (version < 1) {
            throw new IllegalArgumentException("region type version must be >= 1, got " + version);
        }
        parameterNames = List.copyOf(parameterNames);
        if (parameterNames.size() > RegionHeader.MAX_PARAMETERS) {
            throw new IllegalArgumentException("a region type has at most " + RegionHeader.MAX_PARAMETERS
                + " parameters, got " + parameterNames.size());
        }
    }

    /**
     * Convenience: {@code new RegionType(name, version, List.of(parameterNames))}.
     *
     * @param name the name, a file name in the directory
     */
    public static RegionType of(String name, int version, String... parameterNames) {
        return new RegionType(name, version, List.of(parameterNames));
    }

    static boolean isTypeNameChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    }
}
