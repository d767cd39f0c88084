package dev.rkj.engine.recovery;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodIds;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.recovery.Reconciler;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.engine.stage.CrashPoint;
import dev.rkj.eventlog.ChildJvm;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Envelope;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Leaks;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import dev.rkj.eventlog.Json;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill -9 at every crash point: an engine in a child JVM (Chronicle journal, real image store,
 * native stage1) runs a pod of a test ACI and halts at the point (its configured crash point); a
 * second engine process starts on the same data directory, recovers and finishes the work. Then
 * the journal must say what the host shows, hold every fact once (pod and image facts), and
 * nothing may leak (mounts, cgroups, stage1 processes). A crash during preparation is tested with
 * a pod prepared without a launch request (recovery resumes it, and the recovering process runs it
 * with run-prepared); a crash between a launch request and the launch shows the recovery rule for
 * recorded launch requests whose requester died: the launch is refused.
 */
@ExtendWith(LeakCheck.class)
class EngineCrashIT {
    /** The app: runs long enough to be caught running, then exits 7. */
    private static final List<String> APP = List.of("/bin/sh", "-c", "sleep 1; exit 7");

    private Path dataDir;
    private Path aci;

    @BeforeEach
    void prepare() throws Exception {
        Privileged.requireRoot();
        dataDir = TestRun.newDir("crash");
        Path imageDir = TestImages.busyboxImageDir(dataDir.resolve("image"),
                TestImages.imageManifestJson("example.com/busybox", Map.of("version", "1.0"), "/bin/true"));
        aci = TestImages.gnuTarAci(imageDir, dataDir.resolve("busybox.aci"), Compression.GZIP);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (dataDir == null) {
            return;
        }
        try (Stage1HostEngine e = new Stage1HostEngine(dataDir)) {
            for (PodState pod : e.engine.list()) {
                if (pod.status() == PodStatus.RUNNING) {
                    Engine.await(e.engine.stop(pod.podId(), true), Duration.ofSeconds(30));
                }
            }
            for (PodState pod : e.engine.list()) {
                Engine.await(e.engine.awaitStatus(pod.podId(), s -> !s.status().isActive(), Duration.ofSeconds(30)),
                        Duration.ofSeconds(30));
            }
            Engine.await(e.engine.gc(Duration.ZERO, Duration.ZERO, false), Duration.ofSeconds(30));
            e.host.cgroups().removeParentIfEmpty();
        } finally {
            TestRun.deleteTree(dataDir);
        }
    }

    @ParameterizedTest(name = "crash {0}")
    @EnumSource(value = CrashPoint.class, mode = EnumSource.Mode.EXCLUDE,
            names = {"AFTER_LAUNCH_REQUESTED", "AFTER_NETWORK_SETUP"})
    void aRestartedEngineFinishesWhatACrashedOneLeft(CrashPoint point) throws Exception {
        boolean preparing = point.compareTo(CrashPoint.AFTER_PREPARED) <= 0;
        List<String> run = new ArrayList<>(List.of(preparing ? "run-prepared" : "run"));
        if (point == CrashPoint.BEFORE_DELETED_RECORDED) {
            run.add("--then-remove");
        }
        run.addAll(APP);
        Child crashed = child(point, run);
        assertEquals(CrashPoint.STATUS, crashed.status, "the engine must halt at " + point.pointName() + ": " + crashed);

        Child recovered = child(null, List.of("recover"));
        assertEquals(0, recovered.status, "recovery after " + point.pointName() + ": " + recovered);

        Map<String, List<String>> journal = journalByAggregate();
        List<String> pods = journal.keySet().stream().filter(PodIds::isValid).toList();
        assertEquals(1, pods.size(), "one pod: " + journal);
        String podId = pods.get(0);
        List<String> facts = journal.get(podId);
        journal.forEach((aggregate, events) -> assertEquals(events.size(), events.stream().distinct().count(),
                "every fact of " + aggregate + " once: " + events));

        PodState pod = fold().get(podId).orElseThrow();
        // The crashed engine asked to launch it (rkj run), or, crashed while preparing it, the recovering one did.
        String requester = preparing ? null : crashedEngine(podId);
        assertTrue(facts.stream().anyMatch(f -> f.startsWith("pod.launch-requested")
                && (requester == null || f.endsWith(requester))), "the launch request: " + facts);
        switch (point) {
            case BEFORE_STARTED_RECORDED -> {
                assertEquals(PodStatus.EXITED, pod.status(), facts.toString());
                assertEquals(Stage.LAUNCH, pod.failure().stage());
                assertTrue(pod.failure().reason().contains("died before it recorded the start"), pod.failure().reason());
            }
            case BEFORE_DELETED_RECORDED -> {
                assertEquals(PodStatus.DELETED, pod.status(), facts.toString());
                assertFalse(Files.exists(dataDir.resolve("pods").resolve(podId)));
            }
            default -> {
                assertEquals(PodStatus.EXITED, pod.status(), facts.toString());
                assertEquals(7, pod.exitCode(), facts + ", failure: " + pod.failure());
                assertEquals(7, pod.apps().get("busybox").exitCode());
            }
        }
        assertHostMatches(podId);

        long before = nextIndex();
        Child again = child(null, List.of("recover"));
        assertEquals(0, again.status, again.toString());
        assertEquals(before, nextIndex(), "a second recovery has nothing to add");
    }

    /**
     * The engine that asked to launch a pod dies before the launch: {@code rkj run} right after
     * the creation (the request is appended with it), or {@code run-prepared} of a prepared pod.
     * The recovering engine refuses the launch (nothing runs that no one waits for) and records why;
     * the pod's journal shows the request and the refusal.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run", "run-prepared"})
    void aLaunchWhoseRequesterDiedIsRefusedByRecovery(String mode) throws Exception {
        CrashPoint point = mode.equals("run") ? CrashPoint.AFTER_CREATED : CrashPoint.AFTER_LAUNCH_REQUESTED;
        List<String> run = new ArrayList<>(List.of(mode));
        run.addAll(APP);
        Child crashed = child(point, run);
        assertEquals(CrashPoint.STATUS, crashed.status, "the engine must halt at " + point.pointName() + ": " + crashed);

        Child recovered = child(null, List.of("recover"));
        assertEquals(0, recovered.status, "recovery after " + point.pointName() + ": " + recovered);

        String podId = fold().all().get(0).podId();
        List<String> facts = journalByAggregate().get(podId);
        String requester = crashedEngine(podId);
        int requested = facts.indexOf("pod.launch-requested " + requester);
        int refused = facts.indexOf("pod.stage-failed");
        assertTrue(requested >= 0 && refused > requested, "request, then refusal: " + facts);
        assertFalse(facts.contains("pod.started"), "nothing was started: " + facts);
        PodState pod = fold().get(podId).orElseThrow();
        assertEquals(Stage.LAUNCH, pod.failure().stage(), facts.toString());
        assertTrue(pod.failure().reason().startsWith(Reconciler.LAUNCH_REFUSED), pod.failure().reason());
        assertTrue(pod.failure().reason().contains(requester), pod.failure().reason());
        // Refused while prepared: exited, never run; refused while being prepared: aborted, so gc deleted it.
        assertEquals(mode.equals("run") ? PodStatus.DELETED : PodStatus.EXITED, pod.status(), facts.toString());
        assertEquals(null, pod.exitCode());
        assertHostMatches(podId);

        long before = nextIndex();
        Child again = child(null, List.of("recover"));
        assertEquals(0, again.status, again.toString());
        assertEquals(before, nextIndex(), "a second recovery has nothing to add");
    }

    /**
     * kill -9 after the pod's CNI network was set up (namespace, veth, IPAM lease, iptables rules)
     * and before stage1 was spawned: recovery refuses the launch and releases the pod, which takes
     * it off the network; nothing of it is left (the default network's lease, rules, namespace).
     */
    @Test
    void aCrashBetweenNetworkSetupAndLaunchIsTornDownByRecovery() throws Exception {
        Privileged.require(Files.isExecutable(Path.of("/usr/lib/cni/bridge")),
                "the CNI plugins are not installed (apt-get install containernetworking-plugins)");
        List<String> run = new ArrayList<>(List.of("run"));
        run.addAll(APP);
        Child crashed = child(CrashPoint.AFTER_NETWORK_SETUP, run, "default");
        assertEquals(CrashPoint.STATUS, crashed.status, crashed.toString());
        String podId = fold().all().get(0).podId();
        Path cache = dataDir.resolve("pods").resolve(podId).resolve("net").resolve("00-default.json");
        String ip = Json.mapper().readTree(cache.toFile()).path("result").path("ips").get(0).path("address").asText()
                .replaceFirst("/.*", "");
        Path lease = Path.of("/var/lib/cni/networks/default").resolve(ip);
        assertTrue(Files.exists(lease), "the crashed engine leased " + ip);

        Child recovered = child(null, List.of("recover"), null);
        assertEquals(0, recovered.status, recovered.toString());
        PodState pod = fold().get(podId).orElseThrow();
        assertEquals(Stage.LAUNCH, pod.failure().stage());
        assertTrue(pod.failure().reason().startsWith(Reconciler.LAUNCH_REFUSED), pod.failure().reason());
        assertFalse(Files.exists(lease), "recovery released the lease of " + ip);
        assertFalse(Files.exists(dataDir.resolve("pods").resolve(podId).resolve("net").resolve("netns")),
                "recovery removed the pod's network namespace");
        Process rules = new ProcessBuilder("iptables-save", "-t", "nat").redirectErrorStream(true).start();
        String nat = new String(rules.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        rules.waitFor();
        assertFalse(nat.contains(podId), "iptables rules of the pod are left:\n" + nat);
        assertHostMatches(podId);
    }

    @ParameterizedTest(name = "force {0}")
    @ValueSource(booleans = {false, true})
    void aPodAdoptedFromADeadEngineCanBeStopped(boolean force) throws Exception {
        Child crashed = child(CrashPoint.AFTER_STARTED, List.of("run", "/bin/sleep", "600"));
        assertEquals(CrashPoint.STATUS, crashed.status, crashed.toString());
        try (Stage1HostEngine e = new Stage1HostEngine(dataDir)) {
            PodState pod = e.engine.list().get(0);
            assertEquals(e.engine.owner(), pod.owner(), "adopted at start");
            assertTrue(new PodLock(LinuxKernel.get()).held(dataDir.resolve("pods").resolve(pod.podId())), "stage1 outlived its engine");
            Engine.await(e.engine.stop(pod.podId(), force), Duration.ofSeconds(30));
            PodState exited = Engine.await(e.engine.awaitStatus(pod.podId(), s -> s.status().isFinished(),
                    Duration.ofSeconds(30)), Duration.ofSeconds(30));
            assertEquals(force ? "stopped on request (forced)" : "stopped on request", exited.exitReason());
            assertEquals(force ? 137 : 143, exited.exitCode());
            assertEquals(force ? 9 : 15, exited.apps().get("busybox").signal());
        }
        assertHostMatches(fold().all().get(0).podId());
    }

    /** Nothing of the pod is mounted, its cgroup is gone and no stage1 holds its lock. */
    private void assertHostMatches(String podId) throws IOException {
        Path podDir = dataDir.resolve("pods").resolve(podId);
        List<Path> mounts = MountInfo.read().mounts().stream().map(MountInfo.Mount::mountPoint)
                .filter(m -> m.startsWith(dataDir)).toList();
        assertEquals(List.of(), mounts, "mounts left under " + dataDir);
        assertFalse(new PodLock(LinuxKernel.get()).held(podDir), "a stage1 still holds " + podDir);
        List<String> leaks = Leaks.current().stream().filter(l -> l.contains(podId)).toList();
        assertEquals(List.of(), leaks, "leaks of pod " + podId);
    }

    private Map<String, List<String>> journalByAggregate() throws Exception {
        Map<String, List<String>> byPod = new HashMap<>();
        try (ChronicleJournal journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry())) {
            journal.replay(0, env -> byPod.computeIfAbsent(env.aggregateId(), id -> new ArrayList<>())
                    .add(describe(env)));
        }
        return byPod;
    }

    /**
     * An event's type, plus the app for app exits (one fact per app) and the requester for
     * requests (an engine taking over a dead one's request asks again).
     */
    private static String describe(Envelope env) {
        if (env.event() instanceof PodEvent.AppExited e) {
            return env.type().name() + " " + e.app();
        } else if (env.event() instanceof PodEvent.LaunchRequested e) {
            return env.type().name() + " " + e.requester().engineId();
        } else if (env.event() instanceof PodEvent.DeleteRequested e) {
            return env.type().name() + " " + e.requester().engineId();
        }
        return env.type().name();
    }

    /** The engine that created the pod: the one that crashed. */
    private String crashedEngine(String podId) throws Exception {
        PodEvent.PodCreated[] created = new PodEvent.PodCreated[1];
        try (ChronicleJournal journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry())) {
            journal.replay(0, env -> {
                if (env.event() instanceof PodEvent.PodCreated c && c.podId().equals(podId)) {
                    created[0] = c;
                }
            });
        }
        return created[0].owner().engineId();
    }

    private PodProjection fold() throws Exception {
        PodProjection projection = new PodProjection();
        try (ChronicleJournal journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry())) {
            journal.replay(0, env -> projection.apply(env.aggregateId(), env.event(), env.time(), env.index()));
        }
        return projection;
    }

    private long nextIndex() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry())) {
            return journal.nextIndex();
        }
    }

    private Child child(CrashPoint crashAt, List<String> args) throws Exception {
        return child(crashAt, args, null);
    }

    /** @param net the pod's network ({@code default}: the CNI default network), or null for none */
    private Child child(CrashPoint crashAt, List<String> args, String net) throws Exception {
        List<String> mainArgs = new ArrayList<>(
                List.of(dataDir.toString(), aci.toString(), TestRun.cgroupParent()));
        mainArgs.addAll(args);
        List<String> command = ChildJvm.command(List.of(), CrashTestMain.class, mainArgs);
        Path out = Files.createTempFile(dataDir, "child", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().remove(CrashTestMain.CRASH_ENV);
        pb.environment().remove(CrashTestMain.NET_ENV);
        if (net != null) {
            pb.environment().put(CrashTestMain.NET_ENV, net);
        }
        if (crashAt != null) {
            pb.environment().put(CrashTestMain.CRASH_ENV, crashAt.pointName());
        }
        long start = System.nanoTime();
        Process process = pb.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("engine process " + args + " did not end; its output:\n" + Files.readString(out));
        }
        System.out.printf("engine process %s %s: exit %d after %d ms%n", crashAt == null ? "" : crashAt.pointName(),
                args, process.exitValue(), (System.nanoTime() - start) / 1_000_000);
        return new Child(process.exitValue(), Files.readString(out));
    }

    private record Child(int status, String output) {
        @Override
        public String toString() {
            return "exit status " + status + ", output:\n" + output;
        }
    }

    /** An engine in this JVM on the test's data directory, with the real host ports. */
    private static final class Stage1HostEngine implements AutoCloseable {
        final ChronicleJournal journal;
        final Stage1Host host;
        final Engine engine;

        Stage1HostEngine(Path dataDir) throws Exception {
            journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry());
            host = Stage1Host.open(dataDir, TestRun.cgroupParent(),
                    new Stage1Launcher.Output(dataDir.resolve("stage1.out"), dataDir.resolve("stage1.err")));
            engine = Engine.open(EngineConfig.builder(dataDir, CrashTestMain.ports(dataDir, journal, host))
                    .journal(journal).build());
        }

        @Override
        public void close() {
            engine.close();
            journal.close();
        }
    }
}
