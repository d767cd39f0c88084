package dev.rkj.stage1.kernel;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deletes a directory tree (pod directories, scratch trees) without ever deleting through a
 * mount: it refuses while anything is mounted at or under the tree, since deleting there would
 * delete what the mount shows. Symbolic links are removed, never followed. What is already gone,
 * or goes while it runs, counts as deleted.
 */
public final class MountSafeDelete {
    private MountSafeDelete() {}

    /**
     * Deletes {@code dir} and everything in it; nothing there is success.
     *
     * @throws IOException naming the mount point if something is still mounted in the tree, or
     *     naming the entry that could not be deleted
     */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        deleteTree(dir, MountInfo.read());
    }

    static void deleteTree(Path dir, MountInfo mounts) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path tree = resolveParent(dir);
        for (MountInfo.Mount m : mounts.mounts()) {
            if (m.mountPoint().startsWith(tree)) {
                throw new IOException("refusing to delete " + dir + ": " + m.mountPoint()
                        + " is still mounted; unmount it (umount -R " + m.mountPoint() + ") first");
            }
        }
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * {@code dir} with its parent's symbolic links resolved (mount points are real paths) but not
     * its own: a symlink given as {@code dir} is removed itself.
     */
    private static Path resolveParent(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Path parent = absolute.getParent();
        String name = String.valueOf(absolute.getFileName());
        if (parent == null || name.equals(".") || name.equals("..")) {
            return absolute.toRealPath();
        }
        return parent.toRealPath().resolve(name);
    }
}
