package io.interproc.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.testing.ShmTempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionDirectoryTest {
    static final RegionType TYPE = RegionType.of("test-type", 1, "capacity", "width");

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private RegionDirectory directory() {
        return RegionDirectory.of(dir);
    }

    @Test
    void shouldCreateThenOpenWithHeaderAndInitializedBody() {
        try (Region created = directory().create("r", new RegionSpec(TYPE, 1024, 16, 3),
            r -> r.memory().putLongPlain(8, 42L))) {
            assertTrue(created.created());
            assertEquals(dir.resolve("r"), created.path());
            try (Region opened = directory().open("r", TYPE)) {
                assertFalse(opened.created());
                assertEquals(1024, opened.body().byteSize());
                assertEquals(RegionHeader.LENGTH + 1024, opened.segment().byteSize());
                assertEquals(16, opened.parameter("capacity"));
                assertEquals(3, opened.parameter(1));
                assertEquals(ProcessIdentity.current(), opened.creator());
                assertEquals(42L, opened.memory().getLongVolatile(8));
                opened.memory().putLongVolatile(16, 7L);
                assertEquals(7L, created.memory().getLongVolatile(16), "both handles map the same memory");
            }
        }
        assertEquals(List.of("r"), directory().list(), "no temporary file is left");
    }

    @Test
    void shouldRefuseToCreateTwice() {
        try (Region first = directory().create("r", new RegionSpec(TYPE, 64, 1, 1), r -> { })) {
            RegionExistsException e = assertThrows(RegionExistsException.class,
                () -> directory().create("r", new RegionSpec(TYPE, 64, 1, 1), r -> { }));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        }
        assertEquals(List.of("r"), directory().list());
    }

    @Test
    void shouldFailToOpenWhatDoesNotExist() {
        NoSuchRegionException e = assertThrows(NoSuchRegionException.class, () -> directory().open("missing", TYPE));
        assertTrue(e.getMessage().contains("'missing'"), e.getMessage());
    }

    @Test
    void shouldOpenOrCreateOnceThenOpen() {
        RegionSpec spec = new RegionSpec(TYPE, 64, 8, 2);
        try (Region a = directory().openOrCreate("r", spec, r -> { });
             Region b = directory().openOrCreate("r", spec, r -> { })) {
            assertTrue(a.created());
            assertFalse(b.created());
        }
    }

    @Test
    void shouldRefuseOpenOrCreateWithOtherParameters() {
        try (Region a = directory().create("r", new RegionSpec(TYPE, 64, 8, 2), r -> { })) {
            RegionFormatException e = assertThrows(RegionFormatException.class,
                () -> directory().openOrCreate("r", new RegionSpec(TYPE, 64, 16, 2), r -> { }));
            assertTrue(e.getMessage().contains("capacity=8") && e.getMessage().contains("capacity=16"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseWrongTypeAndVersion() {
        try (Region a = directory().create("r", new RegionSpec(TYPE, 64, 8, 2), r -> { })) {
            RegionFormatException wrongType = assertThrows(RegionFormatException.class,
                () -> directory().open("r", RegionType.of("other", 1, "capacity", "width")));
            assertTrue(wrongType.getMessage().contains("holds a 'test-type', not a 'other'"), wrongType.getMessage());
            RegionFormatException older = assertThrows(RegionFormatException.class,
                () -> directory().open("r", RegionType.of("test-type", 2, "capacity", "width")));
            assertTrue(older.getMessage().contains("layout version 1"), older.getMessage());
        }
    }

    @Test
    void shouldCreateOwnerOnlyFiles() throws Exception {
        try (Region a = directory().create("r", new RegionSpec(TYPE, 64, 8, 2), r -> { })) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a.path())));
        }
    }

    @Test
    void shouldNotFollowSymbolicLinks() throws Exception {
        try (Region a = directory().create("target", new RegionSpec(TYPE, 64, 8, 2), r -> { })) {
            Files.createSymbolicLink(dir.resolve("link"), dir.resolve("target"));
            RegionException e = assertThrows(RegionException.class, () -> directory().open("link", TYPE));
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
            assertThrows(RegionException.class, () -> directory().unlink("link"));
        }
    }

    @Test
    void shouldUnlinkTheNameWhileMappingsStayUsable() {
        try (Region a = directory().create("r", new RegionSpec(TYPE, 64, 8, 2), r -> { })) {
            assertTrue(a.unlink());
            assertFalse(directory().exists("r"));
            a.memory().putLongVolatile(0, 5L);
            assertEquals(5L, a.memory().getLongVolatile(0));
            assertFalse(a.unlink(), "nothing left to remove");
            try (Region b = directory().create("r", new RegionSpec(TYPE, 64, 8, 2), r -> { })) {
                assertFalse(a.unlink(), "the name now belongs to another region");
                assertTrue(directory().exists("r"));
                assertEquals(0L, b.memory().getLongVolatile(0));
            }
        }
        assertTrue(directory().unlink("r"));
        assertFalse(directory().unlink("r"));
    }

    @Test
    void shouldThrowOnUseAfterClose() {
        Region a = directory().create("r", new RegionSpec(TYPE, 64, 8, 2), r -> { });
        MemoryAccess memory = a.memory();
        a.close();
        a.close();
        assertTrue(a.isClosed());
        assertThrows(IllegalStateException.class, () -> memory.getLongVolatile(0));
        assertThrows(IllegalStateException.class, a::checkOpen);
    }

    @Test
    void shouldReportInUseWithinThisJvmAndReleaseOnLastClose() {
        RegionSpec spec = new RegionSpec(TYPE, 64, 8, 2);
        assertFalse(directory().isInUse("r"), "no such region is not in use");
        Region a = directory().create("r", spec, r -> { });
        Region b = directory().open("r", TYPE);
        assertTrue(directory().isInUse("r"));
        assertFalse(directory().unlinkIfUnused("r"), "a region in use is never removed");
        a.close();
        assertTrue(directory().isInUse("r"), "b still holds it");
        b.close();
        assertFalse(directory().isInUse("r"));
        assertTrue(directory().unlinkIfUnused("r"));
        assertFalse(directory().exists("r"));
    }

    @Test
    void shouldFailClearlyForMissingOrUnusableDirectories() throws Exception {
        RegionSpec spec = new RegionSpec(TYPE, 64, 8, 2);
        RegionException missing = assertThrows(RegionException.class,
            () -> RegionDirectory.of(dir.resolve("nope")).create("r", spec, r -> { }));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        assertThrows(RegionException.class, () -> RegionDirectory.of(dir.resolve("nope")).open("r", TYPE));

        Path file = Files.createFile(dir.resolve("plain-file"));
        RegionException notDir = assertThrows(RegionException.class,
            () -> RegionDirectory.of(file).create("r", spec, r -> { }));
        assertTrue(notDir.getMessage().contains("not a directory"), notDir.getMessage());

        // /proc refuses new files even to root: an unwritable directory whatever the user.
        RegionException unwritable = assertThrows(RegionException.class,
            () -> RegionDirectory.of(Path.of("/proc")).create("r", spec, r -> { }));
        assertTrue(unwritable.getMessage().contains("cannot create region 'r'"), unwritable.getMessage());
    }

    @Test
    void shouldFailAtCreateWhenTheDeviceHasNoRoomAndLeaveNothing() throws Exception {
        long total = Files.getFileStore(dir).getTotalSpace();
        RegionException e = assertThrows(RegionException.class,
            () -> directory().create("huge", new RegionSpec(TYPE, total * 2, 8, 2), r -> { }));
        assertTrue(e.getMessage().contains("cannot reserve") && e.getMessage().contains("'huge'"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the temporary file is removed");
        }
    }

    @Test
    void shouldCleanUpWhenTheInitializerFails() throws Exception {
        assertThrows(IllegalStateException.class, () -> directory().create("r", new RegionSpec(TYPE, 64, 8, 2), r -> {
            throw new IllegalStateException("init failed");
        }));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void shouldRemoveOnlyTheTemporariesOfDeadCreators() throws Exception {
        ProcessIdentity me = ProcessIdentity.current();
        Path mine = Files.createFile(dir.resolve(".r." + me.pid() + "-" + me.startTime() + ".abc.creating"));
        Path dead = Files.createFile(dir.resolve(".r." + me.pid() + "-" + (me.startTime() + 1) + ".abc.creating"));
        Path other = Files.createFile(dir.resolve(".not-a-temporary"));
        assertEquals(1, directory().removeAbandonedTemporaries());
        assertTrue(Files.exists(mine), "a live creator's file is kept");
        assertFalse(Files.exists(dead), "a dead creator's file is removed");
        assertTrue(Files.exists(other), "files that are not temporaries are left alone");
        assertEquals(List.of(), directory().list(), "temporaries are never listed as regions");
    }

    @Test
    void shouldUseTheDirectoryProperty() {
        String old = System.getProperty(RegionDirectory.DIRECTORY_PROPERTY);
        try {
            System.setProperty(RegionDirectory.DIRECTORY_PROPERTY, dir.resolve("sub").toString());
            RegionDirectory d = RegionDirectory.defaultDirectory();
            assertEquals(dir.resolve("sub"), d.path());
            try (Region r = d.create("r", new RegionSpec(TYPE, 64, 8, 2), x -> { })) {
                assertTrue(Files.isRegularFile(dir.resolve("sub").resolve("r")), "default directory created on demand");
            }
        } finally {
            if (old == null) {
                System.clearProperty(RegionDirectory.DIRECTORY_PROPERTY);
            } else {
                System.setProperty(RegionDirectory.DIRECTORY_PROPERTY, old);
            }
        }
    }

    @Test
    void shouldKeepParametersOutOfReachOfCallers() {
        long[] parameters = {8, 2};
        RegionSpec spec = new RegionSpec(TYPE, 64, parameters);
        parameters[0] = 99;
        assertArrayEquals(new long[] {8, 2}, spec.parameters());
        assertThrows(IllegalArgumentException.class, () -> new RegionSpec(TYPE, 64, 1));
        assertThrows(IllegalArgumentException.class, () -> new RegionSpec(TYPE, -1, 1, 2));
    }
}
