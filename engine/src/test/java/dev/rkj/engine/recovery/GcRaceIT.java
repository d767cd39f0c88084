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
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.eventlog.ChildJvm;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Envelope;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decisions against the latest state, across processes (issue 9, item 8): {@code gc} racing
 * {@code run}s never marks a started pod garbage, and {@code run}s killed at random moments leave
 * nothing that one {@code gc --grace-period=0s} does not settle. Engines run in child JVMs with the
 * real journal, image store and native stage1; gc runs in an engine of this JVM.
 */
@ExtendWith(LeakCheck.class)
class GcRaceIT {
    /** The app: short, and its exit code is checked. */
    private static final List<String> APP = List.of("/bin/sh", "-c", "sleep 0.2; exit 3");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Path dataDir;
    private Path aci;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void prepare() throws Exception {
        Privileged.requireRoot();
        dataDir = TestRun.newDir("gcrace");
        Path imageDir = TestImages.busyboxImageDir(dataDir.resolve("image"),
                TestImages.imageManifestJson("example.com/busybox", Map.of("version", "1.0"), "/bin/true"));
        aci = TestImages.gnuTarAci(imageDir, dataDir.resolve("busybox.aci"), Compression.GZIP);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : children) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (dataDir == null) {
            return;
        }
        try (GcEngine e = new GcEngine(dataDir)) {
            for (PodState pod : e.engine.list()) {
                if (pod.status() == PodStatus.RUNNING) {
                    Engine.await(e.engine.stop(pod.podId(), true), Duration.ofSeconds(30));
                }
            }
            Engine.await(e.engine.gc(Duration.ZERO, Duration.ZERO, false), Duration.ofSeconds(30));
            e.host.cgroups().removeParentIfEmpty();
        } finally {
            TestRun.deleteTree(dataDir);
        }
    }

    @Test
    void gcRacingRunsNeverMarksAStartedPodGarbageAndEveryRunRecordsItsAppsExit() throws Exception {
        int processes = 3;
        int each = 10;
        List<Process> runs = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            Path out = dataDir.resolve("run-" + p + ".out");
            outputs.add(out);
            List<String> args = new ArrayList<>(List.of(dataDir.toString(), aci.toString(), TestRun.cgroupParent(),
                    String.valueOf(each)));
            args.addAll(APP);
            runs.add(start(RunManyMain.class, args, out));
        }
        AtomicInteger rounds = new AtomicInteger();
        AtomicReference<Throwable> gcFailure = new AtomicReference<>();
        Thread gcLoop = new Thread(() -> {
            try (GcEngine e = new GcEngine(dataDir)) {
                while (runs.stream().anyMatch(Process::isAlive)) {
                    Engine.await(e.engine.gc(Duration.ofHours(1), Duration.ZERO, false), WAIT); // --expire-prepared=0s
                    rounds.incrementAndGet();
                    Thread.sleep(5); // leave the two cores to the runs now and then
                }
            } catch (Throwable t) {
                gcFailure.set(t);
            }
        }, "gc-loop");
        gcLoop.start();
        for (int p = 0; p < processes; p++) {
            assertTrue(runs.get(p).waitFor(3, TimeUnit.MINUTES), "run process " + p + " did not end");
            assertEquals(0, runs.get(p).exitValue(), "run process " + p + ":\n" + Files.readString(outputs.get(p)));
        }
        gcLoop.join(TimeUnit.MINUTES.toMillis(1));
        assertEquals(null, gcFailure.get(), "gc failed");
        System.out.println("gc ran " + rounds.get() + " times while the runs ran");
        assertTrue(rounds.get() > 0, "gc never ran during the runs");

        Map<String, List<Envelope>> byPod = journalByPod();
        assertEquals(processes * each, byPod.size(), "one pod per run: " + byPod.keySet());
        for (Map.Entry<String, List<Envelope>> pod : byPod.entrySet()) {
            List<String> names = pod.getValue().stream().map(e -> e.type().name()).toList();
            int started = names.indexOf("pod.started");
            assertTrue(started >= 0, "every run started its pod: " + pod.getKey() + " " + names);
            assertFalse(names.subList(started, names.size()).contains("pod.marked-garbage"),
                    "a started pod was marked garbage: " + pod.getKey() + " " + names);
            assertTrue(pod.getValue().stream().anyMatch(e -> e.event() instanceof PodEvent.AppExited a
                    && a.exitCode() == 3), "the app's exit was recorded: " + pod.getKey() + " " + names);
        }
        PodProjection projection = fold();
        for (String podId : byPod.keySet()) {
            PodState pod = projection.get(podId).orElseThrow();
            assertEquals(PodStatus.EXITED, pod.status(), podId);
            assertEquals(3, pod.exitCode(), podId);
        }
        for (Path out : outputs) {
            assertEquals(each, Files.readAllLines(out).stream().filter(l -> l.startsWith("pod ")
                    && l.endsWith(" exited 3")).count(), Files.readString(out));
        }
    }

    @Test
    void runsKilledAtRandomMomentsLeaveNothingOneGcWithNoGracePeriodDoesNotSettle() throws Exception {
        long seed = Long.getLong("rkj.test.seed", System.nanoTime());
        System.out.println("GcRaceIT kill seed " + seed + " (rerun with -Drkj.test.seed=" + seed + ")");
        Random random = new Random(seed);
        int kills = 20;
        int batch = 4;
        // One run to the end first (it also fetches the image): how long a pod's life takes here, from
        // the engine being open to the run's end, so that the kills below fall across all of it.
        List<String> referenceArgs = new ArrayList<>(List.of(dataDir.toString(), aci.toString(),
                TestRun.cgroupParent(), "1"));
        referenceArgs.addAll(APP);
        Path referenceOut = dataDir.resolve("reference.out");
        Process reference = start(RunManyMain.class, referenceArgs, referenceOut);
        awaitLine(reference, referenceOut, "engine open");
        long opened = System.nanoTime();
        assertTrue(reference.waitFor(3, TimeUnit.MINUTES), "the reference run did not end");
        assertEquals(0, reference.exitValue(), Files.readString(referenceOut));
        long life = Math.max(1, (System.nanoTime() - opened) / 1_000_000);
        System.out.println("GcRaceIT: a run's pod lives " + life + " ms here; kills fall in [0, " + life + ") ms");
        for (int started = 0; started < kills; started += batch) {
            List<Process> batchRuns = new ArrayList<>();
            List<Path> outs = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                List<String> args = new ArrayList<>(List.of(dataDir.toString(), aci.toString(),
                        TestRun.cgroupParent(), "1"));
                args.addAll(APP);
                Path out = dataDir.resolve("kill-" + (started + i) + ".out");
                outs.add(out);
                batchRuns.add(start(RunManyMain.class, args, out));
            }
            for (int i = 0; i < batch; i++) {
                awaitLine(batchRuns.get(i), outs.get(i), "engine open");
            }
            // From the moment all are open, each is killed at its own random moment of its pod's life
            // (create, fetch, prepare, launch, run, exit, release all fit in this span).
            long[] delays = random.longs(batch, 0, life).sorted().toArray();
            long t0 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                long wait = delays[i] - (System.nanoTime() - t0) / 1_000_000;
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                batchRuns.get(i).destroyForcibly(); // SIGKILL: its stage1, if any, lives on
            }
            for (Process p : batchRuns) {
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "a killed run did not end");
            }
        }
        PodLock lock = new PodLock(LinuxKernel.get());
        for (String podId : fold().all().stream().map(PodState::podId).toList()) {
            Path podDir = dataDir.resolve("pods").resolve(podId);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lock.held(podDir) && System.nanoTime() < deadline) { // the app sleeps 0.2 s: its stage1 ends
                Thread.sleep(50);
            }
        }

        Map<String, Integer> before = new java.util.TreeMap<>();
        fold().all().forEach(pod -> before.merge(pod.status().displayName(), 1, Integer::sum));
        System.out.println("GcRaceIT: pods as the killed runs left them: " + before);

        try (GcEngine e = new GcEngine(dataDir)) { // its start records what the dead engines left (recovery)
            for (PodState pod : e.engine.list()) {
                if (pod.status() == PodStatus.RUNNING) { // adopted at start: its exit is being recorded
                    Engine.await(e.engine.awaitStatus(pod.podId(), s -> s.status() != PodStatus.RUNNING, WAIT), WAIT);
                }
            }
            Engine.await(e.engine.gc(Duration.ZERO, Duration.ZERO, false), WAIT);
        }

        PodProjection projection = fold();
        Map<String, String> notFinal = new LinkedHashMap<>();
        for (PodState pod : projection.all()) {
            if (pod.status() != PodStatus.DELETED && pod.status() != PodStatus.EXITED) {
                notFinal.put(pod.podId(), pod.status().displayName());
            }
        }
        System.out.println("GcRaceIT: " + projection.all().size() + " pods after " + kills + " killed runs");
        assertEquals(Map.of(), notFinal, "pods left in a non-final state after gc --grace-period=0s (seed " + seed + ")");
        List<Path> mounts = MountInfo.read().mounts().stream().map(MountInfo.Mount::mountPoint)
                .filter(m -> m.startsWith(dataDir)).toList();
        assertEquals(List.of(), mounts, "mounts left under " + dataDir + " (seed " + seed + ")");
    }

    /** Waits until the child has printed {@code line} (or has ended, which fails the test). */
    private static void awaitLine(Process child, Path out, String line) throws Exception {
        while (!Files.readAllLines(out).contains(line)) {
            if (!child.isAlive()) {
                throw new AssertionError("a run ended before printing " + line + ":\n" + Files.readString(out));
            }
            Thread.sleep(20);
        }
    }

    private Process start(Class<?> main, List<String> args, Path out) throws Exception {
        List<String> command = ChildJvm.command(List.of("-Xmx192m"), main, args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        children.add(process);
        return process;
    }

    private Map<String, List<Envelope>> journalByPod() throws Exception {
        Map<String, List<Envelope>> byPod = new LinkedHashMap<>();
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(dataDir.resolve("journal"),
                EngineEvents.registry())) {
            journal.replay(0, env -> {
                if (PodIds.isValid(env.aggregateId())) {
                    byPod.computeIfAbsent(env.aggregateId(), id -> new ArrayList<>()).add(env);
                }
            });
        }
        return byPod;
    }

    private PodProjection fold() throws Exception {
        PodProjection projection = new PodProjection();
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(dataDir.resolve("journal"),
                EngineEvents.registry())) {
            journal.replay(0, env -> projection.apply(env.aggregateId(), env.event(), env.time(), env.index()));
        }
        return projection;
    }

    /** An engine in this JVM on the test's data directory, as {@code rkj gc} opens it (it watches no orphans). */
    private static final class GcEngine implements AutoCloseable {
        final ChronicleJournal journal;
        final Stage1Host host;
        final Engine engine;

        GcEngine(Path dataDir) throws Exception {
            journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry());
            host = Stage1Host.open(dataDir, TestRun.cgroupParent(),
                    new Stage1Launcher.Output(dataDir.resolve("stage1.out"), dataDir.resolve("stage1.err")));
            engine = Engine.open(EngineConfig.builder(dataDir, CrashTestMain.ports(dataDir, journal, host))
                    .journal(journal).watchOrphans(false).build());
        }

        @Override
        public void close() {
            engine.close();
            journal.close();
        }
    }
}
