package dev.rkj.stage1;

import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A running rkj-stage1, as seen by the JVM that spawned it. Its futures complete on the
 * process's protocol reader thread: don't block in their callbacks.
 *
 * <p>After a JVM restart there is no such handle: use {@link PodLock#isHeld} and
 * {@link ExitStatus#read} instead.
 */
public final class Stage1Process {
    private final Kernel kernel;
    private final Stage1Plan plan;
    private final int pid;
    private final CompletableFuture<Started> started = new CompletableFuture<>();
    private ExitStatus firstFailure;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final Map<String, CompletableFuture<ExitStatus>> appExits = new LinkedHashMap<>();
    private final Map<String, Integer> appPids = new LinkedHashMap<>();
    private int podPid;
    private int podPidfd = -1;
    private int pidfd;
    private Stage1Exception failure;

    Stage1Process(Kernel kernel, Stage1Plan plan, int pid, int pidfd) {
        this.kernel = kernel;
        this.plan = plan;
        this.pid = pid;
        this.pidfd = pidfd;
        plan.apps().forEach(a -> appExits.put(a.name(), new CompletableFuture<>()));
    }

    /** rkj-stage1's pid in the host PID namespace. */
    public int pid() {
        return pid;
    }

    public Stage1Plan plan() {
        return plan;
    }

    /**
     * Completes when every app has been exec'd, or exceptionally with a
     * {@link Stage1Exception} when the pod failed before that.
     */
    public CompletableFuture<Started> started() {
        return started;
    }

    /**
     * The pod's status once rkj-stage1 has ended: the app's status for a one-app pod; otherwise
     * the first app that failed, in time (the others were stopped because of it), or success. Exceptionally with a
     * {@link Stage1Exception} when the pod failed before its apps ran.
     */
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    /**
     * One app's status. If stage1 itself was killed before it could tell, stage1's status;
     * exceptionally with the {@link Stage1Exception} for an app that never ran.
     */
    public CompletableFuture<ExitStatus> appExit(String app) {
        CompletableFuture<ExitStatus> f = appExits.get(app);
        if (f == null) {
            throw new IllegalArgumentException("pod " + plan.uuid() + " has no app `" + app + "`; it has " + appExits.keySet());
        }
        return f;
    }

    /**
     * Sends a signal to rkj-stage1 through a pidfd (it cannot hit a recycled pid). SIGTERM,
     * SIGINT, SIGHUP, SIGQUIT, SIGUSR1/2 reach the apps. SIGKILL goes to the pod's PID 1, which
     * takes every process of the pod with it; stage1 then dies of SIGKILL as well.
     *
     * @throws KernelException ESRCH when stage1 has already ended
     */
    public synchronized void signal(int signal) throws KernelException {
        if (signal == Kernel.SIGKILL && podPidfd >= 0) {
            try {
                kernel.pidfdSendSignal(podPidfd, signal); // stage1 reaps its PID 1, then dies of SIGKILL too
                return;
            } catch (KernelException e) {
                if (e.errno() != Errno.ESRCH) {
                    throw e;
                }
            }
        }
        if (pidfd < 0) {
            throw new KernelException("pidfd_send_signal", "rkj-stage1 pid " + pid, Errno.ESRCH,
                    "the pod has already ended");
        }
        kernel.pidfdSendSignal(pidfd, signal);
    }

    /** True until rkj-stage1 has ended. */
    public synchronized boolean isAlive() {
        if (pidfd < 0 || exit.isDone()) {
            return false;
        }
        try {
            return !kernel.pollIn(pidfd, 0); // a pidfd turns readable when the process ends
        } catch (KernelException e) {
            return false;
        }
    }

    synchronized void onMessage(Stage1Message message) {
        if (message instanceof Stage1Message.Ready r) {
            podPid = r.podPid();
            watchPod(r.podPid());
        } else if (message instanceof Stage1Message.AppStarted s) {
            appPids.put(s.app(), s.pid());
            if (appPids.keySet().containsAll(appExits.keySet())) {
                started.complete(new Started(pid, podPid, appPids, System.nanoTime()));
            }
        } else if (message instanceof Stage1Message.AppExited e) {
            if (firstFailure == null && !e.status().success()) {
                firstFailure = e.status(); // the pod's status: its first failing app's, in time (rkt's rule)
            }
            CompletableFuture<ExitStatus> f = appExits.get(e.app());
            if (f != null) {
                f.complete(e.status());
            }
        } else if (message instanceof Stage1Message.Failed f) {
            failure = f.exception();
            started.completeExceptionally(failure);
        }
    }

    /** rkj-stage1 has been reaped with this wait status. */
    void onEnd(int waitStatus, IOException readError) {
        ExitStatus own = ExitStatus.fromWaitStatus(waitStatus);
        Stage1Exception cause;
        synchronized (this) {
            closePidfd();
            cause = failure;
            if (cause == null && !started.isDone()) {
                cause = new Stage1Exception("rkj-stage1", plan.podDir().toString(), 0,
                        "it ended with " + own + " before its apps started; see its stderr"
                                + (readError == null ? "" : "; reading its messages failed: " + readError.getMessage()));
            }
        }
        for (Map.Entry<String, CompletableFuture<ExitStatus>> e : appExits.entrySet()) {
            if (cause != null && !appPids.containsKey(e.getKey())) {
                e.getValue().completeExceptionally(cause); // it never ran: no exit status to give
            } else {
                e.getValue().complete(statusFileOr(e.getKey(), own));
            }
        }
        if (cause != null) {
            started.completeExceptionally(cause);
            exit.completeExceptionally(cause);
            return;
        }
        exit.complete(podStatus(own));
    }

    private ExitStatus podStatus(ExitStatus own) {
        if (own.killedBySignal()) {
            return own; // stage1 itself was killed: its apps died with it
        }
        if (appExits.size() == 1) {
            return appExits.values().iterator().next().join();
        }
        synchronized (this) {
            if (firstFailure != null) {
                return firstFailure;
            }
        }
        for (CompletableFuture<ExitStatus> f : appExits.values()) {
            if (!f.join().success()) {
                return f.join();
            }
        }
        return ExitStatus.exited(0);
    }

    private ExitStatus statusFileOr(String app, ExitStatus fallback) {
        try {
            Optional<ExitStatus> s = ExitStatus.read(plan.podDir(), app);
            return s.orElse(fallback);
        } catch (IOException e) {
            return fallback;
        }
    }

    /**
     * A pidfd for the pod's PID 1, trusted only if that process is stage1's child and still
     * alive once the fd is open (so not a recycled pid).
     */
    private void watchPod(int pid1) {
        int fd;
        try {
            fd = kernel.pidfdOpen(pid1);
        } catch (KernelException e) {
            return; // it has ended already
        }
        try {
            if (parentOf(pid1) == pid && !kernel.pollIn(fd, 0)) {
                podPidfd = fd;
                return;
            }
        } catch (IOException | RuntimeException e) {
            // not ours to watch
        }
        close(fd);
    }

    private static int parentOf(int pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("PPid:")) {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        return -1;
    }

    private void closePidfd() {
        close(pidfd);
        close(podPidfd);
        pidfd = -1;
        podPidfd = -1;
    }

    private void close(int fd) {
        if (fd >= 0) {
            try {
                kernel.close(fd);
            } catch (KernelException ignored) {
                // nothing else holds it; the number is free either way
            }
        }
    }

    @Override
    public String toString() {
        return "rkj-stage1[pid " + pid + ", pod " + plan.uuid() + "]";
    }
}
