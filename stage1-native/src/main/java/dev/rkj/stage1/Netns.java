package dev.rkj.stage1;

import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.MountInfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Persistent network namespaces: a new one bind-mounted on a file ({@code rkj-stage1 netns PATH},
 * a child process, because a multi-threaded JVM must not unshare itself), and its removal
 * (unmount, then the file). Both count what is already so as done.
 */
public final class Netns {
    private final Kernel kernel;
    private final Path binary;

    /** @param binary rkj-stage1, as {@link Stage1Binary#extract} placed it */
    public Netns(Kernel kernel, Path binary) {
        this.kernel = kernel;
        this.binary = binary;
    }

    /**
     * A new network namespace kept by a bind mount at {@code file}; nothing is done when one is
     * mounted there already.
     *
     * @throws IOException naming the file and what stage1 said
     */
    public void create(Path file) throws IOException {
        if (mounted(file)) {
            return;
        }
        Files.deleteIfExists(file); // a file left by a crash between its creation and the mount
        Files.createDirectories(file.getParent());
        Process p = new ProcessBuilder(binary.toString(), "netns", file.toString()).redirectErrorStream(true).start();
        String said;
        try (var in = p.getInputStream()) {
            said = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        int status;
        try {
            status = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while making the network namespace " + file, e);
        }
        if (status != 0) {
            throw new IOException("cannot make the network namespace " + file + ": " + said);
        }
    }

    /** Unmounts the namespace at {@code file} (it ends with its last user) and deletes the file. */
    public void remove(Path file) throws IOException {
        if (mounted(file)) {
            try {
                kernel.umount2(file, Kernel.MNT_DETACH);
            } catch (KernelException e) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                    throw new IOException("cannot unmount the network namespace " + file + ": " + e.getMessage(), e);
                }
            }
        }
        Files.deleteIfExists(file);
    }

    /** Whether a namespace is mounted at {@code file}. */
    public static boolean mounted(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            return false;
        }
        Path target = parent.toRealPath().resolve(file.getFileName());
        return MountInfo.read().mounts().stream().anyMatch(m -> m.mountPoint().equals(target));
    }
}
