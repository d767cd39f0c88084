package dev.rkj.api.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.api.cli.Cli;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One daemon IT's world: a test directory with a data directory and a 0600 token file, a real
 * {@link DaemonProcess} on it, an {@link Http} client on its socket, images built with the CLI and stored
 * through the API, and the clean-up of all of it in {@link #close()} (running pods force-stopped, gc, the
 * client and the daemon closed, the directory deleted, the cgroup parent removed if empty).
 */
final class DaemonFixture implements AutoCloseable {
    final Path dir;
    final Path data;
    final Path tokenFile;
    private final Map<String, String> images = new HashMap<>();
    private String token;
    private Path socket;
    private String[] more = {};
    private DaemonProcess daemon;
    private Http http;
    private Path keepLog;
    private boolean activated;

    private DaemonFixture(Path dir) throws IOException {
        this.dir = dir;
        this.data = Files.createDirectories(dir.resolve("data"));
        this.tokenFile = dir.resolve("token");
        this.socket = dir.resolve("api.sock");
    }

    /** A fresh test directory {@code name-*} with its data directory; needs root. No daemon yet: see {@link #start}. */
    static DaemonFixture in(String name) throws IOException {
        Privileged.requireRoot();
        return new DaemonFixture(TestRun.newDir(name));
    }

    /** The token file holds {@code token} alone. */
    DaemonFixture token(String token) throws IOException {
        this.token = token;
        return tokenFileText(token + "\n");
    }

    /** The token file holds {@code text} as it is (e.g. named tokens {@code name:secret}). */
    DaemonFixture tokenFileText(String text) throws IOException {
        Files.writeString(tokenFile, text);
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        return this;
    }

    /** The daemon's socket, instead of {@code api.sock} in the test directory. */
    DaemonFixture socket(Path socket) {
        this.socket = socket;
        return this;
    }

    /** The daemon is socket-activated: see {@link DaemonProcess#startActivated}. */
    DaemonFixture socketActivated() {
        this.activated = true;
        return this;
    }

    /** On {@link #close()}, the daemon's stderr is copied to {@code file} (kept for a failure's post-mortem). */
    DaemonFixture keepDaemonLog(Path file) {
        this.keepLog = file;
        return this;
    }

    /** Starts the daemon with {@code more} {@code rkj daemon} options, and the client on its socket. */
    DaemonFixture start(String... more) throws IOException {
        if (!Files.exists(tokenFile)) {
            token("a-token-for-the-test-0123456789abcdef");
        }
        this.more = more.clone();
        daemon = launch();
        http = new Http(daemon.socket);
        return this;
    }

    /** A new daemon with the same options on the same data and socket (the old one is stopped if it still runs). */
    DaemonProcess restart() throws Exception {
        daemon.close();
        daemon = launch();
        return daemon;
    }

    /** As {@link #restart()}, on the TCP port of the daemon it replaces (a browser's page keeps its address). */
    DaemonProcess restartOnSamePort() throws Exception {
        int port = daemon.port;
        daemon.close();
        daemon = DaemonProcess.start(activated, "127.0.0.1:" + port, data, socket, tokenFile, dir.resolve("logs"), more);
        return daemon;
    }

    private DaemonProcess launch() throws IOException {
        return activated ? DaemonProcess.startActivated(data, socket, tokenFile, dir.resolve("logs"), more)
                : DaemonProcess.start(data, socket, tokenFile, dir.resolve("logs"), more);
    }

    DaemonProcess daemon() {
        return daemon;
    }

    Http http() {
        return http;
    }

    /** The token given by {@link #token(String)}. */
    String token() {
        return token;
    }

    /** {@code NAME.aci} in the test directory, built by the CLI from busybox and a manifest running {@code exec}. */
    Path aci(String name, String exec) throws Exception {
        return aci(dir, name, exec, "[]");
    }

    /**
     * {@code NAME.aci} in {@code dir}, built by the CLI from busybox and a manifest named {@code example.com/NAME}
     * running {@code exec} (a JSON array), with {@code annotations} (a JSON array).
     */
    static Path aci(Path dir, String name, String exec, String annotations) throws Exception {
        Path src = dir.resolve("src-" + name);
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "annotations": %s,
                 "app": {"exec": %s, "user": "0", "group": "0"}}
                """.formatted(name, annotations, exec));
        Path aci = dir.resolve(name + ".aci");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute("image", "build", src.toString(), aci.toString());
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return aci;
    }

    /** Builds {@link #aci} and stores it through the API; its id (also {@link #imageId(String)}). */
    String image(String name, String exec) throws Exception {
        return store(name, aci(name, exec));
    }

    /** Stores the ACI {@code aci} through the API as the image of {@code name}; its id. */
    String store(String name, Path aci) {
        Http.Reply fetched = http.post("/v1/images", "{\"path\":\"" + aci + "\",\"insecureOptions\":[\"image\"]}");
        assertEquals(201, fetched.status(), fetched.toString());
        String id = fetched.json().get("id").asText();
        images.put(name, id);
        return id;
    }

    /** The id of the image stored as {@code name}. */
    String imageId(String name) {
        return images.get(name);
    }

    /** The ids of the images stored through this fixture. */
    java.util.Collection<String> imageIds() {
        return images.values();
    }

    /** Creates a pod of the stored image {@code name} ({@code start}ed or only prepared); its id. */
    String run(String name, boolean start) {
        return run(name, ",\"start\":" + start);
    }

    /** Creates a pod of the stored image {@code name} with {@code extra} members of the request ({@code ,"k":v...}); its id. */
    String run(String name, String extra) {
        String net = extra.contains("\"net\"") ? "" : ",\"net\":\"none\""; // the API's default is a CNI bridge
        Http.Reply created = http.post("/v1/pods", "{\"image\":\"" + images.get(name) + "\",\"insecureOptions\":[\"image\"]"
                + net + extra + "}");
        assertEquals(201, created.status(), created.toString());
        return created.json().get("name").asText();
    }

    /** Polls the pod until it is in {@code state}; fails if it ended before. Its last JSON. */
    JsonNode awaitState(String pod, String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Http.Reply r = http.get("/v1/pods/" + pod);
            assertEquals(200, r.status(), r.toString());
            last[0] = r.json();
            String now = last[0].get("state").asText();
            if (!now.equals(state) && (now.equals("aborted prepare") || now.equals("exited"))) {
                throw new AssertionError("pod " + pod + " ended before it was " + state + ": " + r);
            }
            return state.equals(now);
        });
        return last[0];
    }

    @Override
    public void close() throws Exception {
        try {
            if (daemon != null && daemon.process.isAlive()) {
                for (JsonNode pod : http.get("/v1/pods?state=running").json().get("pods")) {
                    http.post("/v1/pods/" + pod.get("name").asText() + "/stop", "{\"force\":true}");
                }
                for (JsonNode pod : http.get("/v1/pods").json().get("pods")) {
                    await().atMost(Duration.ofMinutes(1)).until(() -> !"running".equals(
                            http.get("/v1/pods/" + pod.get("name").asText()).json().path("state").asText()));
                }
                http.post("/v1/pods/gc", "{\"gracePeriod\":\"0s\",\"expirePrepared\":\"0s\"}");
            }
        } finally {
            try {
                if (http != null) {
                    http.close();
                }
                if (daemon != null) {
                    daemon.close();
                    if (keepLog != null) {
                        Files.copy(daemon.stderr, keepLog, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } finally {
                TestRun.deleteTree(dir);
                new Cgroups(LinuxKernel.get(), CgroupLayout.detect(), HostEngine.CGROUP_PARENT).removeParentIfEmpty();
            }
        }
    }
}
