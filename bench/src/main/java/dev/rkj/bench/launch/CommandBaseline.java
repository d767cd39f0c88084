package dev.rkj.bench.launch;

import dev.rkj.stage1.ExitStatus;
import dev.rkj.stage1.kernel.FileAction;
import dev.rkj.stage1.kernel.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A baseline command timed from spawn to exit: posix_spawn from this JVM (as rkj spawns stage1),
 * stdout to /dev/null, stderr to a file that is shown when the command fails.
 */
public final class CommandBaseline {
    private static final List<String> PATH_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
            "/sbin", "/bin");
    private static final List<String> ENV = List.of("PATH=" + String.join(":", PATH_DIRS));

    private final Kernel kernel;
    private final Samples samples;
    private final Path executable;
    private final List<String> argv;
    private final Path stderr;

    public CommandBaseline(Kernel kernel, String name, Path executable, List<String> argv, Path stderr) {
        this.kernel = kernel;
        this.samples = new Samples(name);
        this.executable = executable;
        this.argv = List.copyOf(argv);
        this.stderr = stderr;
    }

    /** {@code command} found in the usual bin directories. */
    public static Optional<Path> which(String command) {
        return PATH_DIRS.stream().map(d -> Path.of(d, command)).filter(Files::isExecutable).findFirst();
    }

    public Samples samples() {
        return samples;
    }

    /**
     * Runs the command once; with {@code record}, adds its time to the samples.
     *
     * @throws IOException if it cannot be spawned or does not exit 0 (with its stderr)
     */
    public void run(boolean record) throws IOException {
        List<FileAction> actions = List.of(
                new FileAction.Open(0, Path.of("/dev/null"), Kernel.O_RDONLY, 0),
                new FileAction.Open(1, Path.of("/dev/null"), Kernel.O_WRONLY, 0),
                new FileAction.Open(2, stderr, Kernel.O_WRONLY | Kernel.O_CREAT | Kernel.O_TRUNC, 0644),
                new FileAction.CloseFrom(3));
        long t0 = System.nanoTime();
        int pid = kernel.spawn(executable, argv, ENV, actions, false);
        int status = kernel.waitpid(pid);
        long t = System.nanoTime() - t0;
        ExitStatus exit = ExitStatus.fromWaitStatus(status);
        if (!exit.success()) {
            String err = Files.exists(stderr) ? Files.readString(stderr).strip() : "";
            throw new IOException(samples.name() + " (" + String.join(" ", argv) + ") ended with " + exit
                    + (err.isEmpty() ? "" : ": " + err));
        }
        if (record) {
            samples.add(t);
        }
    }
}
