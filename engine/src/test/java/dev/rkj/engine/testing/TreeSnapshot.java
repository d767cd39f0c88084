package dev.rkj.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Everything a faithful unpack must keep about a tree, path by path, for comparing two trees:
 * type, permission bits (setuid/setgid/sticky included), uid, gid, mtime in whole seconds,
 * content digest, link target, device numbers, and which paths share an inode.
 */
public record TreeSnapshot(Map<String, Node> nodes) {

    /**
     * One path. {@code hardLinkGroup} is the first path (in sorted order) sharing this inode, or
     * null for a single link. {@code mode} and {@code mtimeSeconds} are 0 for symlinks when
     * {@code includeSymlinkTimes} was false.
     */
    public record Node(String type, int mode, int uid, int gid, long mtimeSeconds, long size, String sha256,
                       String linkTarget, long rdev, String hardLinkGroup) {
        @Override
        public String toString() {
            return type + " mode=0" + Integer.toOctalString(mode) + " uid=" + uid + " gid=" + gid + " mtime=" + mtimeSeconds
                    + (sha256 != null ? " size=" + size + " sha256=" + sha256.substring(0, 12) : "")
                    + (linkTarget != null ? " -> " + linkTarget : "")
                    + (rdev != 0 ? " rdev=" + Long.toHexString(rdev) : "")
                    + (hardLinkGroup != null ? " inode of " + hardLinkGroup : "");
        }
    }

    /** Snapshots {@code root} and everything below it (the root itself is path ""). */
    public static TreeSnapshot of(Path root) {
        return of(root, true);
    }

    /** As {@link #of(Path)}; symlink mtimes are left out unless {@code includeSymlinkTimes}. */
    public static TreeSnapshot of(Path root, boolean includeSymlinkTimes) {
        Map<String, Map<String, Object>> attributes = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                attributes.put(root.relativize(path).toString(),
                        Files.readAttributes(path, "unix:mode,uid,gid,ino,dev,rdev,nlink,size,lastModifiedTime",
                                LinkOption.NOFOLLOW_LINKS));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot snapshot " + root, e);
        }
        Map<String, String> firstByInode = new HashMap<>();
        Map<String, Node> nodes = new TreeMap<>();
        for (Map.Entry<String, Map<String, Object>> entry : attributes.entrySet()) {
            Map<String, Object> a = entry.getValue();
            int mode = (Integer) a.get("mode");
            String type = typeOf(mode);
            Path path = root.resolve(entry.getKey());
            boolean symlink = type.equals("symlink");
            String group = null;
            if (!type.equals("directory") && (Integer) a.get("nlink") > 1) {
                group = firstByInode.computeIfAbsent(a.get("dev") + ":" + a.get("ino"), k -> entry.getKey());
            }
            long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS);
            nodes.put(entry.getKey(), new Node(type, symlink ? 0 : mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                    symlink && !includeSymlinkTimes ? 0 : mtime,
                    type.equals("file") ? (Long) a.get("size") : 0,
                    type.equals("file") ? sha256(path) : null,
                    symlink ? readLink(path) : null,
                    type.endsWith("device") ? (Long) a.get("rdev") : 0,
                    group));
        }
        return new TreeSnapshot(nodes);
    }

    /** The paths whose nodes differ between this and {@code other}, each with both sides, for assertion messages. */
    public List<String> differencesFrom(TreeSnapshot other) {
        List<String> differences = new ArrayList<>();
        TreeMap<String, Node> all = new TreeMap<>(nodes);
        other.nodes.forEach(all::putIfAbsent);
        for (String path : all.keySet()) {
            Node mine = nodes.get(path);
            Node theirs = other.nodes.get(path);
            if (mine == null || !mine.equals(theirs)) {
                differences.add("'" + path + "': " + mine + " vs " + theirs);
            }
        }
        return differences;
    }

    private static String typeOf(int mode) {
        switch (mode & 0170000) {
            case 0100000:
                return "file";
            case 0040000:
                return "directory";
            case 0120000:
                return "symlink";
            case 0020000:
                return "char device";
            case 0060000:
                return "block device";
            case 0010000:
                return "fifo";
            case 0140000:
                return "socket";
            default:
                return "unknown " + Integer.toOctalString(mode);
        }
    }

    private static String readLink(Path path) {
        try {
            return Files.readSymbolicLink(path).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path path) {
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
