package dev.rkj.bench;

import dev.rkj.bench.launch.BenchEngine;
import dev.rkj.bench.launch.BusyboxImage;
import dev.rkj.bench.launch.CommandBaseline;
import dev.rkj.bench.launch.CpuClock;
import dev.rkj.bench.launch.HostLeftovers;
import dev.rkj.bench.launch.LaunchPathProfile;
import dev.rkj.bench.launch.Mark;
import dev.rkj.bench.launch.OciBundle;
import dev.rkj.bench.launch.PodmanBaseline;
import dev.rkj.bench.launch.PodTimeline;
import dev.rkj.bench.launch.Samples;
import dev.rkj.bench.launch.Table;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.stage1.Stage1Binary;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.kernel.MountInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Launch latency of rkj, the number this project is judged on, beside unshare, crun and runc on the
 * same root filesystem in the same run.
 *
 * <p>In one JVM: a warm engine (journal, image store, native stage1, overlayfs, cgroups) on a temp
 * data directory runs a static-busybox image whose app is {@code /bin/true}; the image is fetched
 * and one pod run first, so its tree is rendered. Then, interleaved round by round with the
 * baselines (so noise hits all alike), pods are timed from the command (just before
 * {@code engine.createPod(spec, true)}) to
 * <ul>
 *   <li>the app's exec: the runner port returning, which it does once rkj-stage1 reported
 *       {@code started <app> <pid>} on its protocol pipe, which stage1 sends after the app's
 *       close-on-exec pipe hit EOF, i.e. after its {@code execve} succeeded;</li>
 *   <li>its exit, recorded: {@code awaitStatus} seeing the pod exited, which happens once
 *       {@code pod.exited} is appended and folded in (after the release of its mounts and cgroups).</li>
 * </ul>
 * The baselines are timed from posix_spawn to exit: {@code unshare --fork --pid --mount --uts --ipc
 * --net --root=ROOTFS /bin/true}, {@code crun run} (inside {@code unshare -m} with the cgroup2
 * mount of this hybrid host unmounted, as crun refuses the hybrid layout; the wrapper alone is a
 * series of its own) and {@code runc run}, on a copy of the rendered tree with a bundle from
 * {@code runc spec}. A missing runtime is reported and skipped. Then throughput with 1, 2 and 4 pods
 * in flight, a breakdown of where a pod's milliseconds go (from timestamps around each engine
 * port), and the launch path's host pieces timed alone. Pods are garbage-collected as it goes;
 * at the end nothing of the run may be left mounted, in a cgroup or running.
 *
 * <pre>scripts/bench launch [--pods 200] [--warmup 20] [--jit-warmup 200] [--throughput-pods N] [--profile-runs 100]
 *                     [--gc-every 50] [--dir /var/tmp] [--keep]</pre>
 * Needs root.
 */
public final class LaunchBench {
    private static final Kernel KERNEL = LinuxKernel.get();
    private static final int[] PARALLEL = {1, 2, 4, 8};

    private final Options options;
    private final Path work;
    private final String runId;
    private final PrintStream out;
    private final Table table;

    private LaunchBench(Options options, Path work, String runId, PrintStream out) {
        this.options = options;
        this.work = work;
        this.runId = runId;
        this.out = out;
        this.table = new Table(out, 62);
    }

    public static void main(String[] args) throws Exception {
        String sub = args.length > 0 ? args[0] : "";
        String[] rest = args.length > 0 ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        if (sub.equals("density")) {
            DensityBench.main(rest);
            return;
        }
        if (sub.equals("history")) {
            HistoryBench.main(rest);
            return;
        }
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the benchmark, printing its tables to {@code out}.
     *
     * @return 0, 2 for bad options or not being root, 1 if the run left something on the host
     */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("launch bench: " + e.getMessage());
            err.println(Options.USAGE);
            return 2;
        }
        if (!"0".equals(uid())) {
            err.println("launch bench: needs root (namespaces, overlayfs, cgroups, crun and runc)");
            return 2;
        }
        String runId = "rkjbench" + UUID.randomUUID().toString().substring(0, 8);
        Path work = Files.createTempDirectory(options.dir, runId + "-");
        Exception failure = null;
        try {
            new LaunchBench(options, work, runId, out).run();
        } catch (Exception e) {
            failure = e;
        }
        List<String> left = HostLeftovers.find(work, runId);
        out.println();
        if (!left.isEmpty()) {
            out.println("cleanup FAILED, left behind:");
            left.forEach(l -> out.println("  " + l));
            out.println("(work directory kept: " + work + ")");
        } else {
            out.println("cleanup: no mounts, cgroups or processes of this run are left (checked mountinfo for " + work
                    + ", /sys/fs/cgroup for *" + runId + "*, /proc/*/cmdline)");
            if (!options.keep) {
                deleteWork(work);
            }
        }
        if (failure != null) {
            throw failure;
        }
        if (!left.isEmpty()) {
            return 1;
        }
        return 0;
    }

    private void run() throws Exception {
        Path dataDir = Files.createDirectories(work.resolve("data"));
        Path aci = BusyboxImage.build(work);
        String cgroupParent = runId + "-pods";
        try (BenchEngine engine = BenchEngine.open(dataDir, cgroupParent)) {
            ImageRecord image = engine.fetch(aci);
            PodSpec spec = new PodSpec(image.id().toString(), null, List.of(), Map.of(), null, PodSpec.NetMode.NONE,
                    null, null, false, Set.of(PodSpec.InsecureOption.IMAGE));
            // the same pod on the CNI default network (bridge, veth, host-local lease, masquerade rules)
            PodSpec onDefault = new PodSpec(spec.apps(), null, PodSpec.NetMode.DEFAULT, false, spec.insecureOptions(), null,
                    List.of(), false, false);
            engine.run(spec).get(60, TimeUnit.SECONDS); // renders the tree: warm from here on
            PodState first = engine.engine().list().get(0);
            Path tree = ImageStore.rootfsOf(dataDir, first.treeId());
            engine.gc();
            header(image, tree);

            Baselines baselines = Baselines.create(work, runId, tree, out);
            List<PodTimeline> timelines;
            List<PodTimeline> netTimelines = new ArrayList<>();
            Map<Integer, Samples> throughput = new LinkedHashMap<>();
            double[] podsPerSecond = new double[PARALLEL.length];
            double[] crunPerSecond = new double[PARALLEL.length];
            double[] cpuPerPod = new double[PARALLEL.length];
            double[] crunCpuPerPod = new double[PARALLEL.length];
            try {
                timelines = latency(engine, spec, onDefault, netTimelines, baselines);
                engine.gc();
                for (int i = 0; i < PARALLEL.length; i++) {
                    Samples latency = new Samples("command -> exited, recorded");
                    double cpu = CpuClock.millis();
                    podsPerSecond[i] = throughput(engine, spec, PARALLEL[i], options.throughputPods, latency);
                    engine.gc(); // part of a pod's cost: its unmount, cgroup removal and directory
                    cpuPerPod[i] = (CpuClock.millis() - cpu) / options.throughputPods;
                    throughput.put(PARALLEL[i], latency);
                    cpu = CpuClock.millis();
                    crunPerSecond[i] = baselines.crunThroughput(PARALLEL[i], options.throughputPods);
                    crunCpuPerPod[i] = crunPerSecond[i] > 0 ? (CpuClock.millis() - cpu) / options.throughputPods : 0;
                }
            } finally {
                baselines.close();
            }
            LaunchPathProfile profile = null;
            if (options.profileRuns > 0) {
                Path binary = Stage1Binary.extract(dataDir);
                profile = new LaunchPathProfile(KERNEL, engine.host().cgroups(), new Stage1Launcher(KERNEL, binary),
                        new Stage1Launcher(KERNEL, binary, true), tree,
                        Files.createDirectories(work.resolve("profile")), engine.journal(), engine.store(), image.id());
                profile.run(Math.max(5, options.profileRuns / 10), options.profileRuns);
            }
            report(timelines, netTimelines, baselines, throughput, podsPerSecond, crunPerSecond, cpuPerPod, crunCpuPerPod,
                    profile);
        }
    }

    private void header(ImageRecord image, Path tree) throws IOException {
        out.printf("rkj launch bench: %d pods (+%d warm-up rounds, after %d rkj pods to warm the JIT) interleaved with"
                + " the baselines; static busybox /bin/true%n", options.pods, options.warmup, options.jitWarmup);
        out.printf("image %s, rendered tree %s%n", image.id().toString().substring(0, 19) + "...", tree);
        out.printf("host: %d cpus, kernel %s, %d mounts in /proc/self/mountinfo, load %s%n",
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(),
                MountInfo.read().mounts().size(), Files.readString(Path.of("/proc/loadavg")).strip());
    }

    /** The interleaved rounds: one rkj pod with --net=none, one with --net=default, then each baseline once. */
    private List<PodTimeline> latency(BenchEngine engine, PodSpec spec, PodSpec onDefault, List<PodTimeline> netTimelines,
                                      Baselines baselines) throws Exception {
        // A warm engine, as a daemon is after its first pods: the JIT has compiled the launch path.
        for (int i = 0; i < options.jitWarmup; i++) {
            engine.run(spec).get(60, TimeUnit.SECONDS);
            if ((i + 1) % options.gcEvery == 0) {
                engine.gc();
            }
        }
        List<PodTimeline> timelines = new ArrayList<>();
        for (int i = -options.warmup; i < options.pods; i++) {
            PodTimeline t = engine.run(spec).get(60, TimeUnit.SECONDS);
            PodTimeline n = engine.run(onDefault).get(60, TimeUnit.SECONDS);
            if (i >= 0) {
                timelines.add(t);
                netTimelines.add(n);
            }
            for (CommandBaseline b : baselines.all()) {
                b.run(i >= 0);
            }
            if ((i + 1) % options.gcEvery == 0) {
                engine.gc(); // untimed, between rounds
            }
        }
        return timelines;
    }

    /** Pods per second with {@code parallel} pods kept in flight, {@code total} pods in all. */
    private static double throughput(BenchEngine engine, PodSpec spec, int parallel, int total, Samples latency)
            throws Exception {
        BlockingQueue<Object> ended = new LinkedBlockingQueue<>();
        int started = 0;
        int finished = 0;
        long t0 = System.nanoTime();
        while (finished < total) {
            while (started < total && started - finished < parallel) {
                engine.run(spec).whenComplete((t, e) -> ended.add(e != null ? e : t));
                started++;
            }
            Object r = ended.poll(60, TimeUnit.SECONDS);
            if (r == null) {
                throw new IllegalStateException("no pod ended within 60 s (" + finished + " of " + total + " done)");
            }
            if (r instanceof Throwable e) {
                throw new IllegalStateException("a pod failed during the throughput run: " + e.getMessage(), e);
            }
            latency.add(((PodTimeline) r).between(Mark.COMMAND, Mark.DONE));
            finished++;
        }
        return total / ((System.nanoTime() - t0) / 1e9);
    }

    private void report(List<PodTimeline> timelines, List<PodTimeline> netTimelines, Baselines baselines,
                        Map<Integer, Samples> throughput, double[] podsPerSecond, double[] crunPerSecond,
                        double[] cpuPerPod, double[] crunCpuPerPod, LaunchPathProfile profile) {
        Samples exec = series("rkj: command -> app exec'd (stage1 `started`)", timelines, Mark.COMMAND, Mark.EXEC);
        Samples started = series("rkj: command -> pod.started recorded", timelines, Mark.COMMAND, Mark.STARTED_SEEN);
        Samples done = series("rkj: command -> /bin/true exited + recorded", timelines, Mark.COMMAND, Mark.DONE);
        Samples runner = series("rkj: runner port alone (cgroups+spawn+stage1 -> exec)", timelines, Mark.LAUNCH_START,
                Mark.EXEC);
        table.percentileHeader("=== launch latency (rounds interleaved: rkj, then each baseline once) ===");
        for (Samples s : List.of(exec, started, done, runner)) {
            table.percentileRow(s);
        }
        table.percentileRow(series("rkj --net=default: command -> app exec'd", netTimelines, Mark.COMMAND, Mark.EXEC));
        table.percentileRow(series("rkj --net=default: command -> exited + recorded", netTimelines, Mark.COMMAND,
                Mark.DONE));
        table.percentileRow(series("rkj --net=default: release (DEL, netns, umount)", netTimelines, Mark.RELEASE_START,
                Mark.RELEASE_END));
        for (CommandBaseline b : baselines.all()) {
            table.percentileRow(b.samples());
        }
        baselines.missing().forEach(m -> table.line("%-62s  MISSING: %s", "", m));
        out.println();
        out.println("ratios of p50s (target: rkj launch->exec within 2x of crun run)");
        for (CommandBaseline b : baselines.compared()) {
            table.ratioRow(exec, b.samples());
        }
        for (CommandBaseline b : baselines.compared()) {
            table.ratioRow(done, b.samples());
        }
        baselines.crunNet(exec).ifPresent(r -> table.line("  %-102s %6.2fx", exec.name()
                + "  vs  crun run minus its unshare wrapper (p50 - p50)", r));

        out.println();
        out.println("=== throughput: N pods kept in flight, command -> exited + recorded ===");
        table.line("%-10s %6s %9s %9s %9s %9s %12s %12s %14s", "in flight", "pods", "pods/s", "p50 ms", "p90 ms", "p99 ms",
                "CPU ms/pod", "crun pods/s", "crun CPU ms/pod");
        for (int i = 0; i < PARALLEL.length; i++) {
            Samples s = throughput.get(PARALLEL[i]);
            boolean crun = crunPerSecond[i] > 0;
            table.line("%-10d %6d %9.1f %9.3f %9.3f %9.3f %12.1f %12s %14s", PARALLEL[i], s.size(), podsPerSecond[i], s.p50(),
                    s.p90(), s.p99(), cpuPerPod[i], crun ? String.format(java.util.Locale.ROOT, "%.1f", crunPerSecond[i]) : "missing",
                    crun ? String.format(java.util.Locale.ROOT, "%.1f", crunCpuPerPod[i]) : "missing");
        }
        out.println("(crun: `seq N | xargs -P <in flight> crun run` timed as one command, in crun's wrapper on a hybrid host;"
                + " CPU: this JVM and what it reaped, per pod, rkj's including its gc; with C cores no runtime passes"
                + " C * 1000 / (CPU ms/pod) pods/s)");

        table.breakdownHeader("=== where a pod's time goes (sequential segments; the means add up to the totals) ===");
        List<Samples> toExec = List.of(
                series("append pod.created, hop: tail -> fetch worker", timelines, Mark.COMMAND, Mark.RESOLVE_START),
                series("resolve image (store index)", timelines, Mark.RESOLVE_START, Mark.RESOLVE_END),
                series("  hop: append image.resolved -> verify worker", timelines, Mark.RESOLVE_END, Mark.VERIFY_START),
                series("verify (insecure: skipped)", timelines, Mark.VERIFY_START, Mark.VERIFY_END),
                series("  hop: append image.verified -> render worker", timelines, Mark.VERIFY_END, Mark.RENDER_START),
                series("render (tree already there)", timelines, Mark.RENDER_START, Mark.RENDER_END),
                series("  hop: append image.rendered -> prepare worker", timelines, Mark.RENDER_END, Mark.PREPARE_START),
                series("prepare (pod dir, manifest, overlay mount)", timelines, Mark.PREPARE_START, Mark.PREPARE_END),
                series("  hop: append pod.prepared -> launch worker", timelines, Mark.PREPARE_END, Mark.LAUNCH_START),
                series("launch (cgroups, spawn stage1, stage1 -> exec)", timelines, Mark.LAUNCH_START, Mark.EXEC));
        toExec.forEach(table::breakdownRow);
        table.breakdownRow(exec);
        List<Samples> toDone = List.of(
                series("app runs, exits; stage1 exits; reaped; status read", timelines, Mark.EXEC, Mark.STAGE1_EXITED),
                series("  hop: exit -> launch verticle -> release worker", timelines, Mark.STAGE1_EXITED, Mark.RELEASE_START),
                series("release (cgroup rmdir, umount)", timelines, Mark.RELEASE_START, Mark.RELEASE_END),
                series("append app.exited + pod.exited -> tail folds it", timelines, Mark.RELEASE_END, Mark.EXITED_SEEN),
                series("  hop: awaitStatus waiter -> its future", timelines, Mark.EXITED_SEEN, Mark.DONE));
        toDone.forEach(table::breakdownRow);
        table.breakdownRow(done);
        table.breakdownRow(series("(in parallel) createPod call: decide + append", timelines, Mark.COMMAND, Mark.CREATED));
        table.breakdownRow(series("(in parallel) exec -> pod.started folded in", timelines, Mark.EXEC, Mark.STARTED_SEEN));

        if (profile != null) {
            table.percentileHeader("=== launch path pieces timed alone, same classes and tree (interleaved) ===");
            profile.series().forEach(table::percentileRow);
            table.line("  joining the pod cgroup inside stage1 (p50 with - p50 without): %.3f ms", profile.cgroupJoinMillis());
        }
        summary(List.of(exec, started, done), baselines, podsPerSecond, crunPerSecond, cpuPerPod, crunCpuPerPod);
    }

    /** The one table that answers issue 15: every series, the throughput of both and the ratios to crun. */
    private void summary(List<Samples> rkj, Baselines baselines, double[] podsPerSecond, double[] crunPerSecond,
                         double[] cpuPerPod, double[] crunCpuPerPod) {
        Samples crun = baselines.crun() == null ? null : baselines.crun().samples();
        out.println();
        out.println("=== summary (one run; ratios are p50 / crun run's p50) ===");
        out.printf(java.util.Locale.ROOT, "%-62s %9s %9s %9s %9s%n", "series", "p50 ms", "p90 ms", "p99 ms", "x crun");
        List<Samples> rows = new ArrayList<>(rkj);
        baselines.compared().forEach(b -> rows.add(b.samples()));
        for (Samples s : rows) {
            out.printf(java.util.Locale.ROOT, "%-62s %9.3f %9.3f %9.3f %9s%n", s.name(), s.p50(), s.p90(), s.p99(),
                    crun == null || crun.isEmpty() ? "-" : String.format(java.util.Locale.ROOT, "%.2fx", s.p50() / crun.p50()));
        }
        baselines.missing().forEach(m -> out.printf("%-62s MISSING: %s%n", "", m));
        StringBuilder head = new StringBuilder(String.format("%-62s", "throughput, pods/s with N in flight"));
        StringBuilder ours = new StringBuilder(String.format("%-62s", "  rkj (command -> exit recorded)"));
        StringBuilder theirs = new StringBuilder(String.format("%-62s", "  crun run (xargs -P N)"));
        StringBuilder ourCpu = new StringBuilder(String.format("%-62s", "  rkj CPU ms per pod (JVM + stage1s + gc)"));
        StringBuilder theirCpu = new StringBuilder(String.format("%-62s", "  crun CPU ms per pod"));
        double ourPeak = 0;
        double theirPeak = 0;
        for (int i = 0; i < PARALLEL.length; i++) {
            head.append(String.format("%9s", "N=" + PARALLEL[i]));
            ours.append(String.format(java.util.Locale.ROOT, "%9.1f", podsPerSecond[i]));
            ourCpu.append(String.format(java.util.Locale.ROOT, "%9.1f", cpuPerPod[i]));
            theirs.append(crunPerSecond[i] > 0 ? String.format(java.util.Locale.ROOT, "%9.1f", crunPerSecond[i])
                    : String.format("%9s", "missing"));
            theirCpu.append(crunPerSecond[i] > 0 ? String.format(java.util.Locale.ROOT, "%9.1f", crunCpuPerPod[i])
                    : String.format("%9s", "missing"));
            ourPeak = Math.max(ourPeak, podsPerSecond[i]);
            theirPeak = Math.max(theirPeak, crunPerSecond[i]);
        }
        out.println(head);
        out.println(ours);
        out.println(theirs);
        out.println(ourCpu);
        out.println(theirCpu);
        if (crun != null && !crun.isEmpty()) {
            out.printf(java.util.Locale.ROOT, "targets: exec %.2fx crun (<= 0.25x; 0.5x required), exit recorded %.2fx"
                    + " (<= 0.5x), peak throughput %.2fx crun's peak (>= 1.5x)%n", rkj.get(0).p50() / crun.p50(),
                    rkj.get(2).p50() / crun.p50(), theirPeak > 0 ? ourPeak / theirPeak : Double.NaN);
        }
    }

    private static Samples series(String name, List<PodTimeline> timelines, Mark from, Mark to) {
        Samples s = new Samples(name);
        timelines.forEach(t -> s.add(t.between(from, to)));
        return s;
    }

    static void deleteWork(Path work) throws IOException {
        for (MountInfo.Mount m : MountInfo.read().mounts()) {
            if (m.mountPoint().startsWith(work)) {
                throw new IOException("not deleting " + work + ": " + m.mountPoint() + " is still mounted");
            }
        }
        try (var walk = Files.walk(work)) {
            List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : paths) {
                Files.delete(p);
            }
        }
    }

    static String uid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1];
            }
        }
        return "?";
    }

    /** The baselines found on this host, on one copy of the rendered tree. */
    record Baselines(List<CommandBaseline> all, List<String> missing, CommandBaseline crun,
                     CommandBaseline crunWrapper, PodmanBaseline podman, CrunBatch crunBatch) implements AutoCloseable {
        static Baselines create(Path work, String runId, Path tree, PrintStream out) throws IOException {
            Path base = Files.createDirectories(work.resolve("baseline"));
            Path rootfs = base.resolve("rootfs");
            copyTree(tree, rootfs);
            List<CommandBaseline> all = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            Optional<Path> unshare = CommandBaseline.which("unshare");
            Optional<Path> crunPath = CommandBaseline.which("crun");
            Optional<Path> runcPath = CommandBaseline.which("runc");
            if (unshare.isPresent()) {
                all.add(new CommandBaseline(KERNEL, "unshare --fork --pid --mount --uts --ipc --net --root",
                        unshare.get(), List.of("unshare", "--fork", "--pid", "--mount", "--uts", "--ipc", "--net",
                        "--root=" + rootfs, "/bin/true"), base.resolve("unshare.err")));
            } else {
                missing.add("unshare (util-linux): no unshare baseline");
            }
            Optional<Path> specTool = runcPath.isPresent() ? runcPath : crunPath;
            Path bundle = base.resolve("bundle");
            if (specTool.isPresent()) {
                OciBundle.create(specTool.get(), bundle, rootfs);
            }
            CommandBaseline crun = null;
            CommandBaseline wrapper = null;
            CrunBatch crunBatch = null;
            boolean hybrid = MountInfo.read().at(Path.of("/sys/fs/cgroup/unified")).isPresent();
            if (crunPath.isPresent() && (unshare.isPresent() || !hybrid)) {
                String crunRun = crunPath.get() + " run -b " + bundle + " " + runId + "-crun";
                crunBatch = new CrunBatch(hybrid ? List.of(unshare.get().toString(), "-m", "--propagation", "private", "sh", "-c")
                        : List.of("/bin/sh", "-c"), hybrid ? "umount /sys/fs/cgroup/unified; " : "",
                        crunPath.get() + " run -b " + bundle + " " + runId, base.resolve("crun-batch.err"));
                if (hybrid) {
                    String unmount = "umount /sys/fs/cgroup/unified";
                    wrapper = new CommandBaseline(KERNEL, "crun's wrapper alone: unshare -m, sh, umount", unshare.get(),
                            List.of("unshare", "-m", "--propagation", "private", "sh", "-c", unmount + "; exec /bin/true"),
                            base.resolve("wrapper.err"));
                    crun = new CommandBaseline(KERNEL, "crun run (in unshare -m, cgroup2 unmounted)", unshare.get(),
                            List.of("unshare", "-m", "--propagation", "private", "sh", "-c", unmount + "; exec " + crunRun),
                            base.resolve("crun.err"));
                    all.add(wrapper);
                } else {
                    crun = new CommandBaseline(KERNEL, "crun run", crunPath.get(), List.of(crunRun.split(" ")),
                            base.resolve("crun.err"));
                }
                all.add(crun);
            } else {
                missing.add(crunPath.isEmpty() ? "crun: not installed (apt-get install crun), no crun baseline"
                        : "unshare: needed to run crun on this hybrid cgroup host, no crun baseline");
            }
            if (runcPath.isPresent()) {
                all.add(new CommandBaseline(KERNEL, "runc run", runcPath.get(),
                        List.of("runc", "run", "-b", bundle.toString(), runId + "-runc"), base.resolve("runc.err")));
            } else {
                missing.add("runc: not installed (apt-get install runc), no runc baseline");
            }
            PodmanBaseline podman = null;
            if (unshare.isPresent() || !hybrid) {
                podman = PodmanBaseline.create(KERNEL, runId, rootfs, base, hybrid).orElse(null);
            }
            if (podman != null) {
                all.add(podman.run());
            } else {
                missing.add("podman: not installed (scripts/bench launch installs Debian's podman), no podman row");
            }
            missing.forEach(m -> out.println("baseline missing: " + m));
            return new Baselines(List.copyOf(all), List.copyOf(missing), crun, wrapper, podman, crunBatch);
        }

        /**
         * crun's pods/s with {@code parallel} containers in flight, {@code total} in all: {@code seq |
         * xargs -P parallel crun run} timed as one command; 0 when crun is missing.
         */
        double crunThroughput(int parallel, int total) throws IOException {
            return crunBatch == null ? 0 : crunBatch.perSecond(parallel, total);
        }

        @Override
        public void close() throws IOException {
            if (podman != null) {
                podman.close();
            }
        }

        /** The real runtimes (not crun's wrapper alone). */
        List<CommandBaseline> compared() {
            return all.stream().filter(b -> b != crunWrapper).toList();
        }

        /** {@code rkj}'s p50 over crun's p50 less its wrapper's, when both ran. */
        Optional<Double> crunNet(Samples rkj) {
            if (crun == null || crunWrapper == null || crun.samples().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(rkj.p50() / (crun.samples().p50() - crunWrapper.samples().p50()));
        }

        private static void copyTree(Path from, Path to) throws IOException {
            Process p = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            try {
                if (p.waitFor() != 0) {
                    throw new IOException("cp -a " + from + " " + to + " failed: " + output.strip());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while copying " + from, e);
            }
        }
    }

    /** {@code seq 1 N | xargs -P P crun run ...} in a shell (in crun's wrapper on a hybrid host), timed as one command. */
    record CrunBatch(List<String> shell, String preamble, String crunRun, Path stderr) {
        double perSecond(int parallel, int total) throws IOException {
            List<String> argv = new ArrayList<>(shell);
            argv.add(preamble + "seq 1 " + total + " | xargs -P " + parallel + " -I{} " + crunRun + "-x" + parallel + "-{}");
            CommandBaseline batch = new CommandBaseline(KERNEL, "crun run, xargs -P " + parallel, Path.of(argv.get(0)), argv,
                    stderr);
            batch.run(true);
            return total / (batch.samples().p50() / 1000.0);
        }
    }

    /** Command-line options. */
    private record Options(int pods, int warmup, int jitWarmup, int throughputPods, int profileRuns, int gcEvery, Path dir,
                           boolean keep) {
        static final String USAGE = "usage: launch [--pods N=200] [--warmup N=20] [--jit-warmup N=200]"
                + " [--throughput-pods N=pods] [--profile-runs N=100, 0 skips] [--gc-every N=50] [--dir DIR=/var/tmp] [--keep]";

        static Options parse(String[] args) {
            int pods = 200;
            int warmup = 20;
            int jitWarmup = 200;
            int throughputPods = -1;
            int profileRuns = 100;
            int gcEvery = 50;
            Path dir = Path.of("/var/tmp");
            boolean keep = false;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--pods" -> pods = number(args[i], value, 1);
                    case "--warmup" -> warmup = number(args[i], value, 0);
                    case "--jit-warmup" -> jitWarmup = number(args[i], value, 0);
                    case "--throughput-pods" -> throughputPods = number(args[i], value, 1);
                    case "--profile-runs" -> profileRuns = number(args[i], value, 0);
                    case "--gc-every" -> gcEvery = number(args[i], value, 1);
                    case "--dir" -> {
                        if (value == null) {
                            throw new IllegalArgumentException("--dir needs a directory");
                        }
                        dir = Path.of(value);
                    }
                    case "--keep" -> keep = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                if (!args[i].equals("--keep")) {
                    i++;
                }
            }
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--dir " + dir + " is not a directory");
            }
            return new Options(pods, warmup, jitWarmup, throughputPods < 0 ? pods : throughputPods, profileRuns, gcEvery, dir, keep);
        }

        private static int number(String option, String value, int min) {
            try {
                int n = Integer.parseInt(value);
                if (n < min) {
                    throw new IllegalArgumentException(option + " must be at least " + min + ", not " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a number, not " + value);
            }
        }
    }
}
