package dev.rkj.engine.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * The directories a pod mounts its own file systems on ({@code /proc}, {@code /sys}, {@code /dev},
 * {@code /dev/pts}, {@code /dev/shm}): in an image each must be a real directory or absent. A
 * symlink there would send the pod's mounts somewhere else ({@code /proc -> /etc} leaves the pod
 * without {@code /proc}, and what it does have where it looks is not what it asked for), a file
 * cannot be mounted on. Checked on the archive at fetch ({@link RootfsModel}) and on the rendered
 * tree, since a dependency's layer can bring the symlink.
 */
public final class PodMountPoints {
    /** Relative to rootfs, parents before children. */
    static final List<String> PATHS = List.of("proc", "sys", "dev", "dev/pts", "dev/shm");

    private PodMountPoints() {}

    /** The refusal for mount point {@code path} (relative to rootfs) being {@code what} ("a symlink (to /etc)"). */
    static String problem(String path, String what) {
        return "rootfs/" + path + " is " + what + ": /" + path + " must be a directory or absent, the pod mounts its own"
                + " there; rebuild the image without it";
    }

    /**
     * Checks a tree on disk, never following a symlink.
     *
     * @return why {@code rootfs} cannot be a pod's root, or empty when it can
     */
    public static Optional<String> problemIn(Path rootfs) throws IOException {
        for (String path : PATHS) {
            Path mountPoint = rootfs.resolve(path);
            BasicFileAttributes attributes = Trees.attributesOrNull(mountPoint);
            if (attributes == null || attributes.isDirectory()) {
                continue; // absent (stage1 creates it) or fine
            }
            String what;
            if (attributes.isSymbolicLink()) {
                what = "a symlink (to " + Files.readSymbolicLink(mountPoint) + ")";
            } else if (attributes.isRegularFile()) {
                what = "a regular file";
            } else {
                what = "a special file, not a directory";
            }
            return Optional.of(problem(path, what));
        }
        return Optional.empty();
    }
}
