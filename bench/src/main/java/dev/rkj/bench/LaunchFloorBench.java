package dev.rkj.bench;

import dev.rkj.stage1.ExitStatus;
import dev.rkj.stage1.PodStarter;
import dev.rkj.stage1.RunningPod;
import dev.rkj.stage1.Stage1Binary;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.Stage1Plan;
import dev.rkj.stage1.Stage1Process;
import dev.rkj.stage1.Started;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.CgroupLimits;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.FileAction;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.kernel.MountSafeDelete;
import dev.rkj.stage1.overlay.Overlay;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The launch floor on this machine: from a {@code Stage1Launcher} call to the app's exec
 * (stage1's {@code started}) and to the exit of {@code /bin/true}, beside {@code unshare
 * --fork --pid --mount --uts --ipc --net --root=ROOTFS /bin/true} spawned the same way
 * (posix_spawn from this JVM) in the same run, interleaved. A last row adds what a real pod
 * start costs on top: overlay mount and cgroup creation ({@code PodStarter}); teardown is not
 * timed. Needs root.
 *
 * <pre>java -cp ... dev.rkj.bench.LaunchFloorBench [runs, default 200]</pre>
 */
public final class LaunchFloorBench {
    private static final Kernel KERNEL = LinuxKernel.get();
    private static final List<String> APPLETS = List.of("sh", "true");
    private static final Stage1Launcher.Output QUIET =
            new Stage1Launcher.Output(Path.of("/dev/null"), Path.of("/dev/null"));

    private final Path work;
    private final Path rootfs;
    private final Stage1Launcher launcher;
    private final PodStarter starter;
    private final Cgroups cgroups;
    private final Overlay overlay = new Overlay(KERNEL);
    private int pods;

    private LaunchFloorBench(Path work) throws IOException {
        this.work = work;
        this.rootfs = busybox(work.resolve("tree"));
        this.launcher = new Stage1Launcher(KERNEL, Stage1Binary.extract(work.resolve("data")));
        this.cgroups = new Cgroups(KERNEL, CgroupLayout.detect(), "rkj-bench-" + UUID.randomUUID().toString().substring(0, 8));
        this.starter = new PodStarter(overlay, cgroups, launcher);
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        if (!"0".equals(uid())) {
            System.err.println("LaunchFloorBench needs root (namespaces, overlayfs, cgroups)");
            System.exit(2);
        }
        Path work = Files.createTempDirectory("rkj-bench-");
        try {
            new LaunchFloorBench(work).run(runs, System.out);
        } finally {
            MountSafeDelete.deleteTree(work);
        }
    }

    private void run(int runs, PrintStream out) throws Exception {
        int warmup = Math.max(10, runs / 10);
        long[] unshare = new long[runs];
        long[] execs = new long[runs];
        long[] exits = new long[runs];
        long[] podExecs = new long[runs];
        long[] podExits = new long[runs];
        for (int i = -warmup; i < runs; i++) { // interleaved, so all series share the machine's noise
            long u = unshare();
            long[] s = stage1();
            long[] p = podStarter();
            if (i >= 0) {
                unshare[i] = u;
                execs[i] = s[0];
                exits[i] = s[1];
                podExecs[i] = p[0];
                podExits[i] = p[1];
            }
        }
        cgroups.removeParentIfEmpty();
        double base = median(unshare);
        out.printf(Locale.ROOT, "launch floor, %d runs (+%d warm-up), /bin/true from static busybox, times in ms%n", runs, warmup);
        out.printf(Locale.ROOT, "%-58s %8s %8s %10s%n", "", "p50", "p99", "p50/unshare");
        row(out, "unshare --fork --pid --mount --uts --ipc --net --root: exit", unshare, base);
        row(out, "Stage1Launcher.launch -> app exec (started)", execs, base);
        row(out, "Stage1Launcher.launch -> app exit", exits, base);
        row(out, "PodStarter (overlay + cgroup + launch) -> app exec", podExecs, base);
        row(out, "PodStarter (overlay + cgroup + launch) -> app exit", podExits, base);
    }

    private long unshare() throws IOException {
        long t0 = System.nanoTime();
        int pid = KERNEL.spawn(Path.of("/usr/bin/unshare"), List.of("unshare", "--fork", "--pid", "--mount", "--uts",
                "--ipc", "--net", "--root=" + rootfs, "/bin/true"), List.of(), List.of(new FileAction.CloseFrom(3)), false);
        int status = KERNEL.waitpid(pid);
        long t = System.nanoTime() - t0;
        check(ExitStatus.fromWaitStatus(status), "unshare");
        return t;
    }

    private Stage1Plan plan() throws IOException {
        String uuid = UUID.randomUUID().toString();
        Path podDir = Files.createDirectories(work.resolve("pods").resolve(Integer.toString(pods++)));
        return Stage1Plan.builder(uuid, podDir, rootfs)
                .app(Stage1Plan.App.builder("main", "/bin/true").build()).build();
    }

    /** [to exec, to exit] in nanoseconds; the rootfs is the plain tree (bind-mounted by stage1). */
    private long[] stage1() throws Exception {
        Stage1Plan plan = plan();
        long t0 = System.nanoTime();
        Stage1Process p = launcher.launch(plan, QUIET);
        Started started = p.started().get(30, TimeUnit.SECONDS);
        ExitStatus status = p.exit().get(30, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        check(status, "rkj-stage1");
        MountSafeDelete.deleteTree(plan.podDir());
        return new long[] {started.nanoTime() - t0, t1 - t0};
    }

    private long[] podStarter() throws Exception {
        Stage1Plan base = plan();
        Stage1Plan plan = Stage1Plan.builder(base.uuid(), base.podDir(), base.podDir().resolve("rootfs"))
                .app(base.apps().get(0)).build();
        long t0 = System.nanoTime();
        RunningPod pod = starter.start(plan, rootfs, CgroupLimits.NONE, QUIET);
        Started started = pod.process().started().get();
        ExitStatus status = pod.process().exit().get(30, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        pod.tearDown();
        check(status, "pod");
        MountSafeDelete.deleteTree(plan.podDir());
        return new long[] {started.nanoTime() - t0, t1 - t0};
    }

    private static void check(ExitStatus status, String what) {
        if (!status.success()) {
            throw new IllegalStateException(what + " ended with " + status);
        }
    }

    private static void row(PrintStream out, String name, long[] nanos, double base) {
        out.printf(Locale.ROOT, "%-58s %8.3f %8.3f %10.2f%n", name, median(nanos) / 1e6, percentile(nanos, 99) / 1e6,
                median(nanos) / base);
    }

    private static double median(long[] v) {
        return percentile(v, 50);
    }

    private static double percentile(long[] v, int p) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.max(0, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }

    private static Path busybox(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc")) {
            Files.createDirectories(dir.resolve(d));
        }
        return dir;
    }

    private static String uid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2];
            }
        }
        return "?";
    }
}
