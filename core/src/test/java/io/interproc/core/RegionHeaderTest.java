package io.interproc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.testing.ShmTempDir;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionHeaderTest {
    static final RegionType TYPE = RegionType.of("test-type", 1, "capacity");

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void shouldPinTheLayout() {
        // The header is an ABI between processes and library versions: these numbers never change silently.
        assertEquals(256, RegionHeader.LENGTH);
        assertEquals(0, RegionHeader.MAGIC_OFFSET);
        assertEquals(8, RegionHeader.LAYOUT_VERSION_OFFSET);
        assertEquals(12, RegionHeader.HEADER_LENGTH_OFFSET);
        assertEquals(16, RegionHeader.TOTAL_LENGTH_OFFSET);
        assertEquals(24, RegionHeader.TYPE_NAME_OFFSET);
        assertEquals(40, RegionHeader.TYPE_VERSION_OFFSET);
        assertEquals(44, RegionHeader.PARAMETER_COUNT_OFFSET);
        assertEquals(48, RegionHeader.PARAMETERS_OFFSET);
        assertEquals(112, RegionHeader.CREATOR_PID_OFFSET);
        assertEquals(120, RegionHeader.CREATOR_START_TIME_OFFSET);
        assertEquals(128, RegionHeader.CREATED_AT_OFFSET);
        assertEquals(136, RegionHeader.CHECKSUM_OFFSET);
        assertEquals(1, RegionHeader.LAYOUT_VERSION);
        assertEquals(8, WaitWord.LENGTH);
    }

    @Test
    void shouldRejectEveryCorruptedFieldByName() throws IOException {
        assertCorrupt(b -> b.put(0, (byte) 'X'), "bad magic");
        assertCorrupt(b -> b.putInt(8, 99), "header layout version 99");
        assertCorrupt(b -> b.putInt(12, 128), "corrupt header length 128");
        assertCorrupt(b -> b.putLong(16, b.getLong(16) - 8), "corrupt total length");
        assertCorrupt(b -> b.putLong(16, b.getLong(16) + 8), "truncated: its header says");
        assertCorrupt(b -> b.putLong(16, 7), "corrupt total length 7");
        assertCorrupt(b -> b.putLong(16, Long.MIN_VALUE), "corrupt total length");
        assertCorrupt(b -> b.put(24, (byte) 1), "corrupt type name");
        assertCorrupt(b -> b.put(24 + 12, (byte) 'z'), "corrupt type name");
        assertCorrupt(b -> b.putInt(40, 0), "corrupt type version 0");
        assertCorrupt(b -> b.putInt(40, 7), "layout version 7");
        assertCorrupt(b -> b.putInt(44, 9), "corrupt parameter count 9");
        assertCorrupt(b -> b.putInt(44, -1), "corrupt parameter count -1");
        assertCorrupt(b -> b.putLong(48, 12345), "checksum");
        assertCorrupt(b -> b.putLong(48 + 8 * 3, 1), "unused parameter slot 3");
        assertCorrupt(b -> b.putLong(112, -5), "corrupt creator pid -5");
        assertCorrupt(b -> b.putLong(112, b.getLong(112) + 1), "checksum");
        assertCorrupt(b -> b.putLong(120, -1), "corrupt creator start time");
        assertCorrupt(b -> b.putLong(128, 0), "corrupt creation time");
        assertCorrupt(b -> b.putInt(136, b.getInt(136) ^ 1), "checksum");
        assertCorrupt(b -> b.put(200, (byte) 1), "reserved byte 200");
    }

    @Test
    void shouldRejectTruncatedAndForeignFiles() throws IOException {
        create("r").close();
        Path file = dir.resolve("r");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(300);
        }
        assertOpenFails("truncated: its header says");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(100);
        }
        assertOpenFails("truncated: the file has 100 bytes");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        assertOpenFails("truncated: the file has 0 bytes");
        Files.writeString(file, "just some text that is long enough? ".repeat(20));
        assertOpenFails("not an interproc region: bad magic");
    }

    @Test
    void shouldAcceptAnyWellFormedTypeWhenNoneIsExpected() {
        try (Region r = create("r")) {
            RegionHeader.Fields fields = RegionHeader.read(r.segment(), r.segment().byteSize(), null, "x");
            assertEquals("test-type", fields.typeName());
            assertEquals(1, fields.parameters().length);
            assertEquals(32, fields.parameters()[0]);
        }
    }

    private Region create(String name) {
        return RegionDirectory.of(dir).create(name, new RegionSpec(TYPE, 512, 32), r -> { });
    }

    private void assertCorrupt(Consumer<ByteBuffer> corruption, String expected) throws IOException {
        Files.deleteIfExists(dir.resolve("r"));
        create("r").close();
        try (FileChannel channel = FileChannel.open(dir.resolve("r"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(RegionHeader.LENGTH).order(ByteOrder.nativeOrder());
            channel.read(header, 0);
            corruption.accept(header);
            header.clear();
            channel.write(header, 0);
        }
        assertOpenFails(expected);
    }

    private void assertOpenFails(String expected) {
        RegionFormatException e = assertThrows(RegionFormatException.class, () -> RegionDirectory.of(dir).open("r", TYPE));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains("'r'"), e.getMessage());
    }
}
