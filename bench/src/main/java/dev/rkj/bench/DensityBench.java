package dev.rkj.bench;

import dev.rkj.bench.launch.BenchEngine;
import dev.rkj.bench.launch.BusyboxImage;
import dev.rkj.bench.launch.HostLeftovers;
import dev.rkj.engine.Engine;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.store.ImageRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Density (issue 15): N idle pods under one engine. Starts {@code --pods} pods of the busybox
 * image running {@code sleep}, a few in flight at a time, waits until each is recorded running,
 * then reports this JVM's resident set (the engine with the bench's small harness; after a full
 * GC, beside the heap in use) and the host cost of each pod's processes (stage1 and its app:
 * count, RSS and PSS from {@code /proc/PID/smaps_rollup}). Then stops and deletes every pod and
 * checks that nothing of the run is left.
 *
 * <pre>scripts/bench launch density [--pods 100] [--in-flight 4] [--dir /var/tmp] [--keep]</pre>
 * Needs root.
 */
public final class DensityBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private DensityBench() {}

    public static void main(String[] args) throws Exception {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the benchmark, printing its table to {@code out}.
     *
     * @return 0, 2 for bad options or not being root, 1 if the run left something on the host
     */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        int pods = 100;
        int inFlight = 4;
        Path dir = Path.of("/var/tmp");
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            try {
                switch (args[i]) {
                    case "--pods" -> pods = Integer.parseInt(args[++i]);
                    case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
                    case "--dir" -> dir = Path.of(args[++i]);
                    case "--keep" -> keep = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                err.println("density bench: " + (e instanceof ArrayIndexOutOfBoundsException ? args[i - 1] + " needs a value"
                        : e.getMessage()) + "; usage: scripts/bench launch density [--pods N=100] [--in-flight N=4]"
                        + " [--dir DIR=/var/tmp] [--keep]");
                return 2;
            }
        }
        if (!"0".equals(LaunchBench.uid())) {
            err.println("density bench: needs root (namespaces, overlayfs, cgroups)");
            return 2;
        }
        String runId = "rkjdens" + UUID.randomUUID().toString().substring(0, 8);
        Path work = Files.createTempDirectory(dir, runId + "-");
        Exception failure = null;
        try {
            run(work, runId, pods, Math.max(1, inFlight), out);
        } catch (Exception e) {
            failure = e;
        }
        List<String> left = HostLeftovers.find(work, runId);
        if (!left.isEmpty()) {
            out.println("cleanup FAILED, left behind:");
            left.forEach(l -> out.println("  " + l));
            out.println("(work directory kept: " + work + ")");
        } else {
            out.println("cleanup: no mounts, cgroups or processes of this run are left");
            if (!keep) {
                LaunchBench.deleteWork(work);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return left.isEmpty() ? 0 : 1;
    }

    private static void run(Path work, String runId, int pods, int inFlight, PrintStream out) throws Exception {
        Path dataDir = Files.createDirectories(work.resolve("data"));
        Path aci = BusyboxImage.build(work);
        try (BenchEngine bench = BenchEngine.open(dataDir, runId + "-pods")) {
            Engine engine = bench.engine();
            ImageRecord image = bench.fetch(aci);
            PodSpec idle = new PodSpec(image.id().toString(), "/bin/sleep", List.of("86400"), Map.of(), null,
                    PodSpec.NetMode.DEFAULT, null, null, false, Set.of(PodSpec.InsecureOption.IMAGE));
            Memory before = Memory.now();
            out.printf(Locale.ROOT, "density bench: %d idle pods (busybox sleep) under one engine, %d started at a time%n",
                    pods, inFlight);
            out.printf(Locale.ROOT, "host: %d cpus, load %s; JVM flags %s%n", Runtime.getRuntime().availableProcessors(),
                    Files.readString(Path.of("/proc/loadavg")).strip(),
                    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                            .filter(a -> a.startsWith("-XX:+Use") || a.startsWith("-Xm") || a.startsWith("-XX:Tiered")).toList());
            List<String> ids = new ArrayList<>();
            long t0 = System.nanoTime();
            try {
                Deque<CompletableFuture<String>> flight = new ArrayDeque<>();
                for (int i = 0; i < pods; i++) {
                    if (flight.size() >= inFlight) {
                        ids.add(flight.removeFirst().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                    }
                    flight.addLast(startRunning(engine, idle));
                }
                while (!flight.isEmpty()) {
                    ids.add(flight.removeFirst().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                Memory after = Memory.now();
                HostCost cost = HostCost.of(engine, ids);
                out.printf(Locale.ROOT, "started %d pods in %.1f s (%.1f pods/s to running)%n", ids.size(), seconds,
                        ids.size() / seconds);
                out.println();
                out.println("=== density ===");
                out.printf(Locale.ROOT, "%-58s %12s %12s%n", "", "0 pods", ids.size() + " pods");
                out.printf(Locale.ROOT, "%-58s %9.1f MB %9.1f MB%n", "engine JVM RSS (engine + bench harness)",
                        before.rssMb, after.rssMb);
                out.printf(Locale.ROOT, "%-58s %9.1f MB %9.1f MB%n", "  of which Java heap in use after a full GC",
                        before.heapMb, after.heapMb);
                out.printf(Locale.ROOT, "%-58s %9.1f MB %9.1f MB%n", "  Java heap committed", before.committedMb,
                        after.committedMb);
                out.printf(Locale.ROOT, "%-58s %12d %12d%n", "  JVM threads", before.threads, after.threads);
                out.printf(Locale.ROOT, "%-58s %12s %9.1f kB%n", "engine RSS growth per pod", "",
                        (after.rssMb - before.rssMb) * 1024 / Math.max(1, ids.size()));
                out.printf(Locale.ROOT, "%-58s %12s %12.2f%n", "host processes per pod (stage1 + app)", "",
                        (double) cost.processes / ids.size());
                out.printf(Locale.ROOT, "%-58s %12s %9.1f kB%n", "per-pod PSS of those processes (shared pages split)", "",
                        cost.pssKb / ids.size());
                out.printf(Locale.ROOT, "%-58s %12s %9.1f kB%n", "per-pod RSS of those processes", "",
                        cost.rssKb / ids.size());
                out.printf(Locale.ROOT, "engine RSS with %d pods: %.1f MB (target for 1,000 pods: <= 256 MB)%n", ids.size(),
                        after.rssMb);
            } finally {
                stopAll(engine, bench, ids);
            }
        }
    }

    /** Creates and runs a pod; completes with its id once it is recorded running. */
    private static CompletableFuture<String> startRunning(Engine engine, PodSpec spec) throws Exception {
        String podId = Engine.await(engine.createPod(spec, true), TIMEOUT);
        CompletableFuture<String> running = new CompletableFuture<>();
        engine.awaitStatus(podId, s -> s.status() != PodStatus.PREPARING && s.status() != PodStatus.PREPARED
                && s.status() != PodStatus.EMBRYO, TIMEOUT).onComplete(ar -> {
            if (ar.failed()) {
                running.completeExceptionally(ar.cause());
            } else if (ar.result().status() != PodStatus.RUNNING) {
                running.completeExceptionally(new IllegalStateException("pod " + podId + " did not start: "
                        + ar.result().status().displayName() + ", failure " + ar.result().failure()));
            } else {
                running.complete(podId);
            }
        });
        return running;
    }

    private static void stopAll(Engine engine, BenchEngine bench, List<String> ids) throws Exception {
        List<CompletableFuture<PodState>> ended = new ArrayList<>();
        for (String id : ids) {
            Engine.await(engine.stop(id, true), TIMEOUT);
            ended.add(engine.awaitStatus(id, s -> s.status().isFinished(), TIMEOUT).toCompletionStage()
                    .toCompletableFuture());
        }
        for (CompletableFuture<PodState> e : ended) {
            e.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        bench.gc();
    }

    /** This JVM's resident set and heap in use, after a full GC. */
    private record Memory(double rssMb, double heapMb, double committedMb, int threads) {
        static Memory now() throws IOException {
            System.gc();
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            return new Memory(statusKb(Path.of("/proc/self/status"), "VmRSS:") / 1024.0, heap.getUsed() / 1048576.0,
                    heap.getCommitted() / 1048576.0, ManagementFactory.getThreadMXBean().getThreadCount());
        }
    }

    /** The processes of the pods (each stage1 and its descendants), their RSS and PSS summed. */
    private record HostCost(int processes, double rssKb, double pssKb) {
        static HostCost of(Engine engine, List<String> ids) throws IOException {
            int processes = 0;
            double rss = 0;
            double pss = 0;
            Map<String, Long> stage1s = new java.util.HashMap<>();
            engine.list().forEach(p -> stage1s.put(p.podId(), p.stage1Pid()));
            for (String id : ids) {
                Long stage1 = stage1s.get(id);
                if (stage1 == null) {
                    continue;
                }
                Deque<Long> todo = new ArrayDeque<>(List.of(stage1));
                while (!todo.isEmpty()) {
                    long pid = todo.removeFirst();
                    Path proc = Path.of("/proc", Long.toString(pid));
                    if (!Files.exists(proc)) {
                        continue;
                    }
                    processes++;
                    rss += statusKb(proc.resolve("smaps_rollup"), "Rss:");
                    pss += statusKb(proc.resolve("smaps_rollup"), "Pss:");
                    try (var tasks = Files.list(proc.resolve("task"))) {
                        for (Path task : tasks.toList()) {
                            String children = Files.readString(task.resolve("children")).strip();
                            if (!children.isEmpty()) {
                                for (String c : children.split("\\s+")) {
                                    todo.add(Long.parseLong(c));
                                }
                            }
                        }
                    }
                }
            }
            return new HostCost(processes, rss, pss);
        }
    }

    private static double statusKb(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key)) {
                return Double.parseDouble(line.substring(key.length()).strip().split("\\s+")[0]);
            }
        }
        return 0;
    }
}
