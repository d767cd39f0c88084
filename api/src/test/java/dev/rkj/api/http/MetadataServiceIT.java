package dev.rkj.api.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.engine.mds.MdsEndpoint;
import dev.rkj.engine.mds.MdsKey;
import dev.rkj.engine.mds.MdsRegistry;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.run.MdsPolicy;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pod's app reaches its own pod's metadata, and only its own, over {@code AC_METADATA_URL}: a real
 * {@code rkj metadata-service} process, pods registered by a real engine, busybox {@code wget} in the
 * pod. With {@code --net=none} or {@code --net=default} (a CNI bridge) the request goes through stage1's
 * relay to the service's unix socket;
 * with {@code --net=host} to the service's loopback port. And {@code rkj daemon} serves it too.
 */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetadataServiceIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    /** The probe: each line {@code key=value}, what the app got from the service. */
    private static final String PROBE = """
            H="Metadata-Flavor: AppContainer"
            u="$AC_METADATA_URL/acMetadata/v1"
            get() { busybox wget -q -O- --header "$H" "$@"; }
            uuid=$(get "$u/pod/uuid")
            echo "uuid=$uuid"
            echo "imageid=$(get "$u/apps/$AC_APP_NAME/image/id")"
            echo "manifestmd5=$(get "$u/pod/manifest" | busybox md5sum)"
            echo "imagemanifest=$(get "$u/apps/$AC_APP_NAME/image/manifest" | tr -d '\\n')"
            echo "podannotations=$(get "$u/pod/annotations" | tr -d '\\n')"
            echo "appannotations=$(get "$u/apps/$AC_APP_NAME/annotations" | tr -d '\\n')"
            sig=$(get --post-data "content=hello+pod" "$u/pod/hmac/sign")
            echo "sig=$sig"
            enc=$(echo -n "$sig" | busybox sed 's/+/%2B/g; s/\\//%2F/g; s/=/%3D/g')
            get --post-data "content=hello+pod&uuid=$uuid&signature=$enc" "$u/pod/hmac/verify" >/dev/null \\
                && echo verify=ok || echo verify=refused
            get --post-data "content=hello+pot&uuid=$uuid&signature=$enc" "$u/pod/hmac/verify" >/dev/null \\
                && echo tampered=ok || echo tampered=refused
            get "$u/apps/$OTHER_APP/image/id" >/dev/null && echo otherapp=leaked || echo otherapp=refused
            get "$GUESSED/acMetadata/v1/pod/uuid" >/dev/null && echo guessed=leaked || echo guessed=refused
            busybox wget -q -O- "$u/pod/uuid" >/dev/null && echo noflavor=ok || echo noflavor=refused
            """;

    private Path dir;
    private Path data;
    private MdsEndpoint endpoint;
    private Process service;
    private ChronicleJournal journal;
    private ImageStore store;
    private Engine engine;
    private String probeImage;
    private String otherImage;

    @BeforeAll
    void start() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("mds");
        data = Files.createDirectories(dir.resolve("data"));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        endpoint = new MdsEndpoint(dir.resolve("mds.sock"), port);
        Path probe = DaemonFixture.aci(dir, "mds-probe", "[\"/bin/sh\", \"-c\", " + Json.mapper().writeValueAsString(PROBE) + "]",
                "[{\"name\": \"owner\", \"value\": \"image\"}, {\"name\": \"tier\", \"value\": \"probe\"}]");
        Path other = DaemonFixture.aci(dir, "mds-other", "[\"/bin/true\"]", "[]");
        service = startService();
        journal = ChronicleJournal.open(data.resolve("journal"), EngineEvents.registry());
        store = ImageStore.open(data.resolve(ImageStore.DIRECTORY), journal);
        probeImage = store.fetch(probe).id().toString();
        otherImage = store.fetch(other).id().toString();
        engine = HostEngine.open(data, journal, store, new Stage1Launcher.Output(dir.resolve("stage1.out"),
                dir.resolve("stage1.err")), true, null, new MdsPolicy(endpoint, spec -> true));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (engine != null) {
                for (PodState pod : engine.list()) {
                    if (pod.status() == PodStatus.RUNNING) {
                        Engine.await(engine.stop(pod.podId(), true), WAIT);
                        Engine.await(engine.awaitStatus(pod.podId(), s -> s.status().isFinished(), WAIT), WAIT);
                    }
                }
                Engine.await(engine.gc(Duration.ZERO, Duration.ZERO, false), WAIT);
                engine.close();
            }
        } finally {
            if (journal != null) {
                journal.close();
            }
            if (service != null) {
                service.destroy();
                if (!service.waitFor(1, TimeUnit.MINUTES)) {
                    service.destroyForcibly();
                }
            }
            if (dir != null) {
                TestRun.deleteTree(dir);
            }
            new Cgroups(LinuxKernel.get(), CgroupLayout.detect(), HostEngine.CGROUP_PARENT).removeParentIfEmpty();
        }
    }

    @Test
    void anAppOfAPrivateNetworkReachesItsPodsMetadataThroughStage1AndNothingElse() throws Exception {
        probeReachesOnlyItsOwnPod(PodSpec.NetMode.NONE);
    }

    @Test
    void anAppOfABridgeNetworkReachesItsPodsMetadataThroughStage1() throws Exception {
        Privileged.require(Files.isExecutable(Path.of("/usr/lib/cni/bridge")),
                "the CNI plugins are not installed (apt-get install containernetworking-plugins)");
        probeReachesOnlyItsOwnPod(PodSpec.NetMode.DEFAULT); // --net=default: eth0 on the rkj0 bridge, and lo
    }

    @Test
    void anAppOfTheHostsNetworkReachesItsPodsMetadataOnTheServicesLoopbackPort() throws Exception {
        probeReachesOnlyItsOwnPod(PodSpec.NetMode.HOST);
    }

    @Test
    void aPodRegisteredWhileNoServiceRunsStartsAndIsServedByTheNextService() throws Exception {
        service.destroy();
        assertTrue(service.waitFor(1, TimeUnit.MINUTES));
        String pod;
        try {
            pod = run(new PodSpec(otherImage, "/bin/sh", List.of("-c", "busybox wget -q -O- --header"
                    + " 'Metadata-Flavor: AppContainer' $AC_METADATA_URL/acMetadata/v1/pod/uuid && echo reached=yes"
                    + " || echo reached=no"), Map.of(), null, PodSpec.NetMode.NONE, null, null, false,
                    Set.of(PodSpec.InsecureOption.IMAGE)));
        } finally {
            service = startService();
        }
        assertEquals(0, exitCode(pod));
        assertEquals("no", output(pod, "mds-other").get("reached"), "the relay closes a connection it cannot pass on");
        String token = Files.readString(PodDir.of(data.resolve("pods"), pod).path().resolve(MdsRegistry.TOKEN_FILE)).strip();
        HttpResponse<String> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                endpoint.url(token) + "/acMetadata/v1/pod/uuid")).header("Metadata-Flavor", "AppContainer").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, got.statusCode(), got.body());
        assertEquals(pod, got.body(), "the new service serves the pod registered before it ran");
    }

    @Test
    void theDaemonServesItTooOnTheEndpointPodsAreTold() throws Exception {
        try (DaemonFixture fixture = DaemonFixture.in("mds-daemon").start()) {
            Pattern serving = Pattern.compile("serving the metadata service on unix:(\\S+) and 127\\.0\\.0\\.1:(\\d+)");
            Matcher[] line = new Matcher[1];
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                line[0] = serving.matcher(Files.readString(fixture.daemon().stderr));
                return line[0].find();
            });
            assertTrue(Path.of(line[0].group(1)).startsWith(fixture.dir), "the test daemon's, not the host's: " + line[0].group(1));
            String uuid = UUID.randomUUID().toString();
            PodDir pod = PodDir.of(Files.createDirectories(fixture.data.resolve("pods")), uuid);
            Files.createDirectories(pod.path());
            Files.writeString(pod.manifest(), "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[]}");
            String token = new MdsRegistry(fixture.data.resolve("pods")).register(pod);
            HttpResponse<String> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + line[0].group(2) + "/" + token + "/acMetadata/v1/pod/uuid"))
                    .header("Metadata-Flavor", "AppContainer").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, got.statusCode(), got.body());
            assertEquals(uuid, got.body());
        }
    }

    /**
     * The issue's own example, end to end through the CLI and the daemon: {@code rkj run --volume
     * database,kind=empty --mds-register IMG1 --mount ... IMG2 --mount ...}. The first app asks the
     * metadata service for its pod's uuid and writes it to the shared empty volume; the second app
     * reads it from there.
     */
    @Test
    void twoImagesSharingAnEmptyVolumeAndRegisteredRunEndToEndThroughTheCli() throws Exception {
        try (DaemonFixture fixture = DaemonFixture.in("mds-e2e").start()) {
            Path writer = DaemonFixture.aci(fixture.dir, "db-writer", Json.mapper().writeValueAsString(List.of("/bin/sh", "-c",
                    "busybox wget -q -O- --header 'Metadata-Flavor: AppContainer' \"$AC_METADATA_URL/acMetadata/v1/pod/uuid\""
                            + " > /db/uuid.tmp && busybox mv /db/uuid.tmp /db/uuid")), "[]");
            Path reader = DaemonFixture.aci(fixture.dir, "db-reader", Json.mapper().writeValueAsString(List.of("/bin/sh", "-c",
                    "i=0; while [ ! -s /db/uuid ] && [ $i -lt 600 ]; do busybox sleep 0.1; i=$((i+1)); done;"
                            + " echo \"reader=$(busybox cat /db/uuid)\"")), "[]");
            Path out = fixture.dir.resolve("run.out");
            Path err = fixture.dir.resolve("run.err");
            ProcessBuilder run = new ProcessBuilder(DaemonProcess.rkj(fixture.data, "run", "--net=none", "--insecure-options=image",
                    "--volume", "database,kind=empty", "--mds-register",
                    writer.toString(), "--mount", "volume=database,target=/db",
                    reader.toString(), "--mount", "volume=database,target=/db"))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            run.environment().put("RKJ_SOCKET", fixture.daemon().socket.toString());
            Process process = run.start();
            assertTrue(process.waitFor(3, TimeUnit.MINUTES), "rkj run did not finish");
            assertEquals(0, process.exitValue(), () -> "rkj run: " + read(err) + read(out));
            Http.Reply pods = fixture.http().get("/v1/pods");
            assertEquals(200, pods.status(), pods.toString());
            assertEquals(1, pods.json().get("pods").size(), pods.toString());
            String uuid = pods.json().get("pods").get(0).get("name").asText();
            assertTrue(read(out).contains("reader=" + uuid), () -> "the reader got the writer's uuid " + uuid + ": " + read(out)
                    + read(err));
            assertTrue(read(err).isEmpty() || !read(err).contains("warning: app"), read(err));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(" + file + ": " + e.getMessage() + ")";
        }
    }

    private void probeReachesOnlyItsOwnPod(PodSpec.NetMode net) throws Exception {
        String other = run(otherImage, net, Map.of());
        assertEquals(0, exitCode(other));
        byte[] guess = new byte[32];
        new SecureRandom().nextBytes(guess);
        String guessed = endpoint.url(Base64.getUrlEncoder().withoutPadding().encodeToString(guess));
        String pod = run(probeImage, net, Map.of("OTHER_APP", "mds-other", "GUESSED", guessed,
                "PADDING", "p".repeat(100_000))); // in the pod manifest: more than the relay buffers at once
        assertEquals(0, exitCode(pod), () -> "the probe failed: " + output(pod));
        Map<String, String> got = output(pod);

        assertEquals(pod, got.get("uuid"));
        assertNotEquals(other, got.get("uuid"));
        assertEquals(probeImage, got.get("imageid"));
        byte[] manifest = Files.readAllBytes(PodDir.of(data.resolve("pods"), pod).manifest());
        assertTrue(manifest.length > 100_000, "bigger than the relay's buffers: " + manifest.length);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(manifest)) + "  -",
                got.get("manifestmd5"), "the whole pod manifest, byte for byte");
        assertEquals(Json.mapper().readTree(store.get(dev.rkj.engine.appc.ImageId.parse(probeImage)).manifestJson()),
                Json.mapper().readTree(got.get("imagemanifest")));
        assertEquals(Json.mapper().createArrayNode(), Json.mapper().readTree(got.get("podannotations")));
        assertEquals(Json.mapper().readTree("[{\"name\":\"owner\",\"value\":\"image\"},{\"name\":\"tier\",\"value\":\"probe\"}]"),
                Json.mapper().readTree(got.get("appannotations")));
        assertTrue(MdsKey.open(data).verify(UUID.fromString(pod), "hello pod".getBytes(StandardCharsets.UTF_8), got.get("sig")),
                "the pod's signature is its own: " + got.get("sig"));
        assertEquals("ok", got.get("verify"));
        assertEquals("refused", got.get("tampered"));
        assertEquals("refused", got.get("otherapp"), "another pod's app under the pod's own token");
        assertEquals("refused", got.get("guessed"), "a guessed token");
        assertEquals("refused", got.get("noflavor"), "a request without Metadata-Flavor");
    }

    private String run(String image, PodSpec.NetMode net, Map<String, String> env) throws Exception {
        return run(new PodSpec(image, null, List.of(), env, null, net, null, null, false,
                Set.of(PodSpec.InsecureOption.IMAGE)));
    }

    private String run(PodSpec spec) throws Exception {
        String pod = Engine.await(engine.createPod(spec, true), WAIT);
        Engine.await(engine.awaitStatus(pod, s -> s.status().isFinished(), WAIT), WAIT);
        return pod;
    }

    private Integer exitCode(String pod) throws Exception {
        return engine.pod(pod).exitCode();
    }

    /** The app's stdout lines {@code key=value}, from its log (CRI records: time, stream, tag, text). */
    private Map<String, String> output(String pod) {
        return output(pod, "mds-probe");
    }

    private Map<String, String> output(String pod, String app) {
        Map<String, String> got = new LinkedHashMap<>();
        try {
            for (String record : Files.readAllLines(PodDir.of(data.resolve("pods"), pod).log(app))) {
                String[] f = record.split(" ", 4);
                if (f.length == 4 && f[3].contains("=")) {
                    got.put(f[3].substring(0, f[3].indexOf('=')), f[3].substring(f[3].indexOf('=') + 1));
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("no log of pod " + pod + ": " + e.getMessage(), e);
        }
        return got;
    }

    /** {@code rkj metadata-service} in a child JVM, serving once it says so. */
    private Process startService() throws Exception {
        List<String> command = DaemonProcess.rkj(data, "metadata-service", "--socket", endpoint.socket().toString(),
                "--port", Integer.toString(endpoint.port()));
        Path err = dir.resolve("mds.err");
        Process process = new ProcessBuilder(command).redirectOutput(dir.resolve("mds.out").toFile())
                .redirectError(err.toFile()).start();
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("rkj metadata-service exited with " + process.exitValue() + ": "
                            + Files.readString(err));
                }
                return Files.readString(err).contains("serving the metadata");
            });
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
        return process;
    }
}
