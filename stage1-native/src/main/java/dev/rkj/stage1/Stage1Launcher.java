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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts rkj-stage1 for a plan: writes the plan file, posix_spawns the binary in a new session
 * (so the pod outlives this JVM) with the protocol pipe on fd 3, and reads the protocol of all its
 * pods on one thread ({@link ProtocolReaders}; a pooled thread reaps each stage1 once its pipe ends). The pod's
 * rootfs must be mounted and its cgroups created beforehand ({@link PodStarter} does all of it).
 *
 * <p>With spares, the launcher keeps one rkj-stage1 spawned ahead of its pod ({@code run -}),
 * waiting for the plan file's path on fd 4: a launch hands it the path instead of paying for an
 * exec (milliseconds on a VM), and the next spare is spawned once that pod's apps run (from the second
 * pod on: a one-shot command launches one). A spare holds
 * nothing (no lock, no cgroup, no mount) and ends by itself when this JVM does (its fd 4 reads end
 * of file); {@link #close} ends it at once. Every pod still has a stage1 process of its own.
 */
public final class Stage1Launcher implements AutoCloseable {
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
    /** A spare's: the plan file's path, one line, arrives there (rkj-stage1.c, `run -`). */
    private static final int PLAN_FD = 4;
    /** What a spare's fd 4 takes in one write (a pipe's atomic size). */
    private static final int MAX_PLAN_PATH = 4000;
    private static final Path DEV_NULL = Path.of("/dev/null");

    private final Kernel kernel;
    private final Path binary;
    private final Stage1PlanWriter writer = new Stage1PlanWriter();
    private final ProtocolReaders readers;
    private final boolean spares;
    private final ExecutorService spawner;
    private final java.util.concurrent.atomic.AtomicLong launches = new java.util.concurrent.atomic.AtomicLong();
    private final Object spareLock = new Object();
    private Spare spare; // guarded by spareLock
    private long generation; // guarded by spareLock: a spare spawned for an older one is not kept

    /** A stage1 spawned ahead of its pod: its pid, pidfd, protocol pipe and plan pipe, and where its output goes. */
    private record Spare(int pid, int pidfd, int protocol, int planFd, Path stdout, Path stderr) {
    }

    /** @param binary rkj-stage1, as {@link Stage1Binary#extract} placed it */
    public Stage1Launcher(Kernel kernel, Path binary) {
        this(kernel, binary, false);
    }

    /**
     * @param binary rkj-stage1, as {@link Stage1Binary#extract} placed it
     * @param spares keep a stage1 spawned ahead of the next pod (see the class comment); {@link #close} ends it
     */
    public Stage1Launcher(Kernel kernel, Path binary, boolean spares) {
        this.kernel = kernel;
        this.binary = binary;
        this.readers = new ProtocolReaders(kernel);
        this.spares = spares;
        this.spawner = spares ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rkj-stage1-spare");
            t.setDaemon(true);
            return t;
        }) : null;
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
        // An interactive pod's output goes to its attach socket, its failures to the
        // protocol: it keeps none of the user's terminal, which may close before the pod ends.
        Path inherited = plan.interactive() ? DEV_NULL : null;
        Path stdout = output.stdout() != null ? output.stdout() : inherited;
        Path stderr = output.stderr() != null ? output.stderr() : inherited;
        Stage1Process process = spares ? fromSpare(plan, planFile, stdout, stderr) : null;
        if (process == null) {
            process = spawn(plan, planFile, stdout, stderr);
        }
        // The next pod's, once this one's apps run (its exec then takes no CPU from this one); from the
        // second pod on: a one-shot `rkj run` launches one pod, and a spare would only cost it a spawn and a kill.
        if (spares && launches.incrementAndGet() > 1) {
            process.started().whenComplete((s, t) -> refill(stdout, stderr));
        }
        return process;
    }

    private Stage1Process spawn(Stage1Plan plan, Path planFile, Path stdout, Path stderr) throws IOException {
        int[] pipe = kernel.pipe2(Kernel.O_CLOEXEC);
        int pid = -1;
        try {
            List<FileAction> actions = new ArrayList<>();
            actions.add(new FileAction.Dup2(pipe[1], PROTOCOL_FD));
            actions.addAll(outputs(stdout, stderr));
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

    /** stdin, stdout and stderr of a stage1. */
    private static List<FileAction> outputs(Path stdout, Path stderr) {
        List<FileAction> actions = new ArrayList<>();
        // no pod reads this process's stdin: an interactive one has a pty of its own
        actions.add(new FileAction.Open(0, DEV_NULL, Kernel.O_RDONLY, 0));
        int append = Kernel.O_WRONLY | Kernel.O_CREAT | Kernel.O_APPEND;
        if (stdout != null) {
            actions.add(new FileAction.Open(1, stdout, append, 0644));
        }
        if (stderr != null) {
            actions.add(new FileAction.Open(2, stderr, append, 0644));
        }
        return actions;
    }

    /**
     * The spare, given the plan, as the pod's stage1; null when there is none for this output (or it
     * has ended: the caller spawns one afresh).
     */
    private Stage1Process fromSpare(Stage1Plan plan, Path planFile, Path stdout, Path stderr) throws KernelException {
        Spare s;
        synchronized (spareLock) {
            s = spare;
            spare = null;
        }
        if (s == null) {
            return null;
        }
        byte[] line = (planFile + "\n").getBytes(StandardCharsets.UTF_8);
        if (!java.util.Objects.equals(s.stdout(), stdout) || !java.util.Objects.equals(s.stderr(), stderr)
                || line.length > MAX_PLAN_PATH) {
            discard(s);
            return null;
        }
        try {
            kernel.write(s.planFd(), line);
        } catch (KernelException e) {
            discard(s); // it ended meanwhile (EPIPE)
            return null;
        }
        closeQuietly(s.planFd());
        Stage1Process process = new Stage1Process(kernel, plan, s.pid(), s.pidfd());
        try {
            readers.add(s.protocol(), plan.uuid().toString(), l -> deliver(process, l), error -> reap(process, error));
        } catch (KernelException e) {
            closeQuietly(s.pidfd());
            abort(new int[] {s.protocol()}, s.pid(), e);
            throw e;
        }
        return process;
    }

    /** Spawns the next spare, unless there is one. Best effort: without one a launch spawns its stage1. */
    private void refill(Path stdout, Path stderr) {
        synchronized (spareLock) {
            if (spare != null) {
                return;
            }
            long g = generation;
            spawner.execute(() -> {
                Spare s;
                try {
                    s = spawnSpare(stdout, stderr);
                } catch (IOException | RuntimeException e) {
                    return; // the next launch spawns its stage1 itself, and reports what fails then
                }
                synchronized (spareLock) {
                    if (g == generation && spare == null) {
                        spare = s;
                        return;
                    }
                }
                discard(s); // one is there already, or close came in between
            });
        }
    }

    private Spare spawnSpare(Path stdout, Path stderr) throws IOException {
        int[] protocol = kernel.pipe2(Kernel.O_CLOEXEC);
        int[] plan;
        try {
            plan = kernel.pipe2(Kernel.O_CLOEXEC);
        } catch (KernelException e) {
            abort(protocol, -1, e);
            throw e;
        }
        int pid = -1;
        try {
            List<FileAction> actions = new ArrayList<>();
            actions.add(new FileAction.Dup2(protocol[1], PROTOCOL_FD));
            actions.add(new FileAction.Dup2(plan[0], PLAN_FD));
            actions.addAll(outputs(stdout, stderr));
            actions.add(new FileAction.CloseFrom(PLAN_FD + 1));
            pid = kernel.spawn(binary, List.of(binary.toString(), "run", "-"), ENV, actions, true);
            kernel.close(protocol[1]);
            protocol[1] = -1;
            kernel.close(plan[0]);
            plan[0] = -1;
            return new Spare(pid, kernel.pidfdOpen(pid), protocol[0], plan[1], stdout, stderr);
        } catch (IOException | RuntimeException e) {
            abort(plan, -1, e);
            abort(protocol, pid, e);
            throw e;
        }
    }

    /** Ends a spare that will not be used: its plan pipe closed, killed (our child: the pid is its own), reaped. */
    private void discard(Spare s) {
        closeQuietly(s.planFd());
        closeQuietly(s.protocol());
        try {
            kernel.kill(s.pid(), Kernel.SIGKILL);
        } catch (KernelException e) {
            // it has ended already: reaped below
        }
        try {
            kernel.waitpid(s.pid());
        } catch (KernelException e) {
            // reaped already
        }
        closeQuietly(s.pidfd());
    }

    private void closeQuietly(int fd) {
        try {
            kernel.close(fd);
        } catch (KernelException e) {
            // nothing else holds it
        }
    }

    /**
     * Ends the spare, if any, and one being spawned; pods started are not touched. The launcher
     * stays usable: a later launch spawns its stage1, and a spare again after it (to be closed again).
     */
    @Override
    public void close() {
        if (!spares) {
            return;
        }
        Spare s;
        synchronized (spareLock) {
            generation++;
            s = spare;
            spare = null;
        }
        if (s != null) {
            discard(s);
        }
        try {
            spawner.submit(() -> { }).get(); // after a spawn under way, which sees the new generation and ends its spare
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
