package dev.rkj.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.PodEvent.PodExited;
import dev.rkj.engine.pod.PodEvent.PodStarted;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reads tell the truth: a pod whose {@code rkj run} was killed with SIGKILL and which then ended
 * (its app exits 3 when the test sends it SIGTERM, after the CLI is gone: no race with a sleep) is
 * shown exited with its app's code by {@code rkj status} and {@code rkj list} in fresh
 * processes (the packaged jar, as users run it), its exit recorded once however many read at the
 * same moment, and a read of an unchanged journal appends nothing.
 */
@ExtendWith(LeakCheck.class)
class SettleOnReadIT {
    private static final Path JAR = Path.of("target", "rkj.jar");

    private Path dir;
    private Path data;
    private Path aci;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void buildImage() throws Exception {
        Privileged.requireRoot();
        assertTrue(Files.isRegularFile(JAR), "package builds " + JAR.toAbsolutePath());
        dir = TestRun.newDir("reads");
        data = Files.createDirectories(dir.resolve("data"));
        Path src = dir.resolve("src");
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/exit3",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": ["/bin/sh", "-c", "trap 'kill $!; exit 3' TERM; sleep 600 & wait"], "user": "0", "group": "0"}}
                """);
        aci = dir.resolve("exit3.aci");
        Result built = rkj("image", "build", src.toString(), aci.toString());
        assertEquals(0, built.code(), built.err());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (data != null) {
            rkj("gc", "--grace-period=0s", "--expire-prepared=0s");
            TestRun.deleteTree(dir);
        }
    }

    @AfterAll
    static void removeCgroupParentIfEmpty() throws Exception {
        if (Privileged.isRoot()) {
            new Cgroups(LinuxKernel.get(), CgroupLayout.detect(), HostEngine.CGROUP_PARENT).removeParentIfEmpty();
        }
    }

    @Test
    void statusAndListInFreshProcessesShowTheExitOfAPodWhoseRunWasKilled() throws Exception {
        String uuid = runAndKillTheCli();
        Result status = rkj("status", uuid);
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("state=exited\n"), status.out());
        assertTrue(status.out().contains("app-exit3=3\n"), status.out());
        assertFalse(status.out().contains("unrecorded="), "its engine is gone: the read recorded it\n" + status.out());

        Result list = rkj("list", "--format=json");
        assertEquals(0, list.code(), list.err());
        JsonNode pod = Json.mapper().readTree(list.out()).get(0);
        assertEquals("exited", pod.get("state").asText(), list.out());
        assertEquals(3, pod.get("exit_code").asInt(), list.out());
        assertFalse(pod.has("recorded"), list.out());

        List<JsonNode> events = events(uuid);
        assertEquals(1, count(events, "pod.exited"), types(events).toString());
        assertEquals(0, count(events, "pod.adopted"), "a read never adopts: " + types(events).toString());
    }

    @Test
    void tenConcurrentReadersRecordTheExitOnceAndAReadOfAnUnchangedJournalAppendsNothing() throws Exception {
        String uuid = runAndKillTheCli();
        List<Process> readers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            readers.add(start(dir.resolve("status-" + i), "status", uuid));
        }
        for (int i = 0; i < readers.size(); i++) {
            Process p = readers.get(i);
            assertTrue(p.waitFor(3, TimeUnit.MINUTES), "rkj status did not finish");
            String out = Files.readString(dir.resolve("status-" + i + ".out"));
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("status-" + i + ".err")));
            assertTrue(out.contains("state=exited\n") && out.contains("app-exit3=3\n"), out);
        }
        List<JsonNode> events = events(uuid);
        assertEquals(1, count(events, "pod.exited"), types(events).toString());
        assertEquals(1, count(events, "pod.app-exited"), types(events).toString());

        byte[] before = journalDigest();
        long next = events(null).size();
        assertEquals(0, rkj("status", uuid).code());
        assertEquals(0, rkj("list").code());
        assertEquals(next, events(null).size(), "nothing appended");
        assertArrayEquals(before, journalDigest(), "the journal's data files are unchanged");
    }

    @Test
    void listAtAnIndexOrTimeShowsThePodAsItWasThen() throws Exception {
        String uuid = runAndKillTheCli();
        assertEquals(0, rkj("status", uuid).code()); // records the exit
        JsonNode started = events(uuid).stream().filter(e -> type(e).equals("pod.started")).findFirst().orElseThrow();
        long at = started.get("index").asLong();

        assertEquals("prepared", stateAt(Long.toString(at - 1)));
        assertEquals("running", stateAt(Long.toString(at)));
        assertEquals("running", stateAt(started.get("time").asText()));
        assertEquals("exited", stateAt(Long.toString(events(null).size() - 1)));

        Result statusAt = rkj("status", "--at", Long.toString(at), uuid);
        assertTrue(statusAt.out().contains("state=running\n"), statusAt.out());
        Result none = rkj("list", "--at", "1970-01-01T00:00:00Z", "--format=json");
        assertEquals("[]", none.out().strip(), "nothing had happened then");

        Result bad = rkj("list", "--at", "soon");
        assertEquals(254, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().startsWith("rkj: --at 'soon' is neither a journal index nor a time"), bad.err());
        Result beyond = rkj("status", "--at", "100000", uuid);
        assertEquals(254, beyond.code());
        assertTrue(beyond.err().startsWith("rkj: --at 100000: the journal has no event at index 100000"), beyond.err());
    }

    /** Runs the pod in a CLI, kills that CLI with SIGKILL once the pod runs, waits until the pod's stage1 is gone. */
    private String runAndKillTheCli() throws Exception {
        Path uuidFile = dir.resolve("uuid");
        Process run = start(dir.resolve("run"), "run", "--net=none", "--insecure-options=image", "--uuid-file-save=" + uuidFile,
                aci.toString());
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(uuidFile) && !Files.readString(uuidFile).isBlank());
            String podId = Files.readString(uuidFile).strip();
            // the CLI is killed once the journal says the pod runs; its app waits for SIGTERM to exit 3
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> started(podId) != null);
        } finally {
            run.destroyForcibly(); // SIGKILL
            assertTrue(run.waitFor(1, TimeUnit.MINUTES), "the killed CLI is gone");
        }
        String uuid = Files.readString(uuidFile).strip();
        long appPid = started(uuid).appPids().get("exit3");
        ProcessHandle.of(appPid).ifPresent(ProcessHandle::destroy); // SIGTERM: the app exits 3
        Path podDir = data.resolve("pods").resolve(uuid);
        await().atMost(Duration.ofMinutes(1)).until(() -> !PodLock.isHeld(podDir));
        assertFalse(recorded(uuid, PodExited.class), "no engine watched the pod end: its exit is not recorded yet");
        return uuid;
    }

    /** Whether the journal holds an event of {@code type} for the pod (read in this JVM, read-only). */
    private boolean recorded(String podId, Class<?> type) throws Exception {
        return first(podId, type) != null;
    }

    private PodStarted started(String podId) throws Exception {
        return (PodStarted) first(podId, PodStarted.class);
    }

    private Object first(String podId, Class<?> type) throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(data.resolve("journal"), EngineEvents.registry())) {
            Object[] found = {null};
            journal.replay(0, env -> {
                if (found[0] == null && env.aggregateId().equals(podId) && type.isInstance(env.event())) {
                    found[0] = env.event();
                }
            });
            return found[0];
        }
    }

    private String stateAt(String at) throws IOException, InterruptedException {
        Result r = rkj("list", "--at", at, "--format=json");
        assertEquals(0, r.code(), r.err());
        JsonNode pods = Json.mapper().readTree(r.out());
        assertEquals(1, pods.size(), r.out());
        return pods.get(0).get("state").asText();
    }

    private List<JsonNode> events(String uuid) throws IOException, InterruptedException {
        Result shown = uuid == null ? rkj("journal", "show", "--json") : rkj("journal", "show", "--json", "--aggregate", uuid);
        assertEquals(0, shown.code(), shown.err());
        List<JsonNode> events = new ArrayList<>();
        for (String line : shown.out().lines().filter(l -> !l.isBlank()).toList()) {
            events.add(Json.mapper().readTree(line));
        }
        return events;
    }

    private static String type(JsonNode event) {
        String t = event.get("type").asText();
        int slash = t.indexOf('/');
        return slash < 0 ? t : t.substring(0, slash);
    }

    private static long count(List<JsonNode> events, String type) {
        return events.stream().filter(e -> type(e).equals(type)).count();
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(SettleOnReadIT::type).toList();
    }

    /** A digest of the journal's queue files (the events); the open-time metadata file is left out. */
    private byte[] journalDigest() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.list(data.resolve("journal"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".cq4")).sorted().toList()) {
                sha.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(f));
            }
        }
        return sha.digest();
    }

    private Process start(Path outputs, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "--dir", data.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(Path.of(outputs + ".out").toFile())
                .redirectError(Path.of(outputs + ".err").toFile()).start();
    }

    private Result rkj(String... args) throws IOException, InterruptedException {
        Path outputs = dir.resolve("rkj-" + System.nanoTime());
        Process p = start(outputs, args);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "rkj " + String.join(" ", args) + " did not finish");
        return new Result(p.exitValue(), Files.readString(Path.of(outputs + ".out"), StandardCharsets.UTF_8),
                Files.readString(Path.of(outputs + ".err"), StandardCharsets.UTF_8));
    }
}
