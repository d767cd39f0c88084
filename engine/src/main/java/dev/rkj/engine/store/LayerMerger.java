package dev.rkj.engine.store;

import dev.rkj.engine.image.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Lays one extracted rootfs over the tree rendered so far (ace.md "Filesystem Setup"), by
 * renaming, never copying: a path the layer has replaces what was there, whatever either is (a
 * file, a directory, a symlink: a symlink is removed, never followed); where both are real
 * directories their contents merge and the layer's directory gives mode, owner and mtime. Both
 * trees must be on one filesystem; the layer is emptied.
 */
final class LayerMerger {
    private static final String ATTRIBUTES = "unix:mode,uid,gid,lastModifiedTime";

    private final boolean preserveOwnership;

    /** @param preserveOwnership copy directories' uid/gid (root only; the unpacker set the files' own) */
    LayerMerger(boolean preserveOwnership) {
        this.preserveOwnership = preserveOwnership;
    }

    /** Moves the contents of the directory {@code layer} into the directory {@code tree}. */
    void merge(Path layer, Path tree) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(layer, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        // both writable while entries move (a no-op for root); the final mode is set below
        Files.setAttribute(layer, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(tree, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
        for (Path entry : Trees.children(layer)) {
            Path target = tree.resolve(entry.getFileName().toString());
            BasicFileAttributes incoming = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            BasicFileAttributes existing = Trees.attributesOrNull(target);
            if (incoming.isDirectory() && existing != null && existing.isDirectory()) {
                merge(entry, target);
            } else {
                if (existing != null) {
                    Trees.deleteRecursively(target);
                }
                move(entry, target, incoming.isDirectory());
            }
        }
        if (preserveOwnership) {
            Files.setAttribute(tree, "unix:uid", attributes.get("uid"), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(tree, "unix:gid", attributes.get("gid"), LinkOption.NOFOLLOW_LINKS);
        }
        Files.setAttribute(tree, "unix:mode", ((Integer) attributes.get("mode")) & 07777, LinkOption.NOFOLLOW_LINKS);
        Files.setLastModifiedTime(tree, (FileTime) attributes.get("lastModifiedTime"));
    }

    private static void move(Path entry, Path target, boolean directory) throws IOException {
        if (!directory) {
            Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        // moving a directory rewrites its "..": it must be writable unless we are root
        int mode = (Integer) Files.getAttribute(entry, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        boolean opened = (mode & 0200) == 0;
        if (opened) {
            Files.setAttribute(entry, "unix:mode", mode | 0200, LinkOption.NOFOLLOW_LINKS);
        }
        FileTime mtime = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS);
        Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE);
        if (opened) {
            Files.setAttribute(target, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        }
        Files.setLastModifiedTime(target, mtime); // a new ".." may count as a change of the directory
    }
}
