package dev.rkj.engine.store;

import dev.rkj.engine.image.Trees;
import dev.rkj.engine.image.NodeMaker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * Copies a tree faithfully: file types (device nodes and FIFOs too, as root), modes with
 * setuid/setgid/sticky, owners (when allowed), mtimes, symlinks (never followed) and hard links
 * within the tree.
 */
final class TreeCopier {
    private static final String ATTRIBUTES = "unix:mode,uid,gid,ino,dev,rdev,nlink,lastModifiedTime,isDirectory,isOther";

    private final boolean preserveOwnership;
    private final NodeMaker nodeMaker;
    private final Map<String, Path> linked = new HashMap<>();

    TreeCopier(boolean preserveOwnership) {
        this(preserveOwnership, NodeMaker.mknod());
    }

    TreeCopier(boolean preserveOwnership, NodeMaker nodeMaker) {
        this.preserveOwnership = preserveOwnership;
        this.nodeMaker = nodeMaker;
    }

    /** Copies {@code source} to {@code target}, which must not exist. */
    void copy(Path source, Path target) throws IOException {
        Map<String, Object> a = Files.readAttributes(source, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        if ((Boolean) a.get("isDirectory")) {
            Files.createDirectory(target);
            Files.setAttribute(target, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
            for (Path child : Trees.children(source)) {
                copy(child, target.resolve(child.getFileName().toString()));
            }
            if (preserveOwnership) {
                Files.setAttribute(target, "unix:uid", a.get("uid"), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(target, "unix:gid", a.get("gid"), LinkOption.NOFOLLOW_LINKS);
            }
            Files.setAttribute(target, "unix:mode", ((Integer) a.get("mode")) & 07777, LinkOption.NOFOLLOW_LINKS);
            Files.setLastModifiedTime(target, (FileTime) a.get("lastModifiedTime"));
            return;
        }
        if ((Integer) a.get("nlink") > 1) {
            String inode = a.get("dev") + ":" + a.get("ino");
            Path first = linked.putIfAbsent(inode, target);
            if (first != null) {
                Files.createLink(target, first);
                return;
            }
        }
        if ((Boolean) a.get("isOther")) {
            copyNode(target, a);
            return;
        }
        // COPY_ATTRIBUTES: mode, times, and the owner where permitted (lchown for symlinks)
        Files.copy(source, target, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
        if (Files.isSymbolicLink(target)) { // COPY_ATTRIBUTES leaves a link's own time
            Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes((FileTime) a.get("lastModifiedTime"), null, null);
        }
    }

    /** Device nodes and FIFOs, which Files.copy would read as files. */
    private void copyNode(Path target, Map<String, Object> a) throws IOException {
        int mode = (Integer) a.get("mode");
        NodeMaker.NodeType type = switch (mode & 0170000) {
            case 0020000 -> NodeMaker.NodeType.CHARACTER_DEVICE;
            case 0060000 -> NodeMaker.NodeType.BLOCK_DEVICE;
            case 0010000 -> NodeMaker.NodeType.FIFO;
            default -> throw new IOException(target + ": cannot copy a socket or unknown file type "
                    + Integer.toOctalString(mode & 0170000));
        };
        long rdev = (Long) a.get("rdev");
        int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
        int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
        nodeMaker.make(target, type, major, minor, (FileTime) a.get("lastModifiedTime"));
        if (preserveOwnership) {
            Files.setAttribute(target, "unix:uid", a.get("uid"), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(target, "unix:gid", a.get("gid"), LinkOption.NOFOLLOW_LINKS);
        }
        Files.setAttribute(target, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
    }
}
