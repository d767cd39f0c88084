package dev.rkj.stage1.overlay;

import dev.rkj.stage1.kernel.Backoff;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.MountInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A pod's root filesystem as an overlayfs mount: the rendered image tree is the read-only lower
 * layer, shared by every pod of the image; the pod's writes land in its own upper directory.
 * The image is never copied. Mounting what is already mounted, or unmounting what is not, is
 * success (idempotent, as stage handlers are retried).
 */
public final class Overlay {
    /** How to read the mount table; {@code MountInfo::read} for the live one. */
    @FunctionalInterface
    public interface MountTable {
        MountInfo read() throws IOException;
    }

    private final Kernel kernel;
    private final MountTable mountTable;
    private final int umountAttempts;
    private final Backoff backoff;

    public Overlay(Kernel kernel) {
        this(kernel, MountInfo::read, 8, Backoff.exponential());
    }

    public Overlay(Kernel kernel, MountTable mountTable, int umountAttempts, Backoff backoff) {
        this.kernel = kernel;
        this.mountTable = mountTable;
        this.umountAttempts = umountAttempts;
        this.backoff = backoff;
    }

    /**
     * The kernel's mount options: the layers as {@code /proc/self/fd/N} of descriptors this
     * process holds while it mounts, so no host path reaches the pod's mountinfo (overlayfs
     * shows the option strings as given) and no path needs escaping.
     */
    static String options(int lowerFd, int upperFd, int workFd) {
        return "lowerdir=/proc/self/fd/" + lowerFd + ",upperdir=/proc/self/fd/" + upperFd
                + ",workdir=/proc/self/fd/" + workFd;
    }

    /**
     * The mount's source, which tells this overlay from another one: the lower tree by device
     * and inode, not by its host path (the pod reads the source in its mountinfo too).
     */
    static String source(Path lower) throws IOException {
        long dev = (Long) Files.getAttribute(lower, "unix:dev");
        long ino = (Long) Files.getAttribute(lower, "unix:ino");
        return "rkj-lower-" + Long.toHexString(dev) + "-" + ino;
    }

    /**
     * Mounts {@code lower} (read-only) with {@code upper} and {@code work} on {@code target},
     * creating the pod's directories. Done already if that overlay is mounted there.
     *
     * @throws IOException if another filesystem is mounted there, or the kernel refuses
     */
    public void mount(Path lower, Path upper, Path work, Path target) throws IOException {
        if (!Files.isDirectory(lower)) {
            throw new IOException("overlay lower dir `" + lower + "` is not a directory: render the image first");
        }
        String source = source(lower);
        Optional<MountInfo.Mount> existing = mountTable.read().at(target);
        if (existing.isPresent()) {
            MountInfo.Mount m = existing.get();
            if (m.fsType().equals("overlay") && m.source().equals(source)) {
                return;
            }
            throw new IOException("`" + target + "` already has a " + m.fsType() + " mount (" + m.source()
                    + "), not the overlay of `" + lower + "`: unmount it first");
        }
        Files.createDirectories(upper);
        Files.createDirectories(work);
        Files.createDirectories(target);
        int flags = Kernel.O_PATH | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC;
        int[] fds = {-1, -1, -1};
        try {
            fds[0] = kernel.open(lower, flags, 0);
            fds[1] = kernel.open(upper, flags, 0);
            fds[2] = kernel.open(work, flags, 0);
            kernel.mount(source, target, "overlay", 0, options(fds[0], fds[1], fds[2]));
        } catch (KernelException e) {
            closeAll(fds, e);
            throw e;
        }
        closeAll(fds, null);
    }

    /** Closes what is open; a failure is added to {@code failure}, or thrown when there is none. */
    private void closeAll(int[] fds, KernelException failure) throws KernelException {
        for (int fd : fds) {
            if (fd < 0) {
                continue;
            }
            try {
                kernel.close(fd);
            } catch (KernelException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
    }

    /** True when an overlay is mounted on {@code target}. */
    public boolean isMounted(Path target) throws IOException {
        return mountTable.read().at(target).filter(m -> m.fsType().equals("overlay")).isPresent();
    }

    /**
     * Unmounts {@code target}, retrying while it is busy. Done already if nothing is mounted.
     *
     * @throws KernelException EBUSY after the retries, naming the mount and what to do
     */
    public void unmount(Path target) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (mountTable.read().at(target).isEmpty()) {
                return;
            }
            try {
                kernel.umount2(target, 0);
                return;
            } catch (KernelException e) {
                if (e.errno() == Errno.EINVAL && mountTable.read().at(target).isEmpty()) {
                    return; // unmounted meanwhile
                }
                if (e.errno() != Errno.EBUSY) {
                    throw e;
                }
                if (attempt >= umountAttempts) {
                    throw new KernelException("umount2", target.toString(), Errno.EBUSY,
                            "still in use after " + attempt + " attempts: a process has its working directory"
                                    + " or an open file there (`fuser -vm " + target + "`); stop it and retry");
                }
            }
            pause(attempt);
        }
    }

    /**
     * Detaches the mount on {@code target} (MNT_DETACH: what still uses it, such as an overlay
     * holding it as a layer, keeps it). Nothing mounted there is done.
     */
    public void detach(Path target) throws IOException {
        try {
            kernel.umount2(target, Kernel.MNT_DETACH);
        } catch (KernelException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
        }
    }

    /**
     * Unmounts every mount at or below {@code root}, the deepest first (a pod of several apps has
     * an overlay per app below its root). Done already if nothing is mounted there.
     *
     * @throws IOException the first mount that cannot be unmounted, as {@link #unmount}
     */
    public void unmountAll(Path root) throws IOException {
        List<Path> below = mountTable.read().mounts().stream().map(MountInfo.Mount::mountPoint)
                .filter(m -> m.startsWith(root)).distinct()
                .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
        for (Path mount : below) {
            unmount(mount);
        }
    }

    private void pause(int attempt) throws InterruptedIOException {
        try {
            backoff.pause(attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to unmount");
        }
    }
}
