package dev.rkj.bench.launch;

import dev.rkj.stage1.kernel.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code podman run --rm} of {@code /bin/true} on a root filesystem imported as an image of this
 * run's own ({@code localhost/<runId>:1}), inside crun's cgroup2 wrapper on a hybrid host (podman's
 * runtime is crun). {@link #remove} deletes the image again.
 */
public final class PodmanBaseline implements AutoCloseable {
    private final Path podman;
    private final String image;
    private final CommandBaseline run;
    private final Path logs;

    private PodmanBaseline(Path podman, String image, CommandBaseline run, Path logs) {
        this.podman = podman;
        this.image = image;
        this.run = run;
        this.logs = logs;
    }

    /**
     * Imports {@code rootfs} into podman's store; empty when podman is not installed.
     *
     * @throws IOException if the import fails
     */
    public static Optional<PodmanBaseline> create(Kernel kernel, String runId, Path rootfs, Path logs, boolean hybrid)
            throws IOException {
        Optional<Path> podman = CommandBaseline.which("podman");
        if (podman.isEmpty()) {
            return Optional.empty();
        }
        String image = "localhost/" + runId + ":1";
        command(logs.resolve("podman-import.err"), "sh", "-c", "tar -C " + rootfs + " -c . | " + podman.get() + " import - " + image);
        String line = podman.get() + " run --rm --network=none --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 "
                + image + " /bin/true";
        CommandBaseline run = hybrid
                ? new CommandBaseline(kernel, "podman run --rm (in unshare -m, cgroup2 unmounted)", Path.of("/usr/bin/unshare"),
                        List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                                "umount /sys/fs/cgroup/unified; exec " + line), logs.resolve("podman-run.err"))
                : new CommandBaseline(kernel, "podman run --rm", podman.get(), List.of(line.split(" ")),
                        logs.resolve("podman-run.err"));
        return Optional.of(new PodmanBaseline(podman.get(), image, run, logs));
    }

    public CommandBaseline run() {
        return run;
    }

    /** Removes the imported image (and any container of it left behind). */
    @Override
    public void close() throws IOException {
        command(logs.resolve("podman-rmi.err"), podman.toString(), "rmi", "-f", image);
    }

    private static void command(Path log, String... argv) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", argv) + " failed: " + Files.readString(log).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + argv[0], e);
        }
    }
}
