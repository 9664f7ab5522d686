package io.interproc.core;

import io.interproc.core.internal.memory.Native;
import io.interproc.core.internal.wait.OpenRegionFiles;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A directory of named regions: the namespace in which separately launched processes find each
 * other. {@link #create}, {@link #open} and {@link #openOrCreate} are explicit, as in
 * Boost.Interprocess, and {@link #unlink} removes a name.
 *
 * <p><b>Create is atomic.</b> The file is made under a temporary name, its blocks reserved with
 * {@code posix_fallocate} (so a full {@code /dev/shm} fails here, not as a SIGBUS later), its
 * header and initial body written, and only then published with {@code link(2)}, which fails if
 * the name exists: no process ever opens a half-made region, and of many racing creators exactly
 * one wins.
 *
 * <p><b>Names are names</b>: 1 to {@value #MAX_NAME_LENGTH} characters from
 * {@code [A-Za-z0-9._-]}, not starting with a dot. Anything else (separators, {@code ..}, control
 * characters) is refused with {@link IllegalArgumentException}. Files are owner-only ({@code 0600})
 * unless the {@link RegionSpec} says otherwise; symbolic links are never followed, neither the
 * directory nor a region file nor the temporary file of a create (made with {@code O_EXCL |
 * O_NOFOLLOW} and written only through its own descriptor).
 *
 * <p><b>Other users are not trusted.</b> Every create and open refuses, with a
 * {@link RegionException} that says what to do, a directory that is a symbolic link, belongs to
 * another user (not root), or is writable by group or others without the sticky bit, and a region
 * file that belongs to another user or is writable by group or others — another user could read
 * or inject messages. {@link #allowSharing()} opts into sharing with a group on purpose.
 *
 * <p>Thread-safe and immutable.
 */
public final class RegionDirectory {
    /** System property naming the default directory. */
    public static final String DIRECTORY_PROPERTY = "interproc.dir";
    /** Longest region name. */
    public static final int MAX_NAME_LENGTH = 200;

    private static final String TEMP_SUFFIX = ".creating";

    private final Path path;
    private final boolean createIfMissing;
    private final boolean sharing;

    private RegionDirectory(Path path, boolean createIfMissing, boolean sharing) {
        this.path = path;
        this.createIfMissing = createIfMissing;
        this.sharing = sharing;
    }

    /**
     * The same directory, opted into sharing with other users: a directory owned by another user,
     * or writable by a group without the sticky bit, and region files owned by another user or
     * writable by group or others are accepted (they are refused otherwise, see {@link
     * RegionDirectory}). For a group that shares regions on purpose; symbolic links stay refused.
     */
    public RegionDirectory allowSharing() {
        return new RegionDirectory(path, createIfMissing, true);
    }

    /**
     * The default directory: the {@value #DIRECTORY_PROPERTY} system property if set, else
     * {@code /dev/shm/interproc} on Linux, else {@code ${java.io.tmpdir}/interproc}. It is created
     * (owner-only) on first use if missing.
     */
    public static RegionDirectory defaultDirectory() {
        String configured = System.getProperty(DIRECTORY_PROPERTY);
        Path dir;
        if (configured != null && !configured.isBlank()) {
            dir = Path.of(configured);
        } else if (Native.LINUX && Files.isDirectory(Path.of("/dev/shm"))) {
            dir = Path.of("/dev/shm", "interproc");
        } else {
            dir = Path.of(System.getProperty("java.io.tmpdir"), "interproc");
        }
        return new RegionDirectory(dir, true, false);
    }

    /** A directory that must already exist. */
    public static RegionDirectory of(Path directory) {
        return new RegionDirectory(directory, false, false);
    }

    /** {@return the directory's path} */
    public Path path() {
        return path;
    }

    /**
     * @param name the name, a file name in the directory
     * @return the file path for {@code name}
     * @throws IllegalArgumentException if {@code name} is not a valid region name
     */
    public Path pathOf(String name) {
        checkName(name);
        return path.resolve(name);
    }

    /**
     * @param name the name, a file name in the directory
     * @throws IllegalArgumentException naming what is wrong with {@code name}
     */
    public static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("region name must not be empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("region name is " + name.length() + " characters long; at most "
                + MAX_NAME_LENGTH + " are allowed");
        }
        if (name.charAt(0) == '.') {
            throw new IllegalArgumentException("region name '" + name + "' must not start with '.'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
            if (!ok) {
                String shown = c < 0x20 || c == 0x7f ? String.format("control character U+%04X", (int) c)
                    : (c == '/' || c == '\\' ? "path separator '" + c + "'" : "character '" + c + "'");
                throw new IllegalArgumentException("region name contains a " + shown + " at index " + i
                    + "; names use only [A-Za-z0-9._-]");
            }
        }
    }

    /**
     * Creates a region, fails if the name exists.
     *
     * @param initializer writes the body's initial state before anyone else can open it (the body
     *                    starts zeroed)
     * @param name the name, a file name in the directory
     * @param spec type, body length and parameters of the region
     * @throws RegionExistsException if the name exists
     * @throws RegionException       if the directory is missing or unwritable, or space runs out
     */
    public Region create(String name, RegionSpec spec, Consumer<Region> initializer) {
        Path target = pathOf(name);
        Region region = createUnpublished(name, target, spec, initializer);
        String what = what(name);
        Path temp = region.path();
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            region.close();
            deleteQuietly(temp);
            throw new RegionExistsException(what + " already exists");
        } catch (IOException | UnsupportedOperationException e) {
            region.close();
            deleteQuietly(temp);
            throw new RegionException("cannot publish " + what + ": " + e, e);
        }
        deleteQuietly(temp);
        return region.published(target);
    }

    /**
     * Opens an existing region of type {@code type}.
     *
     * @param name the name, a file name in the directory
     * @param type the type the region must have
     * @throws NoSuchRegionException if there is none of that name
     * @throws RegionFormatException if the file is not a sound region of that type
     */
    public Region open(String name, RegionType type) {
        Path file = pathOf(name);
        String what = what(name);
        checkDirectory(false);
        OpenRegionFiles.Attachment attachment = OpenRegionFiles.attach(file, what);
        try {
            RegionTrust.checkFile(file, sharing, what);
            FileChannel channel = attachment.channel;
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate(RegionHeader.LENGTH);
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
                // read the whole header, or as much as the file has
            }
            RegionHeader.Fields fields = RegionHeader.read(MemorySegment.ofArray(buffer.array()), size, type, what);
            Arena arena = Arena.ofShared();
            MemorySegment segment;
            try {
                segment = Region.map(channel, fields.totalLength(), arena, what);
            } catch (RuntimeException e) {
                arena.close();
                throw e;
            }
            return new Region(this, name, file, type, fields, false, attachment, arena, segment);
        } catch (IOException e) {
            OpenRegionFiles.detach(attachment);
            throw new RegionException("cannot read " + what + ": " + e, e);
        } catch (RuntimeException e) {
            OpenRegionFiles.detach(attachment);
            throw e;
        }
    }

    /**
     * Opens the region if it exists, else creates it; of many racing callers exactly one creates
     * (its {@link Region#created()} is true) and the others open what it made.
     *
     * @param name the name, a file name in the directory
     * @param spec type, body length and parameters of the region
     * @param initializer writes the initial body before the region is linked under its name
     * @throws RegionFormatException if an existing region has another type or other parameters
     */
    public Region openOrCreate(String name, RegionSpec spec, Consumer<Region> initializer) {
        pathOf(name);
        while (true) {
            try {
                Region region = open(name, spec.type());
                long[] existing = new long[spec.parameters().length];
                Arrays.setAll(existing, region::parameter);
                if (!Arrays.equals(existing, spec.parameters()) || region.body().byteSize() != spec.bodyLength()) {
                    region.close();
                    throw new RegionFormatException(what(name) + " exists with " + RegionHeader.describe(spec.type(), existing)
                        + " and a " + region.body().byteSize() + "-byte body; requested "
                        + RegionHeader.describe(spec.type(), spec.parameters()) + " and a " + spec.bodyLength() + "-byte body");
                }
                return region;
            } catch (NoSuchRegionException absent) {
                try {
                    return create(name, spec, initializer);
                } catch (RegionExistsException raced) {
                    // another process created it between our open and create: open theirs
                }
            }
        }
    }

    /**
     * Removes a region's name. Processes that have it open keep using it.
     *
     * @param name the name, a file name in the directory
     * @return true if a file was removed
     */
    public boolean unlink(String name) {
        Path file = pathOf(name);
        try {
            if (Files.isSymbolicLink(file)) {
                throw new RegionException(what(name) + " is a symbolic link; not removed");
            }
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new RegionException("cannot remove " + what(name) + ": " + e, e);
        }
    }

    /**
     * {@return true if a region of that name exists}
     *
     * @param name the name, a file name in the directory
     */
    public boolean exists(String name) {
        return Files.exists(pathOf(name), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * {@return true if any live process (this one included) has the region open; false once all
     *    have closed it or died, {@code kill -9} included; false if there is no such region}
     *
     * @param name the name, a file name in the directory
     */
    public boolean isInUse(String name) {
        return OpenRegionFiles.isInUse(pathOf(name), what(name));
    }

    /**
     * Removes the region if no live process has it open, holding an exclusive lock while it does,
     * so a region in use is never removed.
     *
     * @param name the name, a file name in the directory
     * @return true if removed
     */
    public boolean unlinkIfUnused(String name) {
        return OpenRegionFiles.unlinkIfUnused(pathOf(name), what(name));
    }

    /**
     * Reads a region's header without attaching to it, checking every field (any type accepted).
     *
     * @param name the name, a file name in the directory
     * @throws NoSuchRegionException if there is no such region
     * @throws RegionFormatException if the file is not a sound region (truncated, corrupt, newer layout)
     */
    public RegionInfo describe(String name) {
        Path file = pathOf(name);
        String what = what(name);
        long[] size = new long[1];
        byte[] header = OpenRegionFiles.readStart(file, what, RegionHeader.LENGTH, size);
        RegionHeader.Fields fields = RegionHeader.read(MemorySegment.ofArray(header), size[0], null, what);
        return new RegionInfo(name, file, fields.typeName(), fields.typeVersion(), fields.totalLength(),
            fields.parameters(), fields.creator(), java.time.Instant.ofEpochMilli(fields.createdAtMillis()),
            OpenRegionFiles.isInUse(file, what));
    }

    /** {@return the names of the regions in this directory (files with valid names), sorted} */
    public List<String> list() {
        if (!Files.isDirectory(path)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(path)) {
            files.map(p -> p.getFileName().toString()).filter(RegionDirectory::isValidName).sorted().forEach(names::add);
        } catch (IOException e) {
            throw new RegionException("cannot list region directory " + path + ": " + e, e);
        }
        return names;
    }

    /**
     * Removes the temporary files of creators that died before publishing their region (a
     * {@code kill -9} mid-create): they were never visible under a region name, but hold space.
     *
     * @return how many were removed
     */
    public int removeAbandonedTemporaries() {
        if (!Files.isDirectory(path)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> files = Files.list(path)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Optional<ProcessIdentity> creator = temporaryCreator(file.getFileName().toString());
                if (creator.isPresent() && !creator.get().isAlive() && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new RegionException("cannot clean up region directory " + path + ": " + e, e);
        }
        return removed;
    }

    /** {@return the creator named in a temporary file's name ({@code .NAME.PID-START.RANDOM.creating})} */
    static Optional<ProcessIdentity> temporaryCreator(String fileName) {
        if (!fileName.startsWith(".") || !fileName.endsWith(TEMP_SUFFIX)) {
            return Optional.empty();
        }
        String[] parts = fileName.substring(0, fileName.length() - TEMP_SUFFIX.length()).split("\\.");
        if (parts.length < 4) {
            return Optional.empty();
        }
        String[] identity = parts[parts.length - 2].split("-");
        try {
            return identity.length == 2
                ? Optional.of(new ProcessIdentity(Long.parseLong(identity[0]), Long.parseLong(identity[1])))
                : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean isValidName(String name) {
        try {
            checkName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Region createUnpublished(String name, Path target, RegionSpec spec, Consumer<Region> initializer) {
        String what = what(name);
        checkDirectory(true);
        ProcessIdentity me = ProcessIdentity.current();
        Path temp = path.resolve("." + name + "." + me.pid() + "-" + me.startTime() + "."
            + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
        FileChannel channel = null;
        Arena arena = null;
        try {
            channel = createExclusive(temp, spec, what);
            Object key = OpenRegionFiles.fileKey(temp, what);
            FileLock lock = OpenRegionFiles.lockShared(channel, what);
            arena = Arena.ofShared();
            MemorySegment segment = Region.map(channel, spec.totalLength(), arena, what);
            RegionHeader.write(segment, spec);
            RegionHeader.Fields fields = RegionHeader.read(segment, spec.totalLength(), spec.type(), what);
            OpenRegionFiles.Attachment attachment = OpenRegionFiles.adopt(key, channel, lock);
            Region region = new Region(this, name, temp, spec.type(), fields, true, attachment, arena, segment);
            try {
                initializer.accept(region);
            } catch (RuntimeException | Error e) {
                region.close();
                throw e;
            }
            return region;
        } catch (IOException e) {
            cleanUp(channel, arena, temp);
            throw new RegionException("cannot create " + what + ": " + e, e);
        } catch (RuntimeException | Error e) {
            cleanUp(channel, arena, temp);
            throw e;
        }
    }

    /**
     * Creates the temporary file exclusively and never through a link ({@code O_CREAT | O_EXCL |
     * O_NOFOLLOW}), reserves its blocks through that same descriptor, and returns a channel on that
     * very file (reopened through {@code /proc/self/fd}, which names the inode, not the path): a link
     * or file planted at the temporary name, before or during create, is never written.
     */
    private FileChannel createExclusive(Path temp, RegionSpec spec, String what) throws IOException {
        if (!Native.AVAILABLE) {
            createPortable(temp, spec, what);
            reservePortable(temp, spec.totalLength());
            return FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        int mode = 0600;
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            mode = 0;
            for (java.nio.file.attribute.PosixFilePermission p : spec.permissions()) {
                mode |= 0400 >> p.ordinal();
            }
        }
        int fd = Native.createExclusive(temp.toString(), mode);
        if (fd < 0) {
            if (-fd == 13) {
                throw new RegionException("cannot create " + what + ": permission denied in " + path);
            }
            throw new RegionException("cannot create " + what + " in " + path + ": " + Native.errnoName(-fd));
        }
        try {
            int error = Native.posixFallocate(fd, spec.totalLength());
            if (error != 0) {
                String free = "";
                try {
                    free = "; " + Files.getFileStore(path).getUsableSpace() + " bytes are free there";
                } catch (IOException ignored) {
                    // the message stays without it
                }
                deleteQuietly(temp);
                throw new RegionException("cannot reserve " + spec.totalLength() + " bytes for " + what + " in "
                    + path + ": " + Native.errnoName(error) + free);
            }
            return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Native.close(fd);
        }
    }

    private void createPortable(Path temp, RegionSpec spec, String what) {
        try {
            Files.newByteChannel(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), permissions(spec)).close();
        } catch (AccessDeniedException e) {
            throw new RegionException("cannot create " + what + ": permission denied in " + path, e);
        } catch (FileSystemException e) {
            throw new RegionException("cannot create " + what + " in " + path + ": "
                + (e.getReason() != null ? e.getReason() : e.toString()), e);
        } catch (IOException e) {
            throw new RegionException("cannot create " + what + ": " + e, e);
        }
    }

    private static void cleanUp(FileChannel channel, Arena arena, Path temp) {
        if (arena != null) {
            try {
                arena.close();
            } catch (IllegalStateException alreadyClosed) {
                // closed by Region.close()
            }
        }
        if (channel != null && channel.isOpen()) {
            OpenRegionFiles.closeQuietly(channel);
        }
        deleteQuietly(temp);
    }

    /** Sizes the file where there is no posix_fallocate: it may be sparse, so a full disk can still fault later. */
    private static void reservePortable(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            channel.write(ByteBuffer.allocate(1), length - 1);
        }
    }

    private FileAttribute<?>[] permissions(RegionSpec spec) {
        if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(spec.permissions())};
    }

    private void checkDirectory(boolean forCreate) {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            RegionTrust.checkDirectory(path, sharing);
            return;
        }
        if (Files.isSymbolicLink(path)) {
            RegionTrust.checkDirectory(path, sharing);
        }
        if (Files.exists(path)) {
            throw new RegionException("region directory " + path + " is not a directory");
        }
        if (forCreate && createIfMissing) {
            try {
                Files.createDirectories(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                RegionTrust.checkDirectory(path, sharing); // another user may have made it first
                return;
            } catch (UnsupportedOperationException e) {
                try {
                    Files.createDirectories(path);
                    return;
                } catch (IOException io) {
                    throw new RegionException("cannot create region directory " + path + ": " + io, io);
                }
            } catch (IOException e) {
                throw new RegionException("cannot create region directory " + path + ": " + e, e);
            }
        }
        if (forCreate || !createIfMissing) {
            throw new RegionException("region directory " + path + " does not exist");
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stray temporary file is harmless: it has no valid region name
        }
    }

    private String what(String name) {
        return "region '" + name + "' (" + path.resolve(name) + ")";
    }

    @Override
    public String toString() {
        return "RegionDirectory[" + path + "]";
    }
}
