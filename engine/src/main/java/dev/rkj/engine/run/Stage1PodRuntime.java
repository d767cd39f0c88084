package dev.rkj.engine.run;

import dev.rkj.engine.mds.MdsRegistry;
import dev.rkj.engine.net.CniException;
import dev.rkj.engine.net.NameService;
import dev.rkj.engine.net.PodNetworks;
import dev.rkj.engine.appc.Port;
import dev.rkj.engine.pod.NetworkAttachment;
import dev.rkj.engine.pod.Networking;
import dev.rkj.engine.stage.CrashPoint;
import dev.rkj.stage1.Stage1Plan;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.ManifestException;
import dev.rkj.engine.appc.PodApp;
import dev.rkj.engine.appc.PodManifest;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.PodRuntime;
import dev.rkj.engine.stage.StageException;
import dev.rkj.stage1.ExitStatus;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.PodStarter;
import dev.rkj.stage1.RunningPod;
import dev.rkj.stage1.Stage1Exception;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.Started;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pod runtime of the native stage1: {@link #start} plans the pod ({@link PodPlanner#plan}) and
 * has {@link PodStarter} mount its overlay rootfs (the one place a pod's rootfs is mounted),
 * create its cgroup with its limits and spawn {@code rkj-stage1}, which outlives this JVM; all or
 * nothing.
 *
 * <p>A pod this process launched is watched through its {@code Stage1Process} (the protocol pipe
 * and its exit). A pod adopted from a dead engine is watched with a pidfd on its stage1 (checked
 * against the pod lock, so a recycled pid is never mistaken for it) on a daemon thread of its own;
 * when it ends, the statuses stage1 wrote in {@code status/<app>} tell how.
 *
 * <p>Stopping sends SIGTERM to stage1, which forwards it to the apps; a forced stop sends SIGKILL to
 * the pod's PID 1, which takes every process of the pod with it.
 */
public final class Stage1PodRuntime implements PodRuntime {
    /** How often a watcher thread of an adopted pod checks whether it was cancelled. */
    private static final int CANCEL_CHECK_MILLIS = 500;
    /** Where a pod's end is read (status files, OOM counters). */
    private static final java.util.concurrent.ExecutorService EXITS = dev.rkj.engine.DaemonPools.cached("rkj-pod-exit");
    /** Where {@code --dns=host} copies the pod's resolv.conf from. */
    private static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");

    private final PodStarter starter;
    private final Cgroups cgroups;
    private final PodLock lock;
    private final Kernel kernel;
    private final PodPlanner planner;
    private final Stage1Launcher.Output output;
    private final Path dataDir;
    private final PreparedManifests prepared;
    private final MdsPolicy mds;
    private final MdsRegistry registry;
    private final PodNetworks networks;
    private final CrashPoint crashAt;
    private final Map<String, RunningPod> launched = new ConcurrentHashMap<>();
    private final Set<String> forceStopped = ConcurrentHashMap.newKeySet();

    /**
     * @param output   where stage1's stdout and stderr go (the apps' output is copied there too):
     *                 {@link Stage1Launcher.Output#INHERIT} for {@code rkj run} in a terminal, files
     *                 for a daemon
     * @param prepared the manifests this process prepared, or null (then read from the pod dir)
     */
    public Stage1PodRuntime(Path dataDir, PodStarter starter, Cgroups cgroups, PodLock lock, Kernel kernel, PodPlanner planner,
                           Stage1Launcher.Output output, PreparedManifests prepared) {
        this(dataDir, starter, cgroups, lock, kernel, planner, output, prepared, MdsPolicy.NONE, null, null);
    }

    /**
     * @param mds      which pods register with the metadata service, and where it listens
     * @param networks joins pods to their CNI networks, or null when this host has none (a pod that
     *                 asks for one then fails to start, saying so)
     * @param crashAt  tests only: where to halt as {@code kill -9} would (null: never)
     */
    public Stage1PodRuntime(Path dataDir, PodStarter starter, Cgroups cgroups, PodLock lock, Kernel kernel, PodPlanner planner,
                           Stage1Launcher.Output output, PreparedManifests prepared, MdsPolicy mds, PodNetworks networks,
                           CrashPoint crashAt) {
        this.mds = mds;
        this.networks = networks;
        this.crashAt = crashAt;
        this.registry = new MdsRegistry(dataDir.resolve(Stage1Host.PODS));
        this.dataDir = dataDir;
        this.starter = starter;
        this.cgroups = cgroups;
        this.lock = lock;
        this.kernel = kernel;
        this.planner = planner;
        this.output = output;
        this.prepared = prepared == null ? new PreparedManifests() : prepared;
    }

    @Override
    public StartedPod start(PodState pod) throws StageException {
        PodDir dir = podDir(pod);
        Path podDir = dir.path();
        PodManifest manifest = prepared.take(pod.podId(), pod.manifestDigest());
        if (manifest == null) {
            manifest = readManifest(pod, podDir);
        }
        if (held(podDir)) {
            throw StageException.permanent("pod " + pod.podId() + " is already running: a stage1 holds "
                    + dir.lock());
        }
        Map<String, Path> trees = new LinkedHashMap<>();
        List<PodStarter.Layer> layers = new ArrayList<>();
        for (PodApp app : manifest.apps()) {
            String name = app.name().value();
            String treeId = app.image().id().map(id -> pod.trees().get(id.toString())).orElse(null);
            if (treeId == null) {
                throw StageException.permanent("pod " + pod.podId() + ": the image of app " + name
                        + " was not rendered for it; prepare the pod again");
            }
            Path tree = ImageStore.rootfsOf(dataDir, treeId);
            trees.put(name, tree);
            layers.add(manifest.apps().size() == 1
                    ? new PodStarter.Layer(tree, dir.upperDir(), dir.workDir(), dir.rootfs())
                    : new PodStarter.Layer(tree, dir.appUpperDir(name), dir.appWorkDir(name), dir.appRootfs(name)));
        }
        PodPlanner.Planned planned = planner.plan(pod.podId(), dir, trees, pod.spec(), manifest, pod.spec().privateUsers(),
                mdsRegister(pod, dir, mds.registers().test(pod.spec())));
        Networking networking = pod.spec().networking();
        List<NetworkAttachment> attached = List.of();
        if (networking != null) {
            PodNetworks.Joined joined = joinNetworks(pod, dir, manifest, networking);
            attached = joined.attachments();
            try {
                planned = planned.withNetwork(new Stage1Plan.Network(joined.netns(),
                        NameService.resolvConf(networking, joined, HOST_RESOLV_CONF), networking.hostsLines()));
            } catch (IOException e) {
                leaveAfterFailure(pod, dir, e);
                throw StageException.retryable("pod " + pod.podId() + ": cannot read " + HOST_RESOLV_CONF + " for --dns=host: "
                        + e.getMessage(), e);
            }
        }
        CrashPoint.AFTER_NETWORK_SETUP.reached(crashAt);
        RunningPod running;
        try {
            PodPlanner.makeEmptyVolumes(planned);
            running = starter.start(planned.plan(), layers, planned.podLimits(), planned.appLimits(), output);
        } catch (Stage1Exception e) {
            leaveAfterFailure(pod, dir, e);
            throw new StageException("pod " + pod.podId() + " could not start: " + e.getMessage(), false, e);
        } catch (IOException e) {
            leaveAfterFailure(pod, dir, e);
            throw StageException.retryable("pod " + pod.podId() + " could not start: " + e.getMessage(), e);
        }
        launched.put(pod.podId(), running);
        Started started = running.process().started().join(); // complete: start() waited for it
        Map<String, Long> appPids = new TreeMap<>();
        started.appPids().forEach((app, pid) -> appPids.put(app, (long) pid));
        List<String> apps = appNames(manifest);
        CompletableFuture<PodExit> exit = running.process().exit()
                .handleAsync((status, error) -> launchedExit(pod.podId(), running, apps, status, error), EXITS);
        return new StartedPod(started.stage1Pid(), appPids, watchOf(exit, () -> {
        }), planned.isolators(), planned.warnings(), attached);
    }

    @Override
    public void close() {
        starter.close(); // its launcher's spare stage1
    }

    private PodNetworks.Joined joinNetworks(PodState pod, PodDir dir, PodManifest manifest, Networking networking)
            throws StageException {
        if (networks == null) {
            throw StageException.permanent("pod " + pod.podId() + " asks for CNI networks, which this engine was"
                    + " opened without: run it with --net=none or --net=host");
        }
        List<PodNetworks.PortMapping> ports = new ArrayList<>();
        for (Networking.PortForward f : networking.ports()) {
            Port port = manifest.apps().stream().flatMap(a -> a.app().stream()).flatMap(a -> a.ports().stream())
                    .filter(p -> p.name().value().equals(f.name())).findFirst()
                    .orElseThrow(() -> StageException.permanent("pod " + pod.podId() + ": --port " + f.name()
                            + ": no app of the pod declares a port named " + f.name() + " (see the image's app.ports)"));
            ports.add(new PodNetworks.PortMapping(f.hostPort(), port.port(), port.protocol(), f.hostIp()));
        }
        try {
            return networks.join(pod.podId(), dir, networking, ports);
        } catch (CniException e) {
            throw StageException.retryable("pod " + pod.podId() + " could not join its networks: " + e.getMessage(), e);
        }
    }

    /** Takes a pod whose start failed off its networks; a failure of that is added to {@code cause}. */
    private void leaveAfterFailure(PodState pod, PodDir dir, Exception cause) {
        if (networks == null || pod.spec().networking() == null) {
            return;
        }
        try {
            networks.leave(pod.podId(), dir);
        } catch (CniException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Registers the pod with the metadata service when {@code register} (a fresh token in its
     * directory; the socket's directory made, for stage1's relay to open); null when not.
     */
    private MdsPolicy.Registered mdsRegister(PodState pod, PodDir dir, boolean register) throws StageException {
        if (!register) {
            return null;
        }
        try {
            Files.createDirectories(mds.endpoint().socket().getParent());
            return new MdsPolicy.Registered(mds.endpoint(), registry.register(dir));
        } catch (IOException e) {
            throw StageException.retryable("pod " + pod.podId() + " could not register with the metadata service: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public PodWatch watch(PodState pod) throws StageException {
        Path podDir = podDir(pod).path();
        if (!held(podDir)) {
            return watchOf(CompletableFuture.completedFuture(endedExit(pod, podDir)), () -> {
            });
        }
        int pidfd;
        try {
            pidfd = kernel.pidfdOpen(Math.toIntExact(pod.stage1Pid()));
        } catch (KernelException e) {
            if (e.errno() == Errno.ESRCH) {
                return watchOf(CompletableFuture.completedFuture(endedExit(pod, podDir)), () -> {
                });
            }
            throw StageException.retryable("cannot watch pod " + pod.podId() + ": " + e.getMessage(), e);
        }
        if (!held(podDir)) { // stage1 ended between the probe and pidfd_open: the pid may be another process
            close(pidfd);
            return watchOf(CompletableFuture.completedFuture(endedExit(pod, podDir)), () -> {
            });
        }
        CompletableFuture<PodExit> exit = new CompletableFuture<>();
        Thread watcher = new Thread(() -> awaitEnd(pod, podDir, pidfd, exit), "rkj-watch-" + pod.podId());
        watcher.setDaemon(true);
        watcher.start();
        return watchOf(exit, () -> exit.cancel(false));
    }

    @Override
    public void stop(PodState pod, boolean force) throws StageException {
        int signal = force ? Kernel.SIGKILL : Kernel.SIGTERM;
        RunningPod running = launched.get(pod.podId());
        try {
            if (running != null) {
                running.process().signal(signal);
                return;
            }
            Path podDir = podDir(pod).path();
            if (!held(podDir)) {
                return; // ended already
            }
            long target = force ? podPid(podDir) : pod.stage1Pid();
            int pidfd = kernel.pidfdOpen(Math.toIntExact(target));
            try {
                if (!held(podDir)) {
                    return; // ended meanwhile: the pid may be another process by now
                }
                if (force) {
                    forceStopped.add(pod.podId());
                }
                kernel.pidfdSendSignal(pidfd, signal);
            } finally {
                close(pidfd);
            }
        } catch (KernelException e) {
            if (e.errno() == Errno.ESRCH) {
                return; // ended already
            }
            throw StageException.permanent("cannot stop pod " + pod.podId() + ": " + e.getMessage());
        } catch (IOException e) {
            throw StageException.retryable("cannot stop pod " + pod.podId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public PodProbe probe(PodState pod) throws StageException {
        Path podDir = podDir(pod).path();
        boolean held = held(podDir);
        return new PodProbe(held, held || Files.exists(new PodDir(podDir).lock()),
                written(pod, podDir, appOrder(pod, podDir)));
    }

    private PodExit launchedExit(String podId, RunningPod running, List<String> apps, ExitStatus status,
                                 Throwable error) {
        launched.remove(podId);
        boolean oom = oomKilled(running);
        Map<String, AppExit> exits = new LinkedHashMap<>();
        for (String app : apps) {
            ExitStatus s = running.process().appExit(app).getNow(null);
            if (s != null) {
                exits.put(app, appExit(app, s, oom));
            }
        }
        if (error != null) {
            return PodExit.lost(exits, "stage1 failed: " + error.getMessage());
        }
        return PodExit.exited(exits, status.code(), status.killedBySignal()
                ? "stage1 was killed by signal " + status.signal() : "all apps exited");
    }

    private void awaitEnd(PodState pod, Path podDir, int pidfd, CompletableFuture<PodExit> exit) {
        try {
            while (!exit.isDone()) {
                if (kernel.pollIn(pidfd, CANCEL_CHECK_MILLIS)) {
                    exit.complete(endedExit(pod, podDir));
                }
            }
        } catch (KernelException | StageException | RuntimeException e) {
            exit.complete(PodExit.lost(Map.of(), "watching stage1 pid " + pod.stage1Pid() + " failed: " + e.getMessage()));
        } finally {
            close(pidfd);
        }
    }

    /** How a pod whose stage1 has ended went, from the statuses it wrote. */
    private PodExit endedExit(PodState pod, Path podDir) throws StageException {
        List<String> apps = appOrder(pod, podDir);
        Map<String, AppExit> written = written(pod, podDir, apps);
        boolean oom = oomKilled(pod.podId());
        Map<String, AppExit> exits = new LinkedHashMap<>();
        written.forEach((app, e) -> exits.put(app, new AppExit(app, e.exitCode(), e.signal(), oom && e.signal() != null)));
        List<String> missing = new ArrayList<>(apps);
        missing.removeAll(written.keySet());
        if (!missing.isEmpty()) {
            if (!forceStopped.remove(pod.podId())) {
                return PodExit.lost(exits, "its stage1 ended without writing the status of " + String.join(", ", missing)
                        + " (it was killed, or the host rebooted)");
            }
            missing.forEach(app -> exits.put(app, new AppExit(app, ExitStatus.SIGNAL_BASE + Kernel.SIGKILL, Kernel.SIGKILL, false)));
        }
        forceStopped.remove(pod.podId());
        return PodExit.exited(exits, PodExit.code(apps, exits), "all apps exited");
    }

    private Map<String, AppExit> written(PodState pod, Path podDir, List<String> apps) throws StageException {
        Map<String, AppExit> written = new LinkedHashMap<>();
        for (String app : apps) {
            try {
                Optional<ExitStatus> s = ExitStatus.read(podDir, app);
                s.ifPresent(status -> written.put(app, appExit(app, status, false)));
            } catch (IOException e) {
                throw StageException.retryable("cannot read the status of app " + app + " of pod " + pod.podId()
                        + ": " + e.getMessage(), e);
            }
        }
        return written;
    }

    /** The pod's apps in the pod manifest's order (the order stage1 started them). */
    private List<String> appOrder(PodState pod, Path podDir) {
        try {
            return appNames(readManifest(pod, podDir));
        } catch (StageException e) {
            return new ArrayList<>(pod.apps().keySet());
        }
    }

    private static List<String> appNames(PodManifest manifest) {
        return manifest.apps().stream().map(PodApp::name).map(n -> n.value()).toList();
    }

    private static AppExit appExit(String app, ExitStatus s, boolean oom) {
        return new AppExit(app, s.code(), s.killedBySignal() ? s.signal() : null, oom && s.killedBySignal());
    }

    private static boolean oomKilled(RunningPod running) {
        try {
            return running.cgroup().oomKilled();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private boolean oomKilled(String podId) {
        try {
            return cgroups.open(podId).exists() && cgroups.open(podId).oomKilled();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private PodManifest readManifest(PodState pod, Path podDir) throws StageException {
        Path file = new PodDir(podDir).manifest();
        try {
            return ManifestCodec.parsePodManifest(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw StageException.permanent("pod " + pod.podId() + " has no pod manifest at " + file
                    + ": it was not prepared here, or its directory was removed");
        } catch (IOException e) {
            throw StageException.retryable("cannot read the pod manifest " + file + ": " + e, e);
        } catch (ManifestException e) {
            throw StageException.permanent("the pod manifest " + file + " is invalid: " + e.getMessage());
        }
    }

    private boolean held(Path podDir) throws StageException {
        try {
            return lock.held(podDir);
        } catch (KernelException e) {
            throw StageException.retryable("cannot probe the lock of " + podDir + ": " + e.getMessage(), e);
        }
    }

    private static long podPid(Path podDir) throws IOException {
        Path file = new PodDir(podDir).pid();
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new IOException("the pid file " + file + " does not hold a pid", e);
        }
    }

    /** The pod's directory, {@code <data dir>/pods/<uuid>}: derived, never read from an event. */
    private PodDir podDir(PodState pod) throws StageException {
        if (pod.manifestDigest() == null) {
            throw StageException.permanent("pod " + pod.podId() + " has no pod directory: it was never prepared");
        }
        return new PodDir(dataDir.resolve(Stage1Host.PODS).resolve(pod.podId()));
    }

    private void close(int fd) {
        try {
            kernel.close(fd);
        } catch (KernelException ignored) {
            // the descriptor is released either way
        }
    }

    private static PodWatch watchOf(CompletableFuture<PodExit> exit, Runnable cancel) {
        return PodWatch.of(exit, cancel);
    }
}
