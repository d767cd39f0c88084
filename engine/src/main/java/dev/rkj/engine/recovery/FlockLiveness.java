package dev.rkj.engine.recovery;

import dev.rkj.engine.pod.PodOwner;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.LinuxKernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@link Liveness} with engine lock files: a live engine holds an exclusive {@code flock} on
 * {@code <data dir>/engines/<engineId>.lock} (which the kernel drops when the process dies, however
 * it dies). An engine is alive while its lock is held; a missing file or a free lock means gone.
 *
 * <p>A lock file is locked before it gets its name (written and locked under a temporary name,
 * then renamed), so a file with an engine's name is never free while that engine lives; stale files
 * of dead engines are removed at the next registration, under their lock.
 */
public final class FlockLiveness implements Liveness {
    /** The directory under the data directory that holds the engine locks. */
    public static final String DIRECTORY = "engines";
    private static final String SUFFIX = ".lock";

    private final Path dir;
    private final Kernel kernel;

    public FlockLiveness(Path dir, Kernel kernel) {
        this.dir = dir;
        this.kernel = kernel;
    }

    /** With the Linux kernel. */
    public static FlockLiveness create(Path dir) {
        return new FlockLiveness(dir, LinuxKernel.get());
    }

    /** The lock file of engine {@code engineId}. */
    public Path lockFile(String engineId) {
        return dir.resolve(engineId + SUFFIX);
    }

    @Override
    public Registration register(PodOwner self) throws IOException {
        Files.createDirectories(dir);
        Path file = lockFile(self.engineId());
        if (held(file)) {
            throw new IOException("engine id " + self.engineId() + " is in use by a live engine (" + file
                    + " is locked): give this engine another id");
        }
        removeStale();
        Path temp = dir.resolve("." + self.engineId() + "." + self.hostPid() + ".tmp");
        Files.writeString(temp, self.hostPid() + "\n", StandardCharsets.US_ASCII);
        int fd = kernel.open(temp, Kernel.O_RDWR | Kernel.O_CLOEXEC, 0);
        try {
            if (!kernel.flock(fd, Kernel.LOCK_EX | Kernel.LOCK_NB)) {
                throw new IOException("cannot lock " + temp + ": another process holds it");
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd, e);
            Files.deleteIfExists(temp);
            throw e;
        }
        return new Held(file, fd);
    }

    @Override
    public boolean isAlive(PodOwner owner) throws IOException {
        return held(lockFile(owner.engineId()));
    }

    private boolean held(Path file) throws KernelException {
        int fd;
        try {
            fd = kernel.open(file, Kernel.O_RDONLY | Kernel.O_CLOEXEC, 0);
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

    /** Removes the lock files of dead engines (those whose lock this process can take). */
    private void removeStale() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                int fd;
                try {
                    fd = kernel.open(file, Kernel.O_RDONLY | Kernel.O_CLOEXEC, 0);
                } catch (KernelException e) {
                    continue; // removed meanwhile
                }
                try {
                    if (kernel.flock(fd, Kernel.LOCK_EX | Kernel.LOCK_NB)) {
                        Files.deleteIfExists(file);
                    }
                } finally {
                    kernel.close(fd);
                }
            }
        }
    }

    private void closeQuietly(int fd, Exception failure) {
        try {
            kernel.close(fd);
        } catch (KernelException e) {
            failure.addSuppressed(e);
        }
    }

    /** A held engine lock: removing the file, then closing the descriptor, marks the engine gone. */
    private final class Held implements Registration {
        private final Path file;
        private int fd;

        Held(Path file, int fd) {
            this.file = file;
            this.fd = fd;
        }

        @Override
        public synchronized void close() {
            if (fd < 0) {
                return;
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a stale file of a dead engine is harmless: its lock is free, the next engine removes it
            }
            try {
                kernel.close(fd);
            } catch (KernelException ignored) {
                // the descriptor is released either way
            }
            fd = -1;
        }
    }
}
