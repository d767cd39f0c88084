package dev.rkj.api.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.testsupport.LeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The thin CLI end to end: the packaged {@code rkj.jar} spawned as users run it, against a real
 * daemon on a socket of the test's ({@code RKJ_SOCKET}). That a command went through the daemon is
 * checked in the client's own class-loading log: a client that ran the command itself loads picocli
 * and Chronicle; a thin one loads neither.
 */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThinCliIT {
    static final Path NATIVE_CLIENT = Path.of("..", "stage1-native", "target", "rkj-client").toAbsolutePath().normalize();
    private static final Path JAR = Path.of("target", "rkj.jar").toAbsolutePath();

    private DaemonFixture fixture;
    private Path dir;
    private Path data;
    private Http http;
    private int runs;

    @BeforeAll
    void startDaemon() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "package builds " + JAR);
        fixture = DaemonFixture.in("thin");
        dir = fixture.dir;
        data = fixture.data;
        fixture.token("a-token-the-thin-cli-never-uses-0123").start();
        http = fixture.http();
        // ACI files in the test's directory, NAME.aci, not stored: run takes the file
        fixture.aci("exit7", "[\"/bin/sh\", \"-c\", \"echo hello from $AC_APP_NAME; echo to stderr >&2; exit 7\"]");
        fixture.aci("sleeper", "[\"/bin/sleep\", \"600\"]");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** One rkj process: exit code, stdout, stderr, and whether it ran the command itself. */
    record Run(int code, String out, String err, boolean inProcess) {
        @Override
        public String toString() {
            return "exit " + code + (inProcess ? " (in-process)" : " (through the daemon)") + "\nstdout: " + out
                    + "\nstderr: " + err;
        }
    }

    /** {@code rkj args...} as the {@code n}th process: the jar, whose classes are logged to {@code classes-n.log}. */
    List<String> command(int n, String... args) {
        List<String> command = new ArrayList<>(java(n));
        command.addAll(List.of(args));
        return command;
    }

    /** The JVM running the jar, logging the classes it loads. */
    final List<String> java(int n) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load:file=" + dir.resolve("classes-" + n + ".log"), "-jar", JAR.toString());
    }

    private Process start(Map<String, String> env, String... args) throws Exception {
        int n = ++runs;
        ProcessBuilder builder = new ProcessBuilder(command(n, args)).directory(dir.toFile())
                .redirectOutput(dir.resolve("out-" + n).toFile()).redirectError(dir.resolve("err-" + n).toFile());
        builder.environment().put("RKJ_SOCKET", fixture.daemon().socket.toString());
        builder.environment().put("RKJ_DIR", data.toString());
        builder.environment().putAll(env);
        return builder.start();
    }

    private Run finish(Process p) throws Exception {
        int n = runs;
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "rkj did not finish");
        Path log = dir.resolve("classes-" + n + ".log");
        String classes = Files.exists(log) ? Files.readString(log) : ""; // no log: no JVM ran (the native client)
        return new Run(p.exitValue(), Files.readString(dir.resolve("out-" + n)), Files.readString(dir.resolve("err-" + n)),
                classes.contains("dev.rkj.api.InProcess ") || classes.contains("picocli.CommandLine "));
    }

    private Run rkj(String... args) throws Exception {
        return finish(start(Map.of(), args));
    }

    private Run inProcess(String... args) throws Exception {
        return finish(start(Map.of("RKJ_SOCKET", dir.resolve("no-daemon.sock").toString()), args));
    }

    @Test
    void readsThroughTheDaemonAnswerAsInProcessAndLoadNeitherPicocliNorChronicle() throws Exception {
        Http.Reply fetched = http.post("/v1/images", "{\"path\":\"" + dir.resolve("exit7.aci") + "\",\"insecureOptions\":[\"image\"]}");
        assertEquals(201, fetched.status(), fetched.toString());
        Http.Reply created = http.post("/v1/pods", "{\"image\":\"" + fetched.json().get("id").asText() + "\",\"start\":true,"
                + "\"insecureOptions\":[\"image\"],\"net\":\"none\"}");
        assertEquals(201, created.status(), created.toString());
        String pod = created.json().get("name").asText();
        await().atMost(Duration.ofMinutes(2)).until(() -> "exited".equals(http.get("/v1/pods/" + pod).json().get("state").asText()));
        for (String[] command : List.of(new String[] {"list", "--format=json"}, new String[] {"status", pod},
                new String[] {"image", "list", "--format=json"}, new String[] {"list", "--full", "--no-legend"})) {
            Run thin = rkj(command);
            Run local = inProcess(command);
            assertFalse(thin.inProcess(), thin.toString());
            assertTrue(local.inProcess(), local.toString());
            assertEquals(0, thin.code(), thin.toString());
            assertEquals(local.out(), thin.out(), String.join(" ", command));
            assertEquals(local.err(), thin.err(), String.join(" ", command));
        }
        Path log = dir.resolve("classes-" + (runs - 1) + ".log");
        String classes = Files.exists(log) ? Files.readString(log) : "";
        for (String heavy : List.of("picocli.", "net.openhft.", "com.fasterxml.jackson.", "ch.qos.logback.", "io.vertx.")) {
            assertFalse(classes.contains("] " + heavy), "the thin client loaded " + heavy + "*");
        }
    }

    @Test
    void runThroughTheDaemonPrintsTheAppsOutputAndExitsWithItsStatusTakingARelativeImagePath() throws Exception {
        Run r = rkj("run", "--net=none", "--insecure-options=image", "./exit7.aci");
        assertFalse(r.inProcess(), r.toString());
        assertEquals(7, r.code(), r.toString());
        assertEquals("hello from exit7\n", r.out(), r.toString());
        assertEquals("to stderr\n", r.err(), r.toString());
    }

    @Test
    void detachPrintsTheUuidAndThePodRunsOn() throws Exception {
        Run r = rkj("run", "--net=none", "--detach", "--insecure-options=image", "sleeper.aci");
        assertFalse(r.inProcess(), r.toString());
        assertEquals(0, r.code(), r.toString());
        String uuid = r.out().strip();
        assertTrue(uuid.matches("[0-9a-f-]{36}"), r.toString());
        Run status = rkj("status", uuid);
        assertTrue(status.out().contains("state=running"), status.toString());
        Run stop = rkj("stop", "--force", uuid);
        assertEquals(0, stop.code(), stop.toString());
        assertTrue(rkj("status", uuid).out().contains("state=exited"));
    }

    @Test
    void detachInProcessLeavesAPodThatOutlivesTheCommandAndWhoseEndReadsRecord() throws Exception {
        Path other = Files.createDirectories(dir.resolve("detached-data"));
        Map<String, String> env = Map.of("RKJ_DIR", other.toString());
        Run sleeper = finish(start(env, "run", "--net=none", "-d", "--insecure-options=image", "./sleeper.aci"));
        assertTrue(sleeper.inProcess(), sleeper.toString());
        assertEquals(0, sleeper.code(), sleeper.toString());
        String uuid = sleeper.out().strip();
        Run status = finish(start(env, "status", uuid));
        assertTrue(status.out().contains("state=running"), status.toString());
        Run exit7 = finish(start(env, "run", "--net=none", "--detach", "--insecure-options=image", "./exit7.aci"));
        assertEquals("", exit7.err(), exit7.toString()); // the app's output is in its log, not on the terminal
        String ended = exit7.out().strip();
        Run waited = finish(start(env, "status", "--wait=2m", ended));
        assertTrue(waited.out().contains("state=exited"), waited.toString());
        assertTrue(finish(start(env, "logs", ended)).out().contains("hello from exit7"));
        assertEquals(0, finish(start(env, "stop", "--force", uuid)).code());
        Run rm = finish(start(env, "rm", uuid, ended));
        assertEquals(0, rm.code(), rm.toString());
    }

    @Test
    void ctrlCOfTheClientStopsThePod() throws Exception {
        java.util.Set<String> before = running();
        Process client = start(Map.of(), "run", "--net=none", "--insecure-options=image", "./sleeper.aci");
        String[] pod = new String[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            java.util.Set<String> now = running();
            now.removeAll(before);
            pod[0] = now.isEmpty() ? null : now.iterator().next();
            return pod[0] != null;
        });
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(client.pid())).start().waitFor());
        Run r = finish(client);
        assertFalse(r.inProcess(), r.toString());
        JsonNode state = http.get("/v1/pods/" + pod[0]).json();
        assertEquals("exited", state.get("state").asText(), state.toString());
        assertTrue(r.code() != 0, r.toString());
    }

    @Test
    void aKilledClientLeavesItsPodRunning() throws Exception {
        java.util.Set<String> before = running();
        Process client = start(Map.of(), "run", "--net=none", "--insecure-options=image", "./sleeper.aci");
        String[] pod = new String[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            java.util.Set<String> now = running();
            now.removeAll(before);
            pod[0] = now.isEmpty() ? null : now.iterator().next();
            return pod[0] != null;
        });
        client.destroyForcibly().waitFor();
        // the daemon's command ends (its thread is interrupted), the pod does not
        Run status = rkj("status", pod[0]);
        assertTrue(status.out().contains("state=running"), status.toString());
        assertEquals(200, http.post("/v1/pods/" + pod[0] + "/stop", "{\"force\":true}").status());
    }

    @Test
    void theCliPathIsOnTheSocketOnlyAndTcpStillWantsTheToken() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> tcp = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + fixture.daemon().port + "/v1/cli")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, tcp.statusCode(), tcp.body());
        Http.Reply plain = http.get("/v1/cli"); // no Upgrade: not a CLI session
        assertEquals(426, plain.status(), plain.toString());
    }

    @Test
    void anotherDataDirectoryRunsInProcess() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other-data"));
        Run r = finish(start(Map.of("RKJ_DIR", other.toString()), "list", "--format=json"));
        assertTrue(r.inProcess(), r.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("[]\n", r.out(), r.toString());
        Run flag = rkj("--dir", "other-data", "list", "--format=json"); // relative to the client's directory
        assertTrue(flag.inProcess(), flag.toString());
        assertEquals("[]\n", flag.out(), flag.toString());
    }

    @Test
    void badFlagsGiveTheSameOneLineErrorAnd254ThroughTheDaemon() throws Exception {
        Run thin = rkj("list", "--bogus");
        Run local = inProcess("list", "--bogus");
        assertFalse(thin.inProcess(), thin.toString());
        assertEquals(254, thin.code(), thin.toString());
        assertEquals(local.err(), thin.err());
        assertEquals(1, thin.err().strip().lines().count(), thin.toString());
        Run missing = rkj("run", "--net=none", "--insecure-options=image", "./nothing-here.aci");
        assertEquals(254, missing.code(), missing.toString());
        assertTrue(missing.err().startsWith("rkj: image file " + dir.resolve("nothing-here.aci") + " does not exist"),
                missing.toString());
    }

    private java.util.Set<String> running() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        http.get("/v1/pods?state=running").json().get("pods").forEach(p -> names.add(p.get("name").asText()));
        return names;
    }
}
