package io.interproc.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegionNameTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "..", ".", ".hidden", "a\\b", "tab\there", "nul\u0000x", "sp ace", "é"})
    void shouldRejectNamesThatAreNotPlainNames(String name) {
        RegionDirectory directory = RegionDirectory.of(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> directory.create(name, new RegionSpec(RegionType.of("t", 1), 64), r -> { }));
        assertTrue(e.getMessage().contains("region name"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> directory.open(name, RegionType.of("t", 1)));
        assertThrows(IllegalArgumentException.class, () -> directory.unlink(name));
    }

    @Test
    void shouldNameTheProblemInTheMessage() {
        assertMessage("a/b", "path separator '/'");
        assertMessage("nul\u0000x", "control character U+0000");
        assertMessage("", "must not be empty");
        assertMessage("x".repeat(300), "300 characters");
        assertMessage("../x", "must not start with '.'");
    }

    @Test
    void shouldAcceptPlainNames() {
        assertDoesNotThrow(() -> RegionDirectory.checkName("orders.ring-1_A"));
        assertDoesNotThrow(() -> RegionDirectory.checkName("x".repeat(RegionDirectory.MAX_NAME_LENGTH)));
    }

    private static void assertMessage(String name, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RegionDirectory.checkName(name));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
