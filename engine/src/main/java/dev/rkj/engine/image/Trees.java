package dev.rkj.engine.image;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** File tree helpers that never follow symlinks. */
public final class Trees {
    private Trees() {}

    /**
     * Deletes {@code path} and everything below it. Symlinks are removed, never followed; a
     * directory without owner permissions is opened up first. A missing path is fine.
     *
     * @return whether something was there
     */
    public static boolean deleteRecursively(Path path) throws IOException {
        BasicFileAttributes attributes = attributesOrNull(path);
        if (attributes == null) {
            return false;
        }
        if (attributes.isDirectory()) {
            Files.setAttribute(path, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
            for (Path child : children(path)) {
                deleteRecursively(child);
            }
        }
        Files.deleteIfExists(path);
        return true;
    }

    /** The attributes of {@code path} itself (a symlink is not followed), or null when nothing is there. */
    public static BasicFileAttributes attributesOrNull(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The entries of a directory, read fully before the caller changes it. */
    public static List<Path> children(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        }
        children.sort(null);
        return children;
    }

    /** Whether {@code path} is a real directory (not a symlink to one). */
    public static boolean isRealDirectory(Path path) {
        return Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
    }
}
