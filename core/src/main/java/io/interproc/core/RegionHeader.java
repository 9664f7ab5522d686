package io.interproc.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Layout of the header at the start of every region file: the ABI between processes. Integers are
 * in the machine's native byte order (regions are shared within one machine). The structure's
 * body starts at {@link #LENGTH}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                 Magic "INTERPRC" (8 ASCII bytes)              |  0
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                 Header Layout Version                         |  8
 * +---------------------------------------------------------------+
 * |                 Header Length                                 | 12
 * +---------------------------------------------------------------+
 * |                 Total Length (header + body)                  | 16
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                 Type Name (16 ASCII bytes, NUL padded)       ...  24
 * +---------------------------------------------------------------+
 * |                 Type Version                                  | 40
 * +---------------------------------------------------------------+
 * |                 Parameter Count (0..8)                        | 44
 * +---------------------------------------------------------------+
 * |                 Parameters (8 x 64-bit, unused ones 0)       ...  48
 * +---------------------------------------------------------------+
 * |                 Creator Pid                                   | 112
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                 Creator Start Time                            | 120
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                 Created At (ms since the epoch)               | 128
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                 Checksum (CRC-32C of bytes 0..135)            | 136
 * +---------------------------------------------------------------+
 * |                 Reserved (0) up to byte 255                  ...  140
 * +---------------------------------------------------------------+
 * </pre>
 *
 * Every field is written once, before the file is published under its name, and never changes.
 */
public final class RegionHeader {
    /** The first eight bytes of every region file. */
    public static final String MAGIC = "INTERPRC";
    /** Version of this header layout. */
    public static final int LAYOUT_VERSION = 1;
    /** Bytes of header; the body starts here (a multiple of two 64-byte cache lines). */
    public static final int LENGTH = 256;
    /** Most parameters a region type may have. */
    public static final int MAX_PARAMETERS = 8;
    /** Bytes reserved for the type name. */
    public static final int TYPE_NAME_LENGTH = 16;

    /** Offset of the Magic field (see the drawing above). */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the Layout Version field (see the drawing above). */
    public static final int LAYOUT_VERSION_OFFSET = 8;
    /** Offset of the Header Length field (see the drawing above). */
    public static final int HEADER_LENGTH_OFFSET = 12;
    /** Offset of the Total Length field (see the drawing above). */
    public static final int TOTAL_LENGTH_OFFSET = 16;
    /** Offset of the Type Name field (see the drawing above). */
    public static final int TYPE_NAME_OFFSET = 24;
    /** Offset of the Type Version field (see the drawing above). */
    public static final int TYPE_VERSION_OFFSET = 40;
    /** Offset of the Parameter Count field (see the drawing above). */
    public static final int PARAMETER_COUNT_OFFSET = 44;
    /** Offset of the Parameters field (see the drawing above). */
    public static final int PARAMETERS_OFFSET = 48;
    /** Offset of the Creator Pid field (see the drawing above). */
    public static final int CREATOR_PID_OFFSET = 112;
    /** Offset of the Creator Start Time field (see the drawing above). */
    public static final int CREATOR_START_TIME_OFFSET = 120;
    /** Offset of the Created At field (see the drawing above). */
    public static final int CREATED_AT_OFFSET = 128;
    /** Offset of the Checksum field (see the drawing above). */
    public static final int CHECKSUM_OFFSET = 136;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private RegionHeader() {
    }

    /** The header's fields, as read from a file and checked. */
    record Fields(String typeName, int typeVersion, long totalLength, long[] parameters, ProcessIdentity creator,
                  long createdAtMillis) {
    }

    /** Writes a complete header for {@code spec}, created now by this process. */
    static void write(MemorySegment header, RegionSpec spec) {
        header.asSlice(0, LENGTH).fill((byte) 0);
        MemorySegment.copy(MAGIC.getBytes(StandardCharsets.US_ASCII), 0, header, ValueLayout.JAVA_BYTE, MAGIC_OFFSET, 8);
        header.set(INT, LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
        header.set(INT, HEADER_LENGTH_OFFSET, LENGTH);
        header.set(LONG, TOTAL_LENGTH_OFFSET, spec.totalLength());
        byte[] typeName = spec.type().name().getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(typeName, 0, header, ValueLayout.JAVA_BYTE, TYPE_NAME_OFFSET, typeName.length);
        header.set(INT, TYPE_VERSION_OFFSET, spec.type().version());
        long[] parameters = spec.parameters();
        header.set(INT, PARAMETER_COUNT_OFFSET, parameters.length);
        for (int i = 0; i < parameters.length; i++) {
            header.set(LONG, PARAMETERS_OFFSET + 8L * i, parameters[i]);
        }
        ProcessIdentity creator = ProcessIdentity.current();
        header.set(LONG, CREATOR_PID_OFFSET, creator.pid());
        header.set(LONG, CREATOR_START_TIME_OFFSET, creator.startTime());
        header.set(LONG, CREATED_AT_OFFSET, System.currentTimeMillis());
        header.set(INT, CHECKSUM_OFFSET, checksum(header));
    }

    /**
     * Checks every field of a header read from a file of {@code fileSize} bytes.
     *
     * @param header   at least {@code min(fileSize, LENGTH)} bytes from the file's start
     * @param expected the type the caller expects, or null to accept any well-formed type
     * @param what     the file, for messages
     * @return the fields
     * @throws RegionFormatException naming the first field at fault
     */
    static Fields read(MemorySegment header, long fileSize, RegionType expected, String what) {
        if (fileSize < LENGTH) {
            throw new RegionFormatException(what + " is truncated: the file has " + fileSize
                + " bytes, less than the " + LENGTH + "-byte region header");
        }
        byte[] magic = header.asSlice(MAGIC_OFFSET, 8).toArray(ValueLayout.JAVA_BYTE);
        if (!MAGIC.equals(new String(magic, StandardCharsets.ISO_8859_1))) {
            throw new RegionFormatException(what + " is not an interproc region: bad magic (expected '" + MAGIC
                + "', found " + printable(magic) + ")");
        }
        int layoutVersion = header.get(INT, LAYOUT_VERSION_OFFSET);
        if (layoutVersion != LAYOUT_VERSION) {
            throw new RegionFormatException(what + " has header layout version " + layoutVersion + "; this library reads "
                + "version " + LAYOUT_VERSION + (layoutVersion > LAYOUT_VERSION ? " (made by a newer interproc?)" : ""));
        }
        int headerLength = header.get(INT, HEADER_LENGTH_OFFSET);
        if (headerLength != LENGTH) {
            throw new RegionFormatException(what + " has a corrupt header length " + headerLength + " (expected " + LENGTH + ")");
        }
        long totalLength = header.get(LONG, TOTAL_LENGTH_OFFSET);
        if (totalLength < LENGTH) {
            throw new RegionFormatException(what + " has a corrupt total length " + totalLength
                + " (less than the header)");
        }
        if (totalLength > fileSize) {
            throw new RegionFormatException(what + " is truncated: its header says " + totalLength
                + " bytes but the file has " + fileSize);
        }
        if (totalLength < fileSize) {
            throw new RegionFormatException(what + " has a corrupt total length: its header says " + totalLength
                + " bytes but the file has " + fileSize);
        }
        byte[] typeBytes = header.asSlice(TYPE_NAME_OFFSET, TYPE_NAME_LENGTH).toArray(ValueLayout.JAVA_BYTE);
        int typeLength = 0;
        while (typeLength < TYPE_NAME_LENGTH && typeBytes[typeLength] != 0) {
            typeLength++;
        }
        boolean typeOk = typeLength > 0;
        for (int i = 0; i < TYPE_NAME_LENGTH; i++) {
            typeOk &= i < typeLength ? RegionType.isTypeNameChar(typeBytes[i]) : typeBytes[i] == 0;
        }
        if (!typeOk) {
            throw new RegionFormatException(what + " has a corrupt type name " + printable(typeBytes));
        }
        String typeName = new String(typeBytes, 0, typeLength, StandardCharsets.US_ASCII);
        int typeVersion = header.get(INT, TYPE_VERSION_OFFSET);
        if (typeVersion < 1) {
            throw new RegionFormatException(what + " has a corrupt type version " + typeVersion);
        }
        if (expected != null && !expected.name().equals(typeName)) {
            throw new RegionFormatException(what + " holds a '" + typeName + "', not a '" + expected.name() + "'");
        }
        if (expected != null && expected.version() != typeVersion) {
            throw new RegionFormatException(what + " is a '" + typeName + "' of layout version " + typeVersion
                + "; this library reads version " + expected.version()
                + (typeVersion > expected.version() ? " (made by a newer interproc?)" : " (made by an older interproc?)"));
        }
        int count = header.get(INT, PARAMETER_COUNT_OFFSET);
        int expectedCount = expected == null ? count : expected.parameterNames().size();
        if (count < 0 || count > MAX_PARAMETERS || count != expectedCount) {
            throw new RegionFormatException(what + " has a corrupt parameter count " + count + " (expected "
                + (expected == null ? "0.." + MAX_PARAMETERS : Integer.toString(expectedCount)) + ")");
        }
        long[] parameters = new long[count];
        for (int i = 0; i < MAX_PARAMETERS; i++) {
            long value = header.get(LONG, PARAMETERS_OFFSET + 8L * i);
            if (i < count) {
                parameters[i] = value;
            } else if (value != 0) {
                throw new RegionFormatException(what + " has a corrupt unused parameter slot " + i + " (" + value
                    + ", expected 0)");
            }
        }
        long pid = header.get(LONG, CREATOR_PID_OFFSET);
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new RegionFormatException(what + " has a corrupt creator pid " + pid);
        }
        long startTime = header.get(LONG, CREATOR_START_TIME_OFFSET);
        if (startTime < 0) {
            throw new RegionFormatException(what + " has a corrupt creator start time " + startTime);
        }
        long createdAt = header.get(LONG, CREATED_AT_OFFSET);
        if (createdAt <= 0) {
            throw new RegionFormatException(what + " has a corrupt creation time " + createdAt);
        }
        int stored = header.get(INT, CHECKSUM_OFFSET);
        int computed = checksum(header);
        if (stored != computed) {
            throw new RegionFormatException(what + " has a corrupt header: checksum " + Integer.toHexString(stored)
                + " does not match its contents (" + Integer.toHexString(computed) + ")");
        }
        for (long i = CHECKSUM_OFFSET + 4; i < LENGTH; i++) {
            if (header.get(ValueLayout.JAVA_BYTE, i) != 0) {
                throw new RegionFormatException(what + " has a corrupt header: reserved byte " + i + " is not 0");
            }
        }
        return new Fields(typeName, typeVersion, totalLength, parameters, new ProcessIdentity(pid, startTime), createdAt);
    }

    /** {@return the parameter names of {@code type} paired with values, for messages} */
    static String describe(RegionType type, long[] parameters) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < parameters.length; i++) {
            parts.add(type.parameterNames().get(i) + "=" + parameters[i]);
        }
        return String.join(", ", parts);
    }

    private static int checksum(MemorySegment header) {
        CRC32C crc = new CRC32C();
        crc.update(header.asSlice(0, CHECKSUM_OFFSET).asByteBuffer());
        return (int) crc.getValue();
    }

    private static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder("'");
        for (byte b : bytes) {
            sb.append(b >= 0x20 && b < 0x7f ? Character.toString(b) : String.format("\\x%02x", b & 0xff));
        }
        return sb.append('\'').toString();
    }
}
