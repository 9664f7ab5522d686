package io.interproc.core;

import io.interproc.core.internal.memory.Futex;
import io.interproc.core.internal.memory.MemoryAccess;
import io.interproc.core.internal.wait.OpenRegionFiles;
import io.interproc.core.internal.wait.WaitWord;
import io.interproc.core.internal.wait.WordHost;
import io.interproc.core.internal.wait.WordWatch;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One named shared region attached to this JVM: a memory-mapped file that starts with a checked
 * {@link RegionHeader} and continues with the structure's {@link #body() body}. Obtained from a
 * {@link RegionDirectory} ({@code create}, {@code open}, {@code openOrCreate}).
 *
 * <p><b>Lifetime.</b> {@link #close()} unmaps this handle at once; any later access to its memory
 * throws {@link IllegalStateException}, never crashes. It does not remove the file:
 * {@link #unlink()} (or {@link RegionDirectory#unlink}) removes the name, after which processes
 * that have it mapped keep using it and nobody new can open it. While any handle is open, this JVM
 * holds a shared lock on the file, so {@link RegionDirectory#isInUse} answers truthfully for every
 * process, including ones killed with {@code kill -9} (the OS drops their locks).
 *
 * <p><b>Threads.</b> A region may be used by any number of threads; {@link #close()} is safe to call
 * concurrently with them: it wakes this JVM's threads asleep on the region's wait words and waits
 * for them to leave the kernel; their waits and later accesses then fail with
 * {@link IllegalStateException}.
 *
 * <p><b>Dead peers.</b> The memory stays valid for as long as one process maps it, whoever created it.
 */
public final class Region implements AutoCloseable {
    private final RegionDirectory directory;
    private final String name;
    private Path path; // the temporary name until create publishes it, then final
    private final RegionType type;
    private final long[] parameters;
    private final ProcessIdentity creator;
    private final long createdAtMillis;
    private final boolean created;
    private final OpenRegionFiles.Attachment attachment;
    /** Set by {@link #checkIntact()} when it finds the file shorter than the mapping. */
    private volatile boolean truncated;
    private final Arena arena;
    private final MemorySegment segment;
    private final MemorySegment body;
    private final MemoryAccess memory;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * The wait words handed out, by offset, with this handle's watch on each: close() gives the watches
     * back and wakes this JVM's sleepers.
     */
    private final ConcurrentHashMap<Long, WordWatch> watches = new ConcurrentHashMap<>();

    Region(RegionDirectory directory, String name, Path path, RegionType type, RegionHeader.Fields fields,
           boolean created, OpenRegionFiles.Attachment attachment, Arena arena, MemorySegment segment) {
        this.directory = directory;
        this.name = name;
        this.path = path;
        this.type = type;
        this.parameters = fields.parameters();
        this.creator = fields.creator();
        this.createdAtMillis = fields.createdAtMillis();
        this.created = created;
        this.attachment = attachment;
        this.arena = arena;
        this.segment = segment;
        this.body = segment.asSlice(RegionHeader.LENGTH);
        this.memory = new MemoryAccess(body);
    }

    /** Called once by create, before the handle escapes, when the file got its real name. */
    Region published(Path name) {
        this.path = name;
        return this;
    }

    /** Maps {@code length} bytes of the attached file into a new shared arena. */
    static MemorySegment map(FileChannel channel, long length, Arena arena, String what) {
        try {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
        } catch (IOException | RuntimeException e) {
            throw new RegionException("cannot map " + what + " (" + length + " bytes): " + e, e);
        }
    }

    /**
     * A process named by a pid and start time read from this region, checked: a pid outside 1 to
     * 2^22 (Linux's largest pid_max) cannot be a process, only a corrupt or hostile file.
     *
     * @param field names the field for the exception, e.g. "producer pid"
     * @param pid the process id
     * @param startTime the process's start time
     * @throws RegionFormatException if {@code pid} is not a possible pid
     */
    public ProcessIdentity peer(String field, long pid, long startTime) {
        if (pid <= 0 || pid > MAX_PID) {
            throw new RegionFormatException("region '" + name + "' is corrupt: its " + field + " is " + pid
                + ", not a process id (1 to " + MAX_PID + ")");
        }
        return new ProcessIdentity(pid, startTime);
    }

    /** Largest pid a Linux kernel can hand out (PID_MAX_LIMIT on 64-bit). */
    static final long MAX_PID = 1L << 22;

    /** {@return the region's name in its directory} */
    public String name() {
        return name;
    }

    /** {@return the directory holding it} */
    public RegionDirectory directory() {
        return directory;
    }

    /** {@return the file's path} */
    public Path path() {
        return path;
    }

    /** {@return the region's type, as checked against the header} */
    public RegionType type() {
        return type;
    }

    /**
     * {@return the value of the type's parameter {@code index}}
     *
     * @param index the index, from 0
     */
    public long parameter(int index) {
        return parameters[index];
    }

    /** {@return the value of the type's parameter called {@code name}} */
    public long parameter(String parameterName) {
        int index = type.parameterNames().indexOf(parameterName);
        if (index < 0) {
            throw new IllegalArgumentException("region type '" + type.name() + "' has no parameter '" + parameterName
                + "' (it has " + type.parameterNames() + ")");
        }
        return parameters[index];
    }

    /** {@return the process that created the region} */
    public ProcessIdentity creator() {
        return creator;
    }

    /** {@return when it was created} */
    public Instant createdAt() {
        return Instant.ofEpochMilli(createdAtMillis);
    }

    /** {@return true if this handle created the file (rather than opening an existing one)} */
    public boolean created() {
        return created;
    }

    /** {@return the whole mapped file, header included} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return the structure's bytes: the file after the header, starting 256-byte aligned} */
    public MemorySegment body() {
        return body;
    }

    /** {@return memory-order access to {@link #body()}, offsets relative to the body} */
    public MemoryAccess memory() {
        return memory;
    }

    /** {@return a wait word at {@code offset} in the body} */
    public WaitWord waitWord(long offset) {
        return new WaitWord(this, wordHost, offset);
    }

    /** The watch bookkeeping this region's wait words use (see {@link WordWatch}). */
    private final WordHost wordHost = new WordHost() {
        @Override
        public WordWatch watchOf(long offset, WaitWord word) {
            return watches.computeIfAbsent(offset, o -> new WordWatch(word));
        }

        @Override
        public void watch(long offset) {
            OpenRegionFiles.watch(attachment, offset, "region '" + name + "'");
        }

        @Override
        public void unwatch(long offset) {
            OpenRegionFiles.unwatch(attachment, offset);
        }

        @Override
        public boolean ifUnwatched(long offset, Runnable action) {
            return !closed.get() && OpenRegionFiles.ifUnwatched(attachment, offset, action);
        }
    };

    /**
     * Builds a structure over this region, closing the region if that fails (a corrupt layout,
     * say): {@code directory.open(name, TYPE).as(MyStructure::new)}.
     *
     * @param <T> the structure's type
     */
    public <T> T as(java.util.function.Function<Region, T> structure) {
        try {
            return structure.apply(this);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** {@return true once {@link #close()} was called} */
    public boolean isClosed() {
        return closed.get();
    }

    /** @throws IllegalStateException if this handle is closed */
    public void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("region '" + name + "' is closed");
        }
    }

    /**
     * Checks that the file still holds the whole mapping: another process that truncates a region
     * file while it is mapped makes every access beyond the new end fault (SIGBUS). Blocking waits
     * call this before each look at shared memory after a sleep, and slow paths before they write.
     * It costs an {@code fstat}; the non-blocking fast paths do not pay it, so an access there can
     * still fault: the JDK turns a fault in a plain load or store into an {@link InternalError}, and
     * one in an atomic compare-and-set ends the JVM. Region files are owner-only: only the same user
     * can truncate them.
     *
     * @throws RegionException if the file is now shorter than this mapping
     */
    public void checkIntact() {
        // By path, not through the channel: a FileChannel call in an interrupted thread would close the
        // channel (and drop this JVM's locks on the file). A name that now names another file, or none,
        // cannot be checked this way, and is not.
        java.nio.file.attribute.BasicFileAttributes attributes;
        try {
            attributes = java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (java.io.IOException gone) {
            return;
        }
        if (attributes.size() < segment.byteSize() && java.util.Objects.equals(attributes.fileKey(), attachment.fileKey)) {
            truncated = true;
            throw new RegionFormatException("region '" + name + "' (" + path + ") was truncated to " + attributes.size()
                + " bytes while mapped (" + segment.byteSize() + " bytes); it must not be used any more");
        }
    }

    /**
     * {@return false once {@link #checkIntact()} has found the file truncated: clean-up paths
     *    (giving back wait counts) skip their writes then, at no cost of their own}
     */
    public boolean isIntact() {
        return !truncated;
    }

    /**
     * Removes the region's name if it still names this region; this handle stays usable.
     *
     * @return true if the name was removed
     */
    public boolean unlink() {
        Object key = OpenRegionFiles.fileKey(path, "region '" + name + "'");
        if (key == null || !key.equals(attachment.fileKey)) {
            return false;
        }
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new RegionException("cannot remove region '" + name + "' (" + path + "): " + e, e);
        }
    }

    /** Unmaps this handle and drops its share of the file lock. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Threads of this JVM asleep on this region's wait words must leave the kernel before the
        // memory can be unmapped: wake them (peers in other processes see one spurious wake-up).
        // This handle's watches go first, while the memory is still mapped.
        for (WordWatch watch : watches.values()) {
            watch.drop();
        }
        for (long offset : watches.keySet()) {
            memory.getAndAddInt(offset, 1);
            Futex.wake(body, offset, Integer.MAX_VALUE);
        }
        while (true) {
            try {
                arena.close();
                break;
            } catch (IllegalStateException inUse) {
                // A thread is still inside a native call on this memory; it is leaving.
                Thread.onSpinWait();
                Thread.yield();
            }
        }
        OpenRegionFiles.detach(attachment);
    }

    @Override
    public String toString() {
        return "Region[" + name + ", " + type.name() + " v" + type.version() + ", "
            + RegionHeader.describe(type, parameters) + ", " + segment.byteSize() + " bytes, " + path + "]";
    }
}
