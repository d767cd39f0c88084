package dev.rkj.stage1;

import dev.rkj.stage1.cgroup.CgroupLimits;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.cgroup.PodCgroup;
import dev.rkj.stage1.overlay.Overlay;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts a pod all or nothing: mounts its overlay rootfs, writes its /etc/hostname, hosts and
 * resolv.conf there ({@link PodEtc}), creates its cgroup, launches
 * rkj-stage1 and waits until the apps run. On any failure it tears down what it set up and
 * throws the original error, with cleanup errors attached as suppressed. This is the one place a
 * pod's rootfs is mounted ({@link PodDir#upperDir()} and {@link PodDir#workDir()} as the overlay's
 * own directories): preparing a pod mounts nothing.
 */
public final class PodStarter implements AutoCloseable {
    /** On cgroup v2 with per-app cgroups, stage1's own leaf below the pod's cgroup. */
    public static final String STAGE1_CGROUP = "stage1.rkj";

    private final Overlay overlay;
    private final Cgroups cgroups;
    private final Stage1Launcher launcher;
    private final PodEtc etc = new PodEtc(Path.of("/etc"));
    private final ExecutorService cgroupMaker = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rkj-pod-cgroup");
        t.setDaemon(true);
        return t;
    });

    public PodStarter(Overlay overlay, Cgroups cgroups, Stage1Launcher launcher) {
        this.overlay = overlay;
        this.cgroups = cgroups;
        this.launcher = launcher;
    }

    /**
     * Blocks until the pod's apps have been exec'd (run it off an event loop).
     *
     * @param plan the pod; its rootfs is where the overlay goes, its cgroup list is filled in here
     * @param lowerDir the rendered image tree (read-only, shared)
     * @throws Stage1Exception the pod failed before its apps ran (nothing is left behind)
     * @throws IOException mounting, the cgroup or spawning failed (nothing is left behind)
     */
    public RunningPod start(Stage1Plan plan, Path lowerDir, CgroupLimits limits, Stage1Launcher.Output output)
            throws Stage1Exception, IOException {
        return start(plan, lowerDir, limits, Map.of(), output);
    }

    /**
     * As {@link #start(Stage1Plan, Path, CgroupLimits, Stage1Launcher.Output)}, and each app named
     * in {@code appLimits} runs in a cgroup of its own below the pod's, with those limits. On
     * cgroup v2 stage1 then sits in a leaf of its own, {@value #STAGE1_CGROUP}, as v2 wants
     * processes only in leaves.
     */
    public RunningPod start(Stage1Plan plan, Path lowerDir, CgroupLimits limits, Map<String, CgroupLimits> appLimits,
                            Stage1Launcher.Output output) throws Stage1Exception, IOException {
        PodDir podDir = new PodDir(plan.podDir());
        return start(plan, List.of(new Layer(lowerDir, podDir.upperDir(), podDir.workDir(), plan.rootfs())), limits,
                appLimits, output);
    }

    /**
     * As {@link #start(Stage1Plan, Path, CgroupLimits, Map, Stage1Launcher.Output)}, with the
     * overlays {@code layers} mounted in their order: one on the pod's rootfs for a pod of one app,
     * or one per app below the pod's rootfs (a plain directory, made here) for a pod of several.
     */
    public RunningPod start(Stage1Plan plan, List<Layer> layers, CgroupLimits limits,
                            Map<String, CgroupLimits> appLimits, Stage1Launcher.Output output)
            throws Stage1Exception, IOException {
        PodCgroup cgroup = null;
        Future<PodCgroup> making = null;
        Stage1Process process = null;
        try {
            // the cgroup is made beside the mounts: each takes a millisecond or more of kernel time
            making = cgroupMaker.submit(() -> cgroups.create(plan.uuid(), limits));
            java.nio.file.Files.createDirectories(plan.rootfs());
            for (Layer layer : layers) {
                if (plan.privateUsers() == null) {
                    overlay.mount(layer.lower(), layer.upper(), layer.work(), layer.target());
                } else {
                    mountShifted(plan.privateUsers(), layer);
                }
            }
            etc.write(plan); // into the overlays' upper layers, in every app's root
            if (plan.privateUsers() != null) {
                for (Layer layer : layers) {
                    shiftRootOwned(plan.privateUsers(), layer.upper());
                }
            }
            cgroup = await(making);
            making = null;
            process = launcher.launch(withCgroups(plan, cgroup, appLimits), output);
            process.started().get();
            return new RunningPod(process, cgroup, overlay, plan.rootfs());
        } catch (ExecutionException | CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            Exception failure = cause instanceof Stage1Exception || cause instanceof IOException
                    ? (Exception) cause : new IOException("pod " + plan.uuid() + " failed to start", cause);
            throw rethrow(cleanUp(failure, process, made(cgroup, making), plan.rootfs()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw (InterruptedIOException) cleanUp(new InterruptedIOException("interrupted while pod " + plan.uuid() + " started"),
                    process, made(cgroup, making), plan.rootfs());
        } catch (IOException | RuntimeException e) {
            throw rethrow(cleanUp(e, process, made(cgroup, making), plan.rootfs()));
        }
    }

    /**
     * One overlay of a pod: the read-only rendered image tree {@code lower}, the pod's own
     * {@code upper} and {@code work} directories, mounted on {@code target}.
     */
    public record Layer(Path lower, Path upper, Path work, Path target) {
        /** Where {@link #lower} is bound, idmapped, while a {@code --private-users} overlay is mounted: beside {@link #work}. */
        public Path mappedLower() {
            return work.resolveSibling("lower");
        }
    }

    /**
     * What stage0 wrote in a {@code --private-users} pod's upper layer as host root (its /etc files
     * and, for an image without one, /etc itself) becomes the pod's root's, as the image's files are:
     * the app, root inside, may then change them.
     */
    private static void shiftRootOwned(Stage1Plan.PrivateUsers users, Path upper) throws IOException {
        try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(upper)) {
            for (Path p : all.toList()) {
                if (!p.equals(upper) && ((Integer) java.nio.file.Files.getAttribute(p, "unix:uid",
                        java.nio.file.LinkOption.NOFOLLOW_LINKS)) == 0) {
                    java.nio.file.Files.setAttribute(p, "unix:uid", (int) users.shift(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    java.nio.file.Files.setAttribute(p, "unix:gid", (int) users.shift(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    /**
     * The overlay of a {@code --private-users} pod: its lower layer is the image tree bound with
     * its owners shifted ({@code rkj-stage1 idmap}), so the image's root-owned files are the pod's
     * root's; its upper directory is owned by the shifted root and not idmapped, so what the apps
     * write is owned by their shifted ids on the host. The idmapped bind is detached once the
     * overlay holds it: it leaves no mount behind.
     */
    private void mountShifted(Stage1Plan.PrivateUsers users, Layer layer) throws IOException {
        java.nio.file.Files.createDirectories(layer.upper());
        java.nio.file.Files.setAttribute(layer.upper(), "unix:uid", (int) users.shift());
        java.nio.file.Files.setAttribute(layer.upper(), "unix:gid", (int) users.shift());
        if (overlay.isMounted(layer.target())) {
            return; // mounted already (a retried start)
        }
        Path mapped = layer.mappedLower();
        java.nio.file.Files.createDirectories(mapped);
        launcher.idmap(users, layer.lower(), mapped);
        try {
            overlay.mount(mapped, layer.upper(), layer.work(), layer.target());
        } finally {
            overlay.detach(mapped);
        }
    }

    /**
     * Tears down a pod that has ended, when no {@link RunningPod} is at hand (after a restart, in
     * GC): removes its cgroup (killing stragglers) and unmounts its rootfs. Gone already is done.
     *
     * @throws IOException the first failure, later ones suppressed
     */
    public void tearDown(String uuid, Path rootfs) throws IOException {
        IOException failure = new IOException("tearing down pod " + uuid + " failed");
        RunningPod.tearDown(failure, cgroups.open(uuid), overlay, rootfs);
        RunningPod.throwFirst(failure);
    }

    /** Ends the launcher's spare stage1, if any; pods started keep running, and this starter stays usable. */
    @Override
    public void close() {
        launcher.close();
    }

    private Stage1Plan withCgroups(Stage1Plan plan, PodCgroup cgroup, Map<String, CgroupLimits> appLimits)
            throws IOException {
        if (appLimits.isEmpty()) {
            return plan.withCgroupProcs(cgroup.procsFiles());
        }
        List<Stage1Plan.App> apps = new ArrayList<>();
        for (Stage1Plan.App app : plan.apps()) {
            if (app.name().equals(STAGE1_CGROUP)) {
                throw new IllegalArgumentException("app name `" + STAGE1_CGROUP + "` is reserved for stage1's own cgroup");
            }
            CgroupLimits l = appLimits.get(app.name());
            apps.add(l == null ? app : app.withCgroupProcs(cgroup.child(app.name(), l).procsFiles()));
        }
        List<Path> stage1 = cgroups.layout().mode().usesV1Controllers()
                ? cgroup.procsFiles() : cgroup.child(STAGE1_CGROUP, CgroupLimits.NONE).procsFiles();
        return plan.withApps(apps).withCgroupProcs(stage1);
    }

    /** The cgroup {@code making} made, or what {@link Cgroups#create} threw. */
    private static PodCgroup await(Future<PodCgroup> making) throws IOException, InterruptedException {
        try {
            return making.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("creating a pod cgroup failed: " + e.getCause(), e.getCause());
        }
    }

    /** The pod's cgroup, for a clean-up: {@code making}'s once made, if it was still being made (null if that failed). */
    private static PodCgroup made(PodCgroup cgroup, Future<PodCgroup> making) {
        if (making == null) {
            return cgroup;
        }
        boolean interrupted = Thread.interrupted(); // wait for it even so: it is removed with the rest
        try {
            while (true) {
                try {
                    return making.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException | CancellationException e) {
            return null; // Cgroups.create left nothing behind
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static RuntimeException rethrow(Exception e) throws Stage1Exception, IOException {
        if (e instanceof Stage1Exception s) {
            throw s;
        }
        if (e instanceof IOException io) {
            throw io;
        }
        return (RuntimeException) e;
    }

    private Exception cleanUp(Exception failure, Stage1Process process, PodCgroup cgroup, Path rootfs) {
        if (process != null) {
            try {
                if (process.isAlive()) {
                    process.signal(9);
                }
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            process.exit().handle((s, t) -> null).join(); // reaped: nothing holds the mount any more
        }
        RunningPod.tearDown(failure, cgroup, overlay, rootfs);
        return failure;
    }
}
