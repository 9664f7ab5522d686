package io.interproc.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether a region directory and a region file can be trusted not to be read or written by another
 * user: the checks {@link RegionDirectory} makes at every create and open.
 *
 * <ul>
 * <li>The directory must not be a symbolic link, must belong to this user or root, and must not be
 * writable by group or others unless it has the sticky bit (else another user can swap files in it).</li>
 * <li>A region file must belong to this user (or root) and must not be writable by group or others.</li>
 * </ul>
 * A directory made {@link RegionDirectory#allowSharing() for sharing} skips the ownership and
 * mode checks (a group that shares regions on purpose); symbolic links are refused always. Where
 * the file system has no Unix owners and modes, nothing is checked.
 */
final class RegionTrust {
    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;
    private static final int MY_UID = myUid();

    private RegionTrust() {
    }

    private static int myUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux: no /proc, and no reliable way without a native call; owners are not checked
        }
    }

    /** @throws RegionException naming what makes {@code dir} untrustworthy and what to do */
    static void checkDirectory(Path dir, boolean sharing) {
        if (Files.isSymbolicLink(dir)) {
            throw new RegionException("region directory " + dir + " is a symbolic link, which interproc does not "
                + "follow (another user could point it elsewhere); use the real path with -D"
                + RegionDirectory.DIRECTORY_PROPERTY + "=DIR or RegionDirectory.of(DIR)");
        }
        Map<String, Object> attributes = unixAttributes(dir);
        if (attributes == null || sharing) {
            return;
        }
        int uid = (Integer) attributes.get("uid");
        int mode = (Integer) attributes.get("mode");
        if (MY_UID >= 0 && uid != MY_UID && uid != 0) {
            throw new RegionException("region directory " + dir + " belongs to uid " + uid + ", not to this user (uid "
                + MY_UID + "): that user could read or replace every region in it. Use a directory of your own "
                + "(-D" + RegionDirectory.DIRECTORY_PROPERTY + "=DIR), or RegionDirectory.allowSharing() if sharing "
                + "with that user is intended");
        }
        if ((mode & GROUP_OR_OTHER_WRITE) != 0 && (mode & STICKY) == 0) {
            throw new RegionException("region directory " + dir + " is writable by " + writers(mode)
                + " without the sticky bit (mode " + Integer.toOctalString(mode & 07777) + "): others could replace "
                + "its regions. chmod go-w (or +t) it, use another directory (-D" + RegionDirectory.DIRECTORY_PROPERTY
                + "=DIR), or RegionDirectory.allowSharing() if a shared group is intended");
        }
    }

    /** @throws RegionException if the region file {@code file} may be read or written by another user */
    static void checkFile(Path file, boolean sharing, String what) {
        if (sharing) {
            return;
        }
        Map<String, Object> attributes = unixAttributes(file);
        if (attributes == null) {
            return;
        }
        int uid = (Integer) attributes.get("uid");
        int mode = (Integer) attributes.get("mode");
        if (MY_UID >= 0 && uid != MY_UID && uid != 0) {
            throw new RegionException(what + " belongs to uid " + uid + ", not to this user (uid " + MY_UID
                + "): refused, its owner could read or inject every message. Remove it, or open it through "
                + "RegionDirectory.allowSharing() if sharing with that user is intended");
        }
        if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
            throw new RegionException(what + " is writable by " + writers(mode) + " (mode "
                + Integer.toOctalString(mode & 07777) + "): refused, another user could inject messages. "
                + "chmod go-w it, or open it through RegionDirectory.allowSharing() if a shared group is intended");
        }
    }

    private static String writers(int mode) {
        return (mode & 0020) != 0 && (mode & 0002) != 0 ? "group and others" : (mode & 0020) != 0 ? "its group" : "others";
    }

    private static Map<String, Object> unixAttributes(Path path) {
        if (!path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            return null;
        }
        try {
            return Files.readAttributes(path, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        } catch (IOException e) {
            return null; // missing: the caller's own open reports it
        }
    }
}
