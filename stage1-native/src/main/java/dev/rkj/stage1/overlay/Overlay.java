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

    /** The kernel's mount options for these layers. */
    public static String options(Path lower, Path upper, Path work) throws IOException {
        return "lowerdir=" + checked(lower) + ",upperdir=" + checked(upper) + ",workdir=" + checked(work);
    }

    private static String checked(Path p) throws IOException {
        String s = p.toAbsolutePath().normalize().toString();
        if (s.contains(",") || s.contains(":") || s.contains("\\")) {
            throw new IOException("overlay layer path `" + s
                    + "` contains ',', ':' or '\\', which overlayfs options cannot carry: use another data directory");
        }
        return s;
    }

    /**
     * Mounts {@code lower} (read-only) with {@code upper} and {@code work} on {@code target},
     * creating the pod's directories. Done already if that overlay is mounted there.
     *
     * @throws IOException if another filesystem is mounted there, or the kernel refuses
     */
    public void mount(Path lower, Path upper, Path work, Path target) throws IOException {
        String options = options(lower, upper, work);
        Optional<MountInfo.Mount> existing = mountTable.read().at(target);
        if (existing.isPresent()) {
            MountInfo.Mount m = existing.get();
            if (m.fsType().equals("overlay") && m.superOptions().contains("lowerdir=" + checked(lower))) {
                return;
            }
            throw new IOException("`" + target + "` already has a " + m.fsType() + " mount ("
                    + String.join(",", m.superOptions()) + "), not the overlay of `" + lower
                    + "`: unmount it first");
        }
        if (!Files.isDirectory(lower)) {
            throw new IOException("overlay lower dir `" + lower + "` is not a directory: render the image first");
        }
        Files.createDirectories(upper);
        Files.createDirectories(work);
        Files.createDirectories(target);
        kernel.mount("overlay", target, "overlay", 0, options);
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

    private void pause(int attempt) throws InterruptedIOException {
        try {
            backoff.pause(attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to unmount");
        }
    }
}
