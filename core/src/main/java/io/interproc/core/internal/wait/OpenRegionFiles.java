package io.interproc.core.internal.wait;

import io.interproc.core.NoSuchRegionException;
import io.interproc.core.RegionException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This JVM's attachments to region files: one channel and one shared lock per file (per inode),
 * however many {@link Region} handles map it.
 *
 * <p>Why: the JDK's file locks are POSIX record locks, owned by the process, and closing any channel
 * to a file drops every lock this process holds on it. So a second handle must never open and close
 * its own channel while another handle's lock is held; all opening, locking and closing of region
 * files in this JVM goes through here, under one monitor.
 */
public final class OpenRegionFiles {
    private static final long LOCK_WAIT_NANOS = 5_000_000_000L;
    /**
     * Attachment locks cover bytes {@code [0, 2^62)} of the file (any real size); a process's watch
     * on the wait word at body offset {@code o} is a shared lock on byte {@code 2^62 + o}.
     */
    public static final long ATTACH_LENGTH = 1L << 62;
    private static final long WATCH_BASE = ATTACH_LENGTH;
    private static final Map<Object, Attachment> BY_FILE = new HashMap<>();

    /** One file this JVM has open and share-locked. */
    public static final class Attachment {
        public final Object fileKey;
        public final FileChannel channel;
        final FileLock lock;
        final List<FileChannel> strays = new ArrayList<>();
        /** This JVM's watch locks on the file, by wait word offset: the lock and how many watches hold it. */
        final Map<Long, WatchLock> watchLocks = new HashMap<>();
        int handles = 1;

        Attachment(Object fileKey, FileChannel channel, FileLock lock) {
            this.fileKey = fileKey;
            this.channel = channel;
            this.lock = lock;
        }
    }

    /** A shared lock on one wait word's watch byte, held while any of this JVM's watches on the word is. */
    private static final class WatchLock {
        final FileLock lock;
        int holders = 1;

        WatchLock(FileLock lock) {
            this.lock = lock;
        }
    }

    private OpenRegionFiles() {
    }

    /**
     * Marks that this JVM watches the wait word at body offset {@code offset}: the first of its
     * watches takes a shared lock on the word's watch byte (waiting while a process that found no
     * watcher is correcting the word's counts, see {@link #ifUnwatched}). The kernel releases it when
     * the process dies, however it dies.
     *
     * @throws RegionException if the lock cannot be taken within 5 s
     */
    public static synchronized void watch(Attachment attachment, long offset, String what) {
        WatchLock held = attachment.watchLocks.get(offset);
        if (held != null) {
            held.holders++;
            return;
        }
        long start = System.nanoTime();
        try {
            while (true) {
                FileLock lock = attachment.channel.tryLock(WATCH_BASE + offset, 1, true);
                if (lock != null) {
                    attachment.watchLocks.put(offset, new WatchLock(lock));
                    return;
                }
                if (System.nanoTime() - start > LOCK_WAIT_NANOS) {
                    throw new RegionException("cannot watch a wait word of " + what + ": its watch lock stays taken");
                }
                Thread.onSpinWait();
                Thread.yield();
            }
        } catch (IOException e) {
            throw new RegionException("cannot watch a wait word of " + what + ": " + e, e);
        }
    }

    /** Gives back one of this JVM's watches on the word at {@code offset}; the last releases the lock. */
    public static synchronized void unwatch(Attachment attachment, long offset) {
        WatchLock held = attachment.watchLocks.get(offset);
        if (held != null && --held.holders == 0) {
            attachment.watchLocks.remove(offset);
            release(held.lock);
        }
    }

    /**
     * Runs {@code action} if no process, this one included, watches the wait word at {@code offset}
     * (an exclusive lock on its watch byte succeeds), holding that lock meanwhile so that none can
     * start watching. Best effort: false if it did not run.
     */
    public static synchronized boolean ifUnwatched(Attachment attachment, long offset, Runnable action) {
        if (attachment.watchLocks.containsKey(offset) || !attachment.channel.isOpen()) {
            return false;
        }
        try {
            FileLock lock = attachment.channel.tryLock(WATCH_BASE + offset, 1, false);
            if (lock == null) {
                return false;
            }
            try {
                action.run();
                return true;
            } finally {
                release(lock);
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Registers the attachment a creator made on its fresh file. */
    public static synchronized Attachment adopt(Object fileKey, FileChannel channel, FileLock lock) {
        Attachment attachment = new Attachment(fileKey, channel, lock);
        BY_FILE.put(fileKey, attachment);
        return attachment;
    }

    /**
     * Opens and share-locks the existing file at {@code path}, or adds a handle to this JVM's
     * attachment of it.
     */
    public static synchronized Attachment attach(Path path, String what) {
        for (int attempt = 0; attempt < 100; attempt++) {
            Object key = fileKey(path, what);
            if (key == null) {
                throw new NoSuchRegionException(what + " does not exist");
            }
            Attachment existing = BY_FILE.get(key);
            if (existing != null) {
                existing.handles++;
                return existing;
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue;
            } catch (AccessDeniedException e) {
                throw new RegionException("cannot open " + what + ": permission denied", e);
            } catch (IOException e) {
                throw new RegionException("cannot open " + what + ": " + e, e);
            }
            if (!key.equals(fileKey(path, what))) {
                discard(channel, fileKey(path, what));
                continue;
            }
            FileLock lock = lockShared(channel, what);
            if (!key.equals(fileKey(path, what))) {
                // Removed (or replaced) while we locked: attach to what the name holds now.
                release(lock);
                closeQuietly(channel);
                continue;
            }
            return adopt(key, channel, lock);
        }
        throw new RegionException("cannot attach to " + what + ": it keeps being replaced");
    }

    /** Drops one handle; the last one releases the lock and closes the channel. */
    public static synchronized void detach(Attachment attachment) {
        if (--attachment.handles > 0) {
            return;
        }
        BY_FILE.remove(attachment.fileKey);
        attachment.watchLocks.values().forEach(held -> release(held.lock));
        attachment.watchLocks.clear();
        release(attachment.lock);
        closeQuietly(attachment.channel);
        attachment.strays.forEach(OpenRegionFiles::closeQuietly);
    }

    /**
     * Reads up to {@code length} bytes from the start of the file, through this JVM's attachment if
     * there is one (never opening and closing a second channel to an attached file).
     *
     * @return the bytes read (the file's size goes to {@code size[0]})
     */
    public static synchronized byte[] readStart(Path path, String what, int length, long[] size) {
        Object key = fileKey(path, what);
        if (key == null) {
            throw new NoSuchRegionException(what + " does not exist");
        }
        Attachment attached = BY_FILE.get(key);
        FileChannel channel = attached != null ? attached.channel : null;
        try {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            }
            try {
                size[0] = channel.size();
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(length);
                while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
                    // until full or end of file
                }
                return buffer.array();
            } finally {
                if (attached == null) {
                    channel.close();
                }
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchRegionException(what + " does not exist");
        } catch (IOException e) {
            throw new RegionException("cannot read " + what + ": " + e, e);
        }
    }

    /** @return true if any process, this one included, has the file at {@code path} attached */
    public static synchronized boolean isInUse(Path path, String what) {
        return withExclusiveLock(path, what, false);
    }

    /** Removes the file at {@code path} if no process has it attached; @return true if removed */
    public static synchronized boolean unlinkIfUnused(Path path, String what) {
        return withExclusiveLock(path, what, true);
    }

    /** @return true if the file is in use (isInUse), or was removed (unlink) */
    private static boolean withExclusiveLock(Path path, String what, boolean unlink) {
        Object key = fileKey(path, what);
        if (key == null) {
            return false;
        }
        if (BY_FILE.containsKey(key)) {
            return !unlink;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new RegionException("cannot check whether " + what + " is in use: " + e, e);
        }
        Object now = fileKey(path, what);
        if (!key.equals(now)) {
            discard(channel, now);
            return false;
        }
        try {
            FileLock lock = channel.tryLock(0, ATTACH_LENGTH, false);
            if (lock == null) {
                return !unlink;
            }
            try {
                if (unlink) {
                    Files.deleteIfExists(path);
                    return true;
                }
                return false;
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new RegionException("cannot check whether " + what + " is in use: " + e, e);
        } finally {
            closeQuietly(channel);
        }
    }

    /** @return the file's identity (device and inode), null if absent */
    public static Object fileKey(Path path, String what) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                throw new RegionException(what + " is a symbolic link; region files are never followed through links");
            }
            if (!attributes.isRegularFile()) {
                throw new RegionException(what + " is not a regular file");
            }
            Object key = attributes.fileKey();
            return key != null ? key : path.toAbsolutePath().normalize();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new RegionException("cannot read " + what + ": " + e, e);
        }
    }

    public static FileLock lockShared(FileChannel channel, String what) {
        long start = System.nanoTime();
        try {
            while (true) {
                FileLock lock = channel.tryLock(0, ATTACH_LENGTH, true);
                if (lock != null) {
                    return lock;
                }
                if (System.nanoTime() - start > LOCK_WAIT_NANOS) {
                    closeQuietly(channel);
                    throw new RegionException("cannot attach to " + what
                        + ": another process holds it exclusively (being removed?)");
                }
                Thread.onSpinWait();
                Thread.yield();
            }
        } catch (IOException e) {
            closeQuietly(channel);
            throw new RegionException("cannot lock " + what + ": " + e, e);
        }
    }

    /** A channel opened on a file that was swapped under us: close it unless that drops our own lock. */
    private static void discard(FileChannel channel, Object currentKey) {
        Attachment holder = currentKey == null ? null : BY_FILE.get(currentKey);
        if (holder != null) {
            holder.strays.add(channel);
        } else {
            closeQuietly(channel);
        }
    }

    private static void release(FileLock lock) {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel is closed next, which releases it anyway
        }
    }

    public static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written through the channel; the mapping holds the data
        }
    }
}
