package dev.rkj.bench.launch;

import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.eventlog.Journal;
import dev.rkj.stage1.ExitStatus;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.PodStarter;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.Stage1Plan;
import dev.rkj.stage1.Stage1Process;
import dev.rkj.stage1.Started;
import dev.rkj.stage1.cgroup.CgroupLimits;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.cgroup.PodCgroup;
import dev.rkj.stage1.kernel.FileAction;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.stage1.overlay.Overlay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The host-side pieces of the engine's launch path, each timed alone with the same classes the
 * engine uses ({@link Overlay}, {@link Cgroups}, {@link Stage1Launcher}) on the same rendered tree,
 * so the milliseconds inside the ports can be attributed; and the image store's journal catch-up,
 * which the resolve, render and prepare ports each go through. The cost of joining the v1
 * cgroups is stage1 with its plan's {@code cgroup_procs} minus stage1 without; the two alternate.
 */
public final class LaunchPathProfile {
    private static final Stage1Launcher.Output QUIET = new Stage1Launcher.Output(Path.of("/dev/null"), Path.of("/dev/null"));

    private final Kernel kernel;
    private final Overlay overlay;
    private final Cgroups cgroups;
    private final Stage1Launcher launcher;
    private final Stage1Launcher spares;
    private final Path lowerDir;
    private final Path podsDir;
    private final Journal journal;
    private final ImageStore store;
    private final ImageId image;

    final Samples spawnTrue = new Samples("posix_spawn /bin/true from the JVM -> exit");
    final Samples mountInfo = new Samples("MountInfo.read (parse /proc/self/mountinfo)");
    final Samples mountFresh = new Samples("Overlay.mount, fresh (start)");
    final Samples cgroupCreate = new Samples("Cgroups.create (launch)");
    final Samples stage1Plain = new Samples("stage1 launch -> started, no cgroup join");
    final Samples stage1Cgroups = new Samples("stage1 launch -> started, joining the pod cgroup");
    final Samples stage1Spare = new Samples("stage1 launch -> started, no cgroup join, a spare stage1");
    final Samples cgroupRemove = new Samples("PodCgroup.remove (release)");
    final Samples unmount = new Samples("Overlay.unmount (release)");
    final Samples storeGet = new Samples("ImageStore.get, no new journal events (catch-up)");
    final Samples replay1 = new Samples("journal.replay of the newest 1 event");
    final Samples replay4 = new Samples("journal.replay of the newest 4 events");
    final Samples replay10 = new Samples("journal.replay of the newest 10 events");

    /**
     * @param cgroups the pod cgroups, under a parent of this run's own
     * @param podsDir where the profile's pod directories go (emptied as it goes)
     * @param journal the engine's journal, read (never written) to time the image store's catch-ups
     * @param spares  a launcher with spares (the engine's kind), closed by {@link #run}
     * @param store   the image store, holding {@code image}
     */
    public LaunchPathProfile(Kernel kernel, Cgroups cgroups, Stage1Launcher launcher, Stage1Launcher spares, Path lowerDir,
                             Path podsDir, Journal journal, ImageStore store, ImageId image) {
        this.kernel = kernel;
        this.overlay = new Overlay(kernel);
        this.cgroups = cgroups;
        this.launcher = launcher;
        this.spares = spares;
        this.lowerDir = lowerDir;
        this.podsDir = podsDir;
        this.journal = journal;
        this.store = store;
        this.image = image;
    }

    /** The series, in the order of the launch path. */
    public List<Samples> series() {
        return List.of(storeGet, replay1, replay4, replay10, spawnTrue, mountInfo, mountFresh, cgroupCreate,
                stage1Plain, stage1Spare, stage1Cgroups, cgroupRemove, unmount);
    }

    /** What joining the pod cgroup costs stage1: p50 with the join minus p50 without, in ms. */
    public double cgroupJoinMillis() {
        return stage1Cgroups.p50() - stage1Plain.p50();
    }

    /** {@code warmup} untimed rounds, then {@code runs} timed ones. */
    public void run(int warmup, int runs) throws Exception {
        try {
            for (int i = -warmup; i < runs; i++) {
                round(i >= 0, (i & 1) == 0);
            }
        } finally {
            spares.close();
        }
    }

    private void round(boolean record, boolean cgroupsFirst) throws Exception {
        String uuid = UUID.randomUUID().toString();
        Path podDir = Files.createDirectories(podsDir.resolve(uuid));
        PodDir dir = new PodDir(podDir);
        Path rootfs = dir.rootfs();
        time(record, storeGet, () -> store.get(image));
        long end = journal.nextIndex();
        time(record, replay1, () -> journal.replay(Math.max(0, end - 1), e -> { }));
        time(record, replay4, () -> journal.replay(Math.max(0, end - 4), e -> { }));
        time(record, replay10, () -> journal.replay(Math.max(0, end - 10), e -> { }));
        time(record, spawnTrue, this::spawnTrue);
        time(record, mountInfo, MountInfo::read);
        time(record, mountFresh, () -> overlay.mount(lowerDir, dir.upperDir(), dir.workDir(), rootfs));
        PodCgroup cgroup = null;
        try {
            long t0 = System.nanoTime();
            cgroup = cgroups.create(uuid, CgroupLimits.NONE);
            add(record, cgroupCreate, System.nanoTime() - t0);
            Stage1Plan plan = Stage1Plan.builder(uuid, podDir, rootfs).app(Stage1Plan.App.builder("main", "/bin/true").build())
                    .build();
            Stage1Plan joining = plan.withCgroupProcs(cgroup.procsFiles());
            if (cgroupsFirst) {
                add(record, stage1Cgroups, stage1(launcher, joining));
                add(record, stage1Plain, stage1(launcher, plan));
            } else {
                add(record, stage1Plain, stage1(launcher, plan));
                add(record, stage1Cgroups, stage1(launcher, joining));
            }
            add(record, stage1Spare, stage1(spares, plan)); // last: its next spare's exec overlaps no other sample
            PodCgroup c = cgroup;
            cgroup = null;
            time(record, cgroupRemove, () -> c.remove(true));
            time(record, unmount, () -> overlay.unmount(rootfs));
        } finally {
            if (cgroup != null) {
                cgroup.remove(true);
            }
            overlay.unmount(rootfs);
        }
        Trees.delete(podDir);
    }

    /** Nanoseconds from the launch call to stage1's {@code started}; waits for the pod's end. */
    private long stage1(Stage1Launcher with, Stage1Plan plan) throws Exception {
        long t0 = System.nanoTime();
        Stage1Process p = with.launch(plan, QUIET);
        Started started = p.started().get(30, TimeUnit.SECONDS);
        ExitStatus status = p.exit().get(30, TimeUnit.SECONDS);
        if (!status.success()) {
            throw new IOException("rkj-stage1 for the profile ended with " + status);
        }
        return started.nanoTime() - t0;
    }

    private void spawnTrue() throws IOException {
        int pid = kernel.spawn(Path.of("/bin/true"), List.of("true"), List.of(), List.of(new FileAction.CloseFrom(3)), false);
        ExitStatus status = ExitStatus.fromWaitStatus(kernel.waitpid(pid));
        if (!status.success()) {
            throw new IOException("/bin/true ended with " + status);
        }
    }

    private static void time(boolean record, Samples samples, Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        add(record, samples, System.nanoTime() - t0);
    }

    private static void add(boolean record, Samples samples, long nanos) {
        if (record) {
            samples.add(nanos);
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
