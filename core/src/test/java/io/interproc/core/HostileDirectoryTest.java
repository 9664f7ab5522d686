package io.interproc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.interproc.core.internal.memory.Native;
import io.interproc.core.testing.ShmTempDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Another user's hands on the region directory: planted links, shared and foreign directories and files. */
@Timeout(120)
class HostileDirectoryTest {
    static final RegionType TYPE = RegionType.of("test-type", 1);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @TempDir
    Path elsewhere;

    @Test
    void shouldNeverWriteThroughALinkSwappedInAtTheTemporaryName() throws Exception {
        Path victim = Files.writeString(elsewhere.resolve("victim"), "precious");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger swaps = new AtomicInteger();
        Thread attacker = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        String name = f.getFileName().toString();
                        if (name.endsWith(".creating") && !Files.isSymbolicLink(f)) {
                            Files.deleteIfExists(f);
                            Files.createSymbolicLink(f, victim);
                            swaps.incrementAndGet();
                        }
                    }
                } catch (IOException raced) {
                    // the creator moved on: try the next one
                }
            }
        });
        try {
            for (int i = 0; i < 300; i++) {
                try (Region r = RegionDirectory.of(dir).create("r" + i, new RegionSpec(TYPE, 1 << 16), x -> { })) {
                    r.memory().putLongVolatile(0, i);
                } catch (RegionException refused) {
                    // losing the race may fail the create; it must never write elsewhere
                }
            }
        } finally {
            stop.set(true);
            attacker.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertEquals(8, Files.size(victim), "the file behind the link is untouched (" + swaps + " swaps)");
        assertEquals("precious", Files.readString(victim));
    }

    @Test
    void shouldRefuseToCreateOverALinkPlantedAtTheTemporaryName() {
        Path link = dir.resolve(".planted.creating");
        int fd = -1;
        try {
            Files.createSymbolicLink(link, elsewhere.resolve("target"));
            fd = Native.createExclusive(link.toString(), 0600);
            assertTrue(fd < 0, "open(O_EXCL|O_NOFOLLOW) must fail on a link");
            assertTrue(Files.notExists(elsewhere.resolve("target")), "the link's target was not created");
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            if (fd >= 0) {
                Native.close(fd);
            }
        }
    }

    @Test
    void shouldRefuseADirectoryWritableByOthersWithoutTheStickyBitUnlessSharing() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        RegionException e = assertThrows(RegionException.class,
            () -> RegionDirectory.of(dir).create("r", new RegionSpec(TYPE, 64), r -> { }));
        assertTrue(e.getMessage().contains("sticky") && e.getMessage().contains("interproc.dir"), e.getMessage());
        RegionDirectory.of(dir).allowSharing().create("r", new RegionSpec(TYPE, 64), r -> { }).close();
        assertThrows(RegionException.class, () -> RegionDirectory.of(dir).open("r", TYPE));
        Files.setAttribute(dir, "unix:mode", 01777);
        RegionDirectory.of(dir).open("r", TYPE).close(); // sticky: others cannot swap our files
    }

    @Test
    void shouldRefuseADirectoryThatIsASymbolicLink() throws IOException {
        Path link = elsewhere.resolve("link");
        Files.createSymbolicLink(link, dir);
        RegionException e = assertThrows(RegionException.class,
            () -> RegionDirectory.of(link).create("r", new RegionSpec(TYPE, 64), r -> { }));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertThrows(RegionException.class, () -> RegionDirectory.of(link).allowSharing().open("r", TYPE));
    }

    @Test
    void shouldRefuseARegionFileWritableByOthersUnlessSharing() throws IOException {
        RegionDirectory.of(dir).create("r", new RegionSpec(TYPE, 64), r -> { }).close();
        Files.setPosixFilePermissions(dir.resolve("r"), PosixFilePermissions.fromString("rw-rw-rw-"));
        RegionException e = assertThrows(RegionException.class, () -> RegionDirectory.of(dir).open("r", TYPE));
        assertTrue(e.getMessage().contains("writable by group and others"), e.getMessage());
        assertThrows(RegionException.class,
            () -> RegionDirectory.of(dir).openOrCreate("r", new RegionSpec(TYPE, 64), r -> { }));
        RegionDirectory.of(dir).allowSharing().open("r", TYPE).close();
    }

    @Test
    void shouldRefuseADirectoryAndARegionOfAnotherUser() throws IOException {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
            "only root can give files to another user here");
        RegionDirectory.of(dir).create("r", new RegionSpec(TYPE, 64), r -> { }).close();
        Files.setAttribute(dir.resolve("r"), "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
        // root owns the directory: trusted; the file is nobody's: refused
        RegionException file = assertThrows(RegionException.class, () -> RegionDirectory.of(dir).open("r", TYPE));
        assertTrue(file.getMessage().contains("uid 65534"), file.getMessage());
        Files.setAttribute(dir, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(dir.resolve("r"), "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
        RegionException directory = assertThrows(RegionException.class, () -> RegionDirectory.of(dir).open("r", TYPE));
        assertTrue(directory.getMessage().contains("belongs to uid 65534"), directory.getMessage());
        RegionDirectory.of(dir).allowSharing().open("r", TYPE).close();
        Files.setAttribute(dir, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
    }
}
