package dev.rkj.stage1;

import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.LinuxKernel;
import java.nio.file.Path;

/**
 * Whether a pod is alive: its rkj-stage1 holds an exclusive flock on {@code <podDir>/lock} for
 * the whole life of the pod (as rkt did), so any process can ask, after any restart.
 */
public final class PodLock {
    private final Kernel kernel;

    public PodLock(Kernel kernel) {
        this.kernel = kernel;
    }

    /** {@link #held(Path)} with the Linux kernel. */
    public static boolean isHeld(Path podDir) throws KernelException {
        return new PodLock(LinuxKernel.get()).held(podDir);
    }

    /**
     * True while a stage1 holds the pod's lock. Probes with a shared, non-blocking flock taken
     * and dropped at once (stage1 retries briefly if it meets the probe). False if there is no
     * lock file: that pod never started.
     */
    public boolean held(Path podDir) throws KernelException {
        int fd;
        try {
            fd = kernel.open(new PodDir(podDir).lock(), Kernel.O_RDONLY | Kernel.O_CLOEXEC, 0);
        } catch (KernelException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
        try {
            return !kernel.flock(fd, Kernel.LOCK_SH | Kernel.LOCK_NB);
        } finally {
            kernel.close(fd); // drops the probe's lock, if it got it
        }
    }
}
