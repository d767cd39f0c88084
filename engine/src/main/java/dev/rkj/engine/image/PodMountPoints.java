package dev.rkj.engine.image;

import java.util.List;

/**
 * The directories a pod mounts its own file systems on ({@code /proc}, {@code /sys}, {@code /dev},
 * {@code /dev/pts}, {@code /dev/shm}): in an image each must be a real directory or absent. A
 * symlink there would send the pod's mounts somewhere else ({@code /proc -> /etc}), a file cannot
 * be mounted on. Checked by {@link RootfsModel} on every archive read, so at fetch and again for
 * every layer a render unpacks (a dependency stored before this check is caught there).
 */
final class PodMountPoints {
    /** Relative to rootfs, parents before children. */
    static final List<String> PATHS = List.of("proc", "sys", "dev", "dev/pts", "dev/shm");

    private PodMountPoints() {}

    /** The refusal for mount point {@code path} (relative to rootfs) being {@code what} ("a symlink (to /etc)"). */
    static String problem(String path, String what) {
        return "rootfs/" + path + " is " + what + ": /" + path + " must be a directory or absent, the pod mounts its own"
                + " there; rebuild the image without it";
    }
}
