package dev.rkj.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.api.http.ApiServer;
import dev.rkj.api.http.Listen;
import dev.rkj.bench.launch.BenchEngine;
import dev.rkj.bench.launch.BusyboxImage;
import dev.rkj.bench.launch.CommandBaseline;
import dev.rkj.bench.launch.HostLeftovers;
import dev.rkj.bench.launch.Mark;
import dev.rkj.bench.launch.PodTimeline;
import dev.rkj.bench.launch.Samples;
import dev.rkj.bench.launch.Table;
import dev.rkj.engine.Engine;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.kernel.MountInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API's costs, beside crun and podman in the same run (issue 11).
 *
 * <ol>
 *   <li><b>API request → app exec</b>: a warm engine ({@link BenchEngine}, timed as
 *       {@link LaunchBench} times it) behind {@link ApiServer} on a unix socket in this JVM; a
 *       blocking keep-alive client POSTs {@code /v1/pods} and the pod's timeline gives the app's exec
 *       (stage1's {@code started}) and its exit recorded. Rounds are interleaved with an in-process
 *       {@code createPod} and with crun (as in {@code launch}); in alternate blocks of rounds a
 *       deliberately slow {@code /v1/events} subscriber (one event a second) is attached, to show
 *       it does not slow launches.</li>
 *   <li><b>whole processes</b>: the {@code rkj} launcher at the repository's root running
 *       {@code rkj run} (the image's app is {@code /bin/true}) and {@code rkj list}, with a daemon
 *       ({@code rkj daemon}, its socket in {@code $RKJ_SOCKET}) and without, beside
 *       {@code podman run --rm} and {@code podman ps} on the same root filesystem (imported with
 *       {@code podman import}; run in the cgroup2 wrapper crun needs on a hybrid host).</li>
 * </ol>
 * Medians and ratios as tables; every ratio is of two series of this run.
 *
 * <pre>scripts/bench api [--pods 100] [--warmup 10] [--block 20] [--process-runs 10] [--dir /var/tmp] [--keep]</pre>
 * Needs root, the jar ({@code api/target/rkj.jar}, which scripts/bench builds) and podman for its rows.
 */
public final class ApiBench {
    private static final Duration POD_TIMEOUT = Duration.ofSeconds(60);

    private final Options options;
    private final Path work;
    private final String runId;
    private final PrintStream out;
    private final Table table;

    private ApiBench(Options options, Path work, String runId, PrintStream out) {
        this.options = options;
        this.work = work;
        this.runId = runId;
        this.out = out;
        this.table = new Table(out, 66);
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("api bench: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (!"0".equals(LaunchBench.uid())) {
            System.err.println("api bench: needs root (namespaces, overlayfs, cgroups, crun, podman)");
            System.exit(2);
        }
        String runId = "rkjbench" + UUID.randomUUID().toString().substring(0, 8);
        Path work = Files.createTempDirectory(options.dir, runId + "-");
        Exception failure = null;
        try {
            new ApiBench(options, work, runId, System.out).run();
        } catch (Exception e) {
            failure = e;
        }
        List<String> left = HostLeftovers.find(work, runId);
        System.out.println();
        if (!left.isEmpty()) {
            System.out.println("cleanup FAILED, left behind:");
            left.forEach(l -> System.out.println("  " + l));
            System.out.println("(work directory kept: " + work + ")");
        } else {
            System.out.println("cleanup: no mounts, cgroups or processes of this run are left");
            if (!options.keep) {
                LaunchBench.deleteWork(work);
            }
        }
        if (failure != null) {
            throw failure;
        }
        if (!left.isEmpty()) {
            System.exit(1);
        }
    }

    private void run() throws Exception {
        Path dataDir = Files.createDirectories(work.resolve("data"));
        Path aci = BusyboxImage.build(work);
        try (BenchEngine engine = BenchEngine.open(dataDir, runId + "-pods")) {
            ImageRecord image = engine.fetch(aci);
            PodSpec spec = new PodSpec(image.id().toString(), null, List.of(), Map.of(), null, PodSpec.NetMode.NONE,
                    null, null, false, Set.of(PodSpec.InsecureOption.IMAGE));
            engine.run(spec).get(60, TimeUnit.SECONDS); // renders the tree: warm from here on
            Path tree = ImageStore.rootfsOf(dataDir, engine.engine().list().get(0).treeId());
            engine.gc();
            out.printf("rkj api bench: %d API pods (+%d warm-up), slow subscriber attached in alternate blocks of %d;"
                    + " %d runs of each whole process%n", options.pods, options.warmup, options.block, options.processRuns);
            out.printf("host: %d cpus, kernel %s, load %s%n", Runtime.getRuntime().availableProcessors(),
                    Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(),
                    Files.readString(Path.of("/proc/loadavg")).strip());
            LaunchBench.Baselines baselines = LaunchBench.Baselines.create(work, runId, tree, out);
            Path socket = work.resolve("api.sock");
            ApiServer server = ApiServer.start(engine.engine(), engine.store(), engine.journal(),
                    new Listen.UnixSocket(socket, null)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            Latency latency;
            try {
                latency = latency(engine, spec, socket, baselines);
            } finally {
                server.close();
            }
            engine.gc();
            Processes processes = processes(aci, image.id().toString(), tree, baselines);
            report(latency, baselines, processes);
        }
    }

    /** The API's series, and what the slow subscriber went through. */
    private record Latency(Samples answered, Samples exec, Samples done, Samples execSlow, Samples doneSlow,
                           Samples inProcessExec, int slowDelivered, List<String> slowEnds) {}

    private Latency latency(BenchEngine engine, PodSpec spec, Path socket, LaunchBench.Baselines baselines) throws Exception {
        Samples answered = new Samples("API: POST /v1/pods -> 201 answered");
        Samples exec = new Samples("API: POST /v1/pods -> app exec'd");
        Samples done = new Samples("API: POST /v1/pods -> exit recorded");
        Samples execSlow = new Samples("API: POST -> app exec'd, slow subscriber attached");
        Samples doneSlow = new Samples("API: POST -> exit recorded, slow subscriber attached");
        Samples inProcess = new Samples("in-process createPod -> app exec'd (as launch)");
        String body = "{\"image\":\"" + spec.imageRef() + "\",\"start\":true,\"insecureOptions\":[\"image\"],\"net\":\"none\"}";
        SlowSubscriber slow = null;
        int delivered = 0;
        List<String> ends = new ArrayList<>();
        try (ApiClient client = new ApiClient(socket)) {
            for (int i = -options.warmup; i < options.pods; i++) {
                boolean withSlow = i >= 0 && (i / options.block) % 2 == 1;
                if (withSlow && slow == null) {
                    slow = new SlowSubscriber(socket);
                } else if (!withSlow && slow != null) {
                    delivered += slow.delivered.get();
                    ends.add(slow.close());
                    slow = null;
                }
                long t0 = System.nanoTime();
                JsonNode created = client.post("/v1/pods", body);
                long t1 = System.nanoTime();
                String podId = created.get("name").asText();
                PodTimeline timeline = engine.timeline(podId);
                timeline.mark(Mark.COMMAND, t0);
                PodState end = Engine.await(engine.engine().awaitStatus(podId, s -> s.status().isFinished(), POD_TIMEOUT),
                        POD_TIMEOUT);
                timeline.mark(Mark.DONE);
                engine.forget(podId);
                if (end.status() != PodStatus.EXITED || !Integer.valueOf(0).equals(end.exitCode())) {
                    throw new IllegalStateException("API pod " + podId + " ended " + end.status().displayName()
                            + " with " + end.exitCode() + ", not exited 0");
                }
                if (i >= 0) {
                    answered.add(t1 - t0);
                    (withSlow ? execSlow : exec).add(timeline.between(Mark.COMMAND, Mark.EXEC));
                    (withSlow ? doneSlow : done).add(timeline.between(Mark.COMMAND, Mark.DONE));
                }
                PodTimeline local = engine.run(spec).get(60, TimeUnit.SECONDS);
                if (i >= 0 && !withSlow) {
                    inProcess.add(local.between(Mark.COMMAND, Mark.EXEC));
                }
                for (CommandBaseline b : baselines.all()) {
                    b.run(i >= 0);
                }
                if ((i + 1) % 25 == 0) {
                    engine.gc();
                }
            }
        } finally {
            if (slow != null) {
                delivered += slow.delivered.get();
                ends.add(slow.close());
            }
        }
        return new Latency(answered, exec, done, execSlow, doneSlow, inProcess, delivered, ends);
    }

    /** The whole-process series. */
    private record Processes(List<CommandBaseline> all, CommandBaseline runDaemon, CommandBaseline runAlone,
                             CommandBaseline listDaemon, CommandBaseline listAlone, CommandBaseline podmanRun,
                             CommandBaseline podmanPs, List<String> missing) {}

    private Processes processes(Path aci, String imageId, Path tree, LaunchBench.Baselines baselines) throws Exception {
        Path root = repositoryRoot();
        Path rkj = root.resolve("rkj");
        Path env = Path.of("/usr/bin/env");
        Path withDaemon = Files.createDirectories(work.resolve("cli-daemon"));
        Path alone = Files.createDirectories(work.resolve("cli-alone"));
        Path socket = work.resolve("daemon.sock");
        Path nowhere = work.resolve("no-daemon.sock");
        Path logs = Files.createDirectories(work.resolve("logs"));
        for (Path dir : List.of(withDaemon, alone)) {
            command(logs, "fetch", env.toString(), "RKJ_SOCKET=" + nowhere, rkj.toString(), "--dir", dir.toString(), "fetch",
                    "--insecure-options=image", aci.toString());
        }
        List<String> missing = new ArrayList<>();
        Optional<Path> podman = CommandBaseline.which("podman");
        String podmanImage = "localhost/" + runId + ":1";
        if (podman.isPresent()) {
            command(logs, "podman-import", "sh", "-c", "tar -C " + tree + " -c . | " + podman.get() + " import - " + podmanImage);
        } else {
            missing.add("podman: not installed (scripts/bench api installs Debian's podman), no podman rows");
        }
        Process daemon = new ProcessBuilder(env.toString(), rkj.toString(), "--dir", withDaemon.toString(), "daemon", "--socket",
                socket.toString()).redirectOutput(logs.resolve("daemon.out").toFile())
                .redirectError(logs.resolve("daemon.err").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(socket)) {
                if (!daemon.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("rkj daemon did not open " + socket + ": " + Files.readString(logs.resolve("daemon.err")));
                }
                Thread.sleep(50); // a benchmark's set-up, untimed
            }
            LinuxKernel kernel = LinuxKernel.get();
            // --net=none as podman's --network=none below and the API pods' "net": "none" (rkj run's default is a CNI bridge)
            List<String> run = List.of("run", "--net=none", "--insecure-options=image", imageId);
            CommandBaseline runDaemon = cli(kernel, "rkj run (/bin/true), daemon running", env, rkj, socket, withDaemon, run, logs);
            CommandBaseline runAlone = cli(kernel, "rkj run (/bin/true), no daemon", env, rkj, nowhere, alone, run, logs);
            CommandBaseline listDaemon = cli(kernel, "rkj list, daemon running", env, rkj, socket, withDaemon, List.of("list"), logs);
            CommandBaseline listAlone = cli(kernel, "rkj list, no daemon", env, rkj, nowhere, alone, List.of("list"), logs);
            List<CommandBaseline> all = new ArrayList<>(List.of(runDaemon, runAlone, listDaemon, listAlone));
            CommandBaseline podmanRun = null;
            CommandBaseline podmanPs = null;
            if (podman.isPresent()) {
                String podmanRunLine = podman.get() + " run --rm --network=none --ulimit nofile=1024:1024"
                        + " --ulimit nproc=1000:1000 " + podmanImage + " /bin/true";
                boolean hybrid = MountInfo.read().at(Path.of("/sys/fs/cgroup/unified")).isPresent();
                podmanRun = hybrid
                        ? new CommandBaseline(kernel, "podman run --rm (in unshare -m, cgroup2 unmounted)", Path.of("/usr/bin/unshare"),
                                List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                                        "umount /sys/fs/cgroup/unified; exec " + podmanRunLine), logs.resolve("podman-run.err"))
                        : new CommandBaseline(kernel, "podman run --rm", podman.get(), List.of(podmanRunLine.split(" ")),
                                logs.resolve("podman-run.err"));
                podmanPs = new CommandBaseline(kernel, "podman ps", podman.get(), List.of("podman", "ps"), logs.resolve("podman-ps.err"));
                all.add(podmanRun);
                all.add(podmanPs);
            }
            // A daemon lives long: its JIT is warm after its first few dozen commands. Measure it warm, as
            // a user of a running daemon meets it (the cold daemon's first command is a start-up cost).
            for (int i = 0; i < DAEMON_WARMUP; i++) {
                listDaemon.run(false);
                if (i % 4 == 0) {
                    runDaemon.run(false);
                }
            }
            for (int i = -1; i < options.processRuns; i++) { // one untimed round first: page cache, the daemon's first call
                for (CommandBaseline b : all) {
                    b.run(i >= 0);
                }
            }
            return new Processes(all, runDaemon, runAlone, listDaemon, listAlone, podmanRun, podmanPs, missing);
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(2, TimeUnit.MINUTES)) {
                daemon.destroyForcibly();
            }
            for (Path dir : List.of(withDaemon, alone)) {
                command(logs, "gc", env.toString(), "RKJ_SOCKET=" + nowhere, rkj.toString(), "--dir", dir.toString(), "gc",
                        "--grace-period=0s", "--expire-prepared=0s");
            }
            if (podman.isPresent()) {
                command(logs, "podman-rmi", podman.get().toString(), "rmi", "-f", podmanImage);
            }
        }
    }

    private static CommandBaseline cli(LinuxKernel kernel, String name, Path env, Path rkj, Path socket, Path dir,
                                       List<String> args, Path logs) {
        List<String> argv = new ArrayList<>(List.of("env", "RKJ_SOCKET=" + socket, rkj.toString(), "--dir", dir.toString()));
        argv.addAll(args);
        return new CommandBaseline(kernel, name, env, argv, logs.resolve(name.replaceAll("[^a-z]+", "-") + ".err"));
    }

    /** Runs a set-up command to its end; fails with its output if it fails. */
    private static void command(Path logs, String name, String... argv) throws IOException, InterruptedException {
        Path log = logs.resolve(name + ".log");
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " failed: " + Files.readString(log).strip());
        }
    }

    /** The checkout this bench runs from (scripts/bench runs it with the root as working directory). */
    private static Path repositoryRoot() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        if (!Files.isExecutable(dir.resolve("rkj")) || !Files.isRegularFile(dir.resolve("api/target/rkj.jar"))) {
            throw new IOException("run from the repository's root with api/target/rkj.jar built (scripts/bench api does both)");
        }
        return dir;
    }

    private void report(Latency l, LaunchBench.Baselines baselines, Processes p) {
        table.percentileHeader("=== API request -> app exec (rounds: API pod, in-process pod, each baseline once) ===");
        for (Samples s : List.of(l.answered(), l.exec(), l.done(), l.execSlow(), l.doneSlow(), l.inProcessExec())) {
            table.percentileRow(s);
        }
        baselines.all().forEach(b -> table.percentileRow(b.samples()));
        baselines.missing().forEach(m -> table.line("%-66s  MISSING: %s", "", m));
        out.println();
        out.println("ratios of p50s");
        baselines.compared().forEach(b -> table.ratioRow(l.exec(), b.samples()));
        table.ratioRow(l.exec(), l.inProcessExec());
        table.ratioRow(l.execSlow(), l.exec());
        table.ratioRow(l.doneSlow(), l.done());
        table.line("  p99s: API -> exec %.3f ms without, %.3f ms with the slow subscriber (%.2fx)", l.exec().p99(),
                l.execSlow().p99(), l.execSlow().p99() / l.exec().p99());
        table.line("  the slow subscriber read %d events at one a second; its connections ended: %s", l.slowDelivered(),
                l.slowEnds());

        out.println();
        out.println("=== whole processes, spawn -> exit (medians of " + options.processRuns + " interleaved rounds) ===");
        table.line("%-66s %5s %9s %9s", "series", "n", "p50 ms", "p90 ms");
        for (CommandBaseline b : p.all()) {
            table.line("%-66s %5d %9.1f %9.1f", b.samples().name(), b.samples().size(), b.samples().p50(), b.samples().p90());
        }
        if (baselines.crun() != null) {
            Samples crun = baselines.crun().samples();
            table.line("%-66s %5d %9.1f %9.1f", crun.name() + " (from above)", crun.size(), crun.p50(), crun.p90());
        }
        p.missing().forEach(m -> table.line("%-66s  MISSING: %s", "", m));
        out.println();
        out.println("ratios of p50s (required: run via the daemon <= 0.6x podman run, list <= 0.6x podman ps;"
                + " wanted: list <= 0.1x podman ps, run <= 1x crun run)");
        for (CommandBaseline rkj : List.of(p.runDaemon(), p.runAlone())) {
            if (p.podmanRun() != null) {
                table.ratioRow(rkj.samples(), p.podmanRun().samples());
            }
            if (baselines.crun() != null) {
                table.ratioRow(rkj.samples(), baselines.crun().samples());
            }
        }
        for (CommandBaseline rkj : List.of(p.listDaemon(), p.listAlone())) {
            if (p.podmanPs() != null) {
                table.ratioRow(rkj.samples(), p.podmanPs().samples());
            }
        }
    }

    /** A blocking HTTP/1.1 keep-alive client over the unix socket, as curl would be. */
    private static final class ApiClient implements AutoCloseable {
        private final SocketChannel channel;
        private final InputStream in;

        ApiClient(Path socket) throws IOException {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            in = Channels.newInputStream(channel);
        }

        JsonNode post(String path, String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + path + " HTTP/1.1\r\nHost: rkj\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n";
            ByteBuffer request = ByteBuffer.allocate(head.length() + body.length);
            request.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
            while (request.hasRemaining()) {
                channel.write(request);
            }
            ByteArrayOutputStream headers = new ByteArrayOutputStream();
            while (!headers.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the daemon closed the connection: " + headers);
                }
                headers.write(b);
            }
            String text = headers.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            String answer = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            if (!text.startsWith("HTTP/1.1 201")) {
                throw new IOException("POST " + path + " got " + text.lines().findFirst().orElse("") + ": " + answer);
            }
            return Json.mapper().readTree(answer);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A {@code /v1/events} subscriber that reads one event a second, on a thread of its own. */
    private static final class SlowSubscriber {
        final AtomicInteger delivered = new AtomicInteger();
        private final SocketChannel channel;
        private final Thread reader;
        private volatile String end = "still open when detached";

        SlowSubscriber(Path socket) throws IOException {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("GET /v1/events HTTP/1.1\r\nHost: rkj\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            InputStream in = Channels.newInputStream(channel);
            reader = new Thread(() -> {
                try {
                    StringBuilder line = new StringBuilder();
                    for (int b = in.read(); b >= 0; b = in.read()) {
                        if (b != '\n') {
                            line.append((char) b);
                            continue;
                        }
                        if (line.indexOf("\"closed\"") >= 0) {
                            end = "closed by the daemon: " + line;
                        }
                        if (line.length() > 0 && line.charAt(0) == '{') {
                            delivered.incrementAndGet();
                            Thread.sleep(1000); // the point: a subscriber that reads one event a second
                        }
                        line.setLength(0);
                    }
                    if (end.startsWith("still")) {
                        end = "the daemon ended the stream";
                    }
                } catch (IOException | InterruptedException e) {
                    // detached
                }
            }, "slow-subscriber");
            reader.setDaemon(true);
            reader.start();
        }

        String close() throws IOException {
            String how = end;
            channel.close();
            reader.interrupt();
            return how;
        }
    }

    /** Command-line options. */
    /** Untimed {@code rkj list} runs through the daemon before the timed rounds (and a quarter as many {@code run}s). */
    private static final int DAEMON_WARMUP = 40;

    private record Options(int pods, int warmup, int block, int processRuns, Path dir, boolean keep) {
        static final String USAGE = "usage: api [--pods N=100] [--warmup N=10] [--block N=20] [--process-runs N=10]"
                + " [--dir DIR=/var/tmp] [--keep]";

        static Options parse(String[] args) {
            int pods = 100;
            int warmup = 10;
            int block = 20;
            int processRuns = 10;
            Path dir = Path.of("/var/tmp");
            boolean keep = false;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--pods" -> pods = number(args[i], value, 2);
                    case "--warmup" -> warmup = number(args[i], value, 0);
                    case "--block" -> block = number(args[i], value, 1);
                    case "--process-runs" -> processRuns = number(args[i], value, 1);
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
            return new Options(pods, warmup, block, processRuns, dir, keep);
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
