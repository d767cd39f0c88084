package dev.rkj.stage1;

import dev.rkj.stage1.kernel.FileAction;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts rkj-stage1 for a plan: writes the plan file, posix_spawns the binary in a new session
 * (so the pod outlives this JVM) with the protocol pipe on fd 3, and reads the protocol of all its
 * pods on one thread ({@link ProtocolReaders}; a pooled thread reaps each stage1 once its pipe ends). The pod's
 * rootfs must be mounted and its cgroups created beforehand ({@link PodStarter} does all of it).
 */
public final class Stage1Launcher {
    /**
     * Where stage1's own stdout and stderr go: null inherits the JVM's (so {@code rkj run} streams),
     * except for an interactive pod, whose null is /dev/null (its output is on its attach socket).
     */
    public record Output(Path stdout, Path stderr) {
        public static final Output INHERIT = new Output(null, null);
    }

    /** All of stage1's environment: the pod's PID 1 inherits it, so it names no host path. */
    private static final List<String> ENV = List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
    private static final int PROTOCOL_FD = 3;
    private static final Path DEV_NULL = Path.of("/dev/null");

    private final Kernel kernel;
    private final Path binary;
    private final Stage1PlanWriter writer = new Stage1PlanWriter();
    private final ProtocolReaders readers;

    /** @param binary rkj-stage1, as {@link Stage1Binary#extract} placed it */
    public Stage1Launcher(Kernel kernel, Path binary) {
        this.kernel = kernel;
        this.binary = binary;
        this.readers = new ProtocolReaders(kernel);
    }

    /**
     * Binds {@code source} on {@code target} (an empty directory) with its owners shifted by
     * {@code users}, an idmapped mount ({@code rkj-stage1 idmap}, userns.c). Blocks until done.
     *
     * @throws IOException the kernel refused, with rkj-stage1's message naming the call and the path
     */
    public void idmap(Stage1Plan.PrivateUsers users, Path source, Path target) throws IOException {
        Process p = new ProcessBuilder(binary.toString(), "idmap", Long.toString(users.shift()),
                Long.toString(users.count()), source.toString(), target.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL.toFile())).start();
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        try {
            if (p.waitFor() != 0) {
                throw new IOException("cannot map the owners of " + source + " for --private-users: " + said);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new java.io.InterruptedIOException("interrupted while mapping " + source);
        }
    }

    public Stage1Process launch(Stage1Plan plan) throws IOException {
        return launch(plan, Output.INHERIT);
    }

    /**
     * Spawns the pod. Returns once rkj-stage1 runs; failures of the pod itself arrive through
     * {@link Stage1Process#started()}.
     *
     * @throws IOException if the plan cannot be written or the binary cannot be spawned
     */
    public Stage1Process launch(Stage1Plan plan, Output output) throws IOException {
        Path planFile = writer.write(plan);
        int[] pipe = kernel.pipe2(Kernel.O_CLOEXEC);
        int pid = -1;
        try {
            List<FileAction> actions = new ArrayList<>();
            actions.add(new FileAction.Dup2(pipe[1], PROTOCOL_FD));
            // no pod reads this process's stdin: an interactive one has a pty of its own
            actions.add(new FileAction.Open(0, DEV_NULL, Kernel.O_RDONLY, 0));
            int append = Kernel.O_WRONLY | Kernel.O_CREAT | Kernel.O_APPEND;
            // An interactive pod's output goes to its attach socket, its failures to the
            // protocol: it keeps none of the user's terminal, which may close before the pod ends.
            Path inherited = plan.interactive() ? DEV_NULL : null;
            Path stdout = output.stdout() != null ? output.stdout() : inherited;
            Path stderr = output.stderr() != null ? output.stderr() : inherited;
            if (stdout != null) {
                actions.add(new FileAction.Open(1, stdout, append, 0644));
            }
            if (stderr != null) {
                actions.add(new FileAction.Open(2, stderr, append, 0644));
            }
            actions.add(new FileAction.CloseFrom(PROTOCOL_FD + 1));
            pid = kernel.spawn(binary, List.of(binary.toString(), "run", planFile.toString()), ENV, actions, true);
            kernel.close(pipe[1]);
            pipe[1] = -1;
            Stage1Process process = new Stage1Process(kernel, plan, pid, kernel.pidfdOpen(pid));
            int fd = pipe[0];
            readers.add(fd, plan.uuid().toString(), line -> deliver(process, line), error -> reap(process, error));
            return process;
        } catch (IOException | RuntimeException e) {
            abort(pipe, pid, e);
            throw e;
        }
    }

    private void abort(int[] pipe, int pid, Exception e) {
        for (int fd : pipe) {
            if (fd >= 0) {
                try {
                    kernel.close(fd);
                } catch (KernelException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
        }
        if (pid > 0) {
            try {
                kernel.kill(pid, Kernel.SIGKILL);
                kernel.waitpid(pid);
            } catch (KernelException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
    }

    /** Once stage1's protocol pipe is at its end (stage1 has ended): reaps it and completes its process. */
    private void reap(Stage1Process process, IOException readError) {
        int status;
        try {
            status = kernel.waitpid(process.pid());
        } catch (KernelException e) {
            status = 0xff00; // exit 255: unknown
            readError = readError == null ? e : readError;
        }
        process.onEnd(status, readError);
    }

    private static void deliver(Stage1Process process, String line) {
        Stage1Message message;
        try {
            message = Stage1Message.parse(line);
        } catch (IllegalArgumentException e) {
            message = new Stage1Message.Failed("protocol", null, 0, e.getMessage());
        }
        process.onMessage(message);
    }
}
