package dev.rkj.api.mds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.mds.MdsKey;
import dev.rkj.engine.mds.MdsRegistry;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.PodDir;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.transport.Transport;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata service's routes, on a real server on loopback and its unix socket, asked by a real client. */
class MetadataServiceTest {
    private static final String POD_A = "6f1b2c3d-0000-4000-8000-00000000000a";
    private static final String POD_B = "6f1b2c3d-0000-4000-8000-00000000000b";
    private static final String IMAGE_A = "sha512-" + "a".repeat(128);
    private static final String IMAGE_B = "sha512-" + "b".repeat(128);
    private static final String IMAGE_A_MANIFEST = """
            {"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/web",\
            "annotations":[{"name":"created","value":"by-image"},{"name":"owner","value":"image"}]}""";

    @TempDir
    Path data;

    private Vertx vertx;
    private MetadataService service;
    private HttpClientAgent client;
    private MdsRegistry registry;
    private String tokenA;
    private String tokenB;

    @BeforeEach
    void start() throws Exception {
        Path pods = Files.createDirectories(data.resolve("pods"));
        registry = new MdsRegistry(pods);
        tokenA = registry.register(pod(pods, POD_A, "web", IMAGE_A,
                "[{\"name\":\"ip-address\",\"value\":\"10.1.2.3\"}]", "[{\"name\":\"owner\",\"value\":\"pod\"}]"));
        tokenB = registry.register(pod(pods, POD_B, "db", IMAGE_B, "[]", "[]"));
        Map<String, String> images = Map.of(IMAGE_A, IMAGE_A_MANIFEST, IMAGE_B, "{\"name\":\"example.com/db\"}");
        MetadataService.Sources sources = new MetadataService.Sources(registry, MdsKey.open(data), id -> {
            String json = images.get(id);
            if (json == null) {
                throw new IllegalArgumentException("no image " + id);
            }
            return json;
        });
        vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).withTransport(Transport.EPOLL).build();
        service = await(MetadataService.start(vertx, data.resolve("mds.sock"), 0, sources));
        client = vertx.createHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            await(service.shutdown());
        }
        if (vertx != null) {
            await(vertx.close());
        }
    }

    private static PodDir pod(Path pods, String uuid, String app, String image, String podAnnotations,
                              String appAnnotations) throws Exception {
        PodDir dir = PodDir.of(pods, uuid);
        Files.createDirectories(dir.path());
        Files.writeString(dir.manifest(), """
                {"acKind":"PodManifest","acVersion":"0.8.11","apps":[{"name":"%s","image":{"name":"example.com/%s",\
                "id":"%s"},"annotations":%s}],"annotations":%s}""".formatted(app, app, image, appAnnotations, podAnnotations));
        return dir;
    }

    private record Reply(int status, String type, String body) {
        JsonNode json() throws Exception {
            return Json.mapper().readTree(body);
        }
    }

    private Reply get(String path) throws Exception {
        return send(HttpMethod.GET, path, null, true);
    }

    private Reply post(String path, Map<String, String> form) throws Exception {
        return send(HttpMethod.POST, path, form, true);
    }

    private Reply send(HttpMethod method, String path, Map<String, String> form, boolean flavor) throws Exception {
        RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(service.port())
                .setURI(path);
        return send(options, form, flavor);
    }

    private Reply send(RequestOptions options, Map<String, String> form, boolean flavor) throws Exception {
        if (flavor) {
            options.putHeader(MetadataService.FLAVOR_HEADER, MetadataService.FLAVOR);
        }
        Buffer body = Buffer.buffer();
        if (form != null) {
            options.putHeader("Content-Type", "application/x-www-form-urlencoded");
            body = Buffer.buffer(form.entrySet().stream().map(e -> e.getKey() + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&")));
        }
        Buffer sent = body;
        return await(client.request(options).compose(req -> req.send(sent)).compose(resp -> resp.body()
                .map(b -> new Reply(resp.statusCode(), resp.getHeader("Content-Type"), b.toString(StandardCharsets.UTF_8)))));
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    }

    private String base(String token) {
        return "/" + token + "/acMetadata/v1";
    }

    @Test
    void podEndpointsAnswerThePodOfTheTokenWithTheSpecsContentTypes() throws Exception {
        Reply uuid = get(base(tokenA) + "/pod/uuid");
        assertEquals(new Reply(200, "text/plain; charset=us-ascii", POD_A), uuid);
        Reply manifest = get(base(tokenA) + "/pod/manifest");
        assertEquals(200, manifest.status());
        assertEquals("application/json", manifest.type());
        assertEquals(Files.readString(data.resolve("pods").resolve(POD_A).resolve(PodDir.MANIFEST)), manifest.body());
        Reply annotations = get(base(tokenA) + "/pod/annotations");
        assertEquals("application/json", annotations.type());
        assertEquals(Json.mapper().readTree("[{\"name\":\"ip-address\",\"value\":\"10.1.2.3\"}]"), annotations.json());
        assertEquals(new Reply(200, "text/plain; charset=us-ascii", POD_B), get(base(tokenB) + "/pod/uuid"));
    }

    @Test
    void appEndpointsGiveTheImageAndTheMergedAnnotationsWithThePodManifestWinning() throws Exception {
        assertEquals(new Reply(200, "text/plain; charset=us-ascii", IMAGE_A), get(base(tokenA) + "/apps/web/image/id"));
        assertEquals(new Reply(200, "application/json", IMAGE_A_MANIFEST), get(base(tokenA) + "/apps/web/image/manifest"));
        assertEquals(Json.mapper().readTree("[{\"name\":\"created\",\"value\":\"by-image\"},{\"name\":\"owner\",\"value\":\"pod\"}]"),
                get(base(tokenA) + "/apps/web/annotations").json());
    }

    @Test
    void aTokenReachesOnlyItsOwnPod() throws Exception {
        Reply other = get(base(tokenA) + "/apps/db/image/id");
        assertEquals(404, other.status(), "pod B's app under pod A's token");
        assertTrue(other.body().contains("has no app `db`"), other.body());
        assertFalse(other.body().contains(tokenA), "an answer never echoes the token");
        String guessed = tokenA.substring(0, 42) + (tokenA.endsWith("A") ? "B" : "A");
        assertEquals(403, get(base(guessed) + "/pod/uuid").status());
        assertEquals(403, get(base(POD_A) + "/pod/uuid").status(), "the pod's UUID is no token");
        Reply wrongMethod = send(HttpMethod.POST, base(tokenA) + "/pod/uuid", Map.of(), true);
        assertEquals(405, wrongMethod.status());
        assertEquals("application/problem+json", wrongMethod.type());
        assertEquals(404, get(base(tokenA) + "/pod/secrets").status());
    }

    @Test
    void everyRequestMustSayMetadataFlavorAppContainer() throws Exception {
        Reply bare = send(HttpMethod.GET, base(tokenA) + "/pod/uuid", null, false);
        assertEquals(400, bare.status());
        assertTrue(bare.body().contains("Metadata-Flavor: AppContainer"), bare.body());
    }

    @Test
    void aSignatureVerifiesForItsPodAndContentOnlyAcrossRestarts() throws Exception {
        Reply signed = post(base(tokenA) + "/pod/hmac/sign", Map.of("content", "hello & goodbye"));
        assertEquals(200, signed.status(), signed.body());
        assertEquals("text/plain; charset=us-ascii", signed.type());
        String signature = signed.body();
        assertEquals(88, signature.length(), "base64 of 64 bytes of HMAC-SHA512");
        Map<String, String> good = Map.of("content", "hello & goodbye", "uuid", POD_A, "signature", signature);
        assertEquals(200, post(base(tokenB) + "/pod/hmac/verify", good).status(), "another pod verifies it");
        assertEquals(403, post(base(tokenB) + "/pod/hmac/verify",
                Map.of("content", "hello & goodbye!", "uuid", POD_A, "signature", signature)).status(), "tampered content");
        assertEquals(403, post(base(tokenB) + "/pod/hmac/verify",
                Map.of("content", "hello & goodbye", "uuid", POD_B, "signature", signature)).status(), "another pod's uuid");
        assertNotEquals(signature, post(base(tokenB) + "/pod/hmac/sign", Map.of("content", "hello & goodbye")).body());
        assertEquals(400, post(base(tokenB) + "/pod/hmac/verify",
                Map.of("content", "x", "uuid", "not-a-uuid", "signature", signature)).status());
        assertEquals(400, post(base(tokenA) + "/pod/hmac/sign", Map.of()).status(), "no content");

        await(service.shutdown());
        service = await(MetadataService.start(vertx, data.resolve("mds.sock"), 0,
                new MetadataService.Sources(registry, MdsKey.open(data), id -> "{}")));
        assertEquals(200, post(base(tokenB) + "/pod/hmac/verify", good).status(), "the key outlives the service");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(MdsKey.FILE))));
    }

    @Test
    void registrationsAreFreshTokensInThePodDirectoryReadableByRootAlone() throws Exception {
        Path file = data.resolve("pods").resolve(POD_A).resolve(MdsRegistry.TOKEN_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(43, tokenA.length(), "256 bits in base64url");
        String again = registry.register(PodDir.of(data.resolve("pods"), POD_A));
        assertNotEquals(tokenA, again);
        assertEquals(403, get(base(tokenA) + "/pod/uuid").status(), "a replaced token is void");
        assertEquals(200, get(base(again) + "/pod/uuid").status());
        Files.delete(file);
        assertEquals(403, get(base(again) + "/pod/uuid").status(), "a pod gone (or unregistered) is not served");
    }

    @Test
    void theUnixSocketServesTheSame() throws Exception {
        RequestOptions options = new RequestOptions().setServer(SocketAddress.domainSocketAddress(
                data.resolve("mds.sock").toString())).setHost("localhost").setURI(base(tokenA) + "/pod/uuid");
        assertEquals(new Reply(200, "text/plain; charset=us-ascii", POD_A), send(options, null, true));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("mds.sock"))));
    }
}
