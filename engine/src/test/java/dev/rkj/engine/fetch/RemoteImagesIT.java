package dev.rkj.engine.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.image.AciWriter;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.image.ManifestValidator;
import dev.rkj.engine.store.ImageOrigin;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.eventlog.InMemoryJournal;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetching over real HTTPS (a self-signed certificate made here) and HTTP servers on loopback:
 * discovery, cache headers, resumption, redirects, refusals and errors. No root needed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a guard against a hang, not a measure
class RemoteImagesIT {
    private static Vertx vertx;
    private static HttpServer https;
    private static HttpServer http;
    /** Path (with query) → body, for the current test. */
    private static final Map<String, Buffer> FILES = new ConcurrentHashMap<>();
    private static final Map<String, String> HEADERS = new ConcurrentHashMap<>();
    private static final List<String> REQUESTS = new CopyOnWriteArrayList<>();
    private static final AtomicLong BYTES_SERVED = new AtomicLong();
    private static final AtomicInteger DROPS = new AtomicInteger();

    @TempDir
    Path dir;
    private ImageStore store;

    @BeforeAll
    static void servers() throws Exception {
        vertx = Vertx.vertx();
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        https = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
                .requestHandler(RemoteImagesIT::serve).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        http = vertx.createHttpServer().requestHandler(RemoteImagesIT::serve).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void clean() throws Exception {
        FILES.clear();
        HEADERS.clear();
        REQUESTS.clear();
        BYTES_SERVED.set(0);
        DROPS.set(0);
        store = ImageStore.open(dir.resolve("cas"), new InMemoryJournal(EngineEvents.registry()));
    }

    /** Serves FILES; honours If-None-Match and Range; "drop" headers cut the body midway once. */
    private static void serve(HttpServerRequest req) {
        String key = req.uri();
        REQUESTS.add(req.method() + " " + key + (req.getHeader("Range") != null ? " " + req.getHeader("Range") : "")
                + (req.getHeader("If-None-Match") != null ? " if-none-match" : ""));
        if (HEADERS.containsKey(key + " location")) {
            req.response().setStatusCode(302).putHeader("Location", HEADERS.get(key + " location")).end();
            return;
        }
        Buffer body = FILES.get(key);
        if (body == null) {
            req.response().setStatusCode(404).end("no " + key);
            return;
        }
        String etag = HEADERS.get(key + " etag");
        if (etag != null) {
            req.response().putHeader("ETag", etag);
            if (etag.equals(req.getHeader("If-None-Match"))) {
                req.response().setStatusCode(304).end();
                return;
            }
        }
        if (HEADERS.containsKey(key + " cache-control")) {
            req.response().putHeader("Cache-Control", HEADERS.get(key + " cache-control"));
        }
        String range = req.getHeader("Range");
        if (range != null && etag != null && etag.equals(req.getHeader("If-Range"))) {
            int from = Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
            Buffer rest = body.slice(from, body.length());
            BYTES_SERVED.addAndGet(rest.length());
            req.response().setStatusCode(206).putHeader("Content-Range", "bytes " + from + "-" + (body.length() - 1)
                    + "/" + body.length()).end(rest);
            return;
        }
        if (HEADERS.containsKey(key + " drop") && DROPS.getAndIncrement() == 0) {
            Buffer half = body.slice(0, body.length() / 2);
            BYTES_SERVED.addAndGet(half.length());
            req.response().putHeader("Content-Length", String.valueOf(body.length()));
            req.response().write(half).onComplete(v -> req.connection().close());
            return;
        }
        BYTES_SERVED.addAndGet(body.length());
        req.response().end(body);
    }

    private static String base(HttpServer server, String scheme) {
        return scheme + "://127.0.0.1:" + server.actualPort();
    }

    private RemoteImages remote() {
        HttpDownloader downloader = new HttpDownloader();
        // an appc name cannot carry a port: point discovery of "example.com/..." at the loopback servers
        Discovery discovery = new Discovery(downloader, (scheme, prefix) -> URI.create(
                base(scheme.equals("https") ? https : http, scheme) + "/" + prefix + "?ac-discovery=1"));
        return new RemoteImages(store, downloader, discovery, Clock.systemUTC());
    }

    private static RemoteImages.Options options(PullPolicy policy, boolean allowHttp, boolean insecureTls) {
        return new RemoteImages.Options(policy, allowHttp, insecureTls, null, FetchProgress.NONE);
    }

    /** An ACI of {@code name} with {@code labels} and {@code size} random bytes, as bytes. */
    private Buffer aci(String name, Map<String, String> labels, int size) throws Exception {
        Path image = Files.createDirectories(dir.resolve("img-" + REQUESTS.size() + "-" + System.nanoTime()));
        Files.writeString(image.resolve("manifest"), TestImages.imageManifestJson(name, labels, "/bin/true"));
        Files.createDirectories(image.resolve("rootfs"));
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Files.write(image.resolve("rootfs/data"), data);
        Path aci = image.resolveSibling(image.getFileName() + ".aci");
        new AciWriter(ManifestValidator.jsonObject()).write(image, aci, Compression.NONE);
        return Buffer.buffer(Files.readAllBytes(aci));
    }

    private static String sha512(Buffer b) throws Exception {
        return "sha512-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(b.getBytes()));
    }

    @Test
    void discoveryWalksUpUsesOnlyKnownTemplatesDefaultsTheVersionAndFetchesImageAndSignature() throws Exception {
        String page = Files.readString(Path.of("src/test/resources/discovery/walk-up.html"))
                .replace("HTTPS", base(https, "https")).replace("HTTP", base(http, "http"));
        FILES.put("/example.com?ac-discovery=1", Buffer.buffer(page));
        Buffer image = aci("example.com/group/app", Map.of("version", "1.0", "channel", "stable"), 4096);
        FILES.put("/images/example.com/group/app-latest-linux-" + Discovery.hostArch() + "-stable.aci", image);
        FILES.put("/images/example.com/group/app-latest-linux-" + Discovery.hostArch() + "-stable.aci.asc",
                Buffer.buffer("-----BEGIN PGP SIGNATURE-----\n"));

        try (RemoteImages remote = remote()) {
            RemoteImages.Fetched fetched = remote.fetch("example.com/group/app,channel=stable",
                    options(PullPolicy.NEW, false, true));

            assertTrue(fetched.downloaded());
            ImageOrigin origin = fetched.image().origin().orElseThrow();
            assertEquals("example.com/group/app,channel=stable", origin.discoveredAs());
            assertEquals(base(https, "https") + "/images/{name}-{version}-{os}-{arch}-{channel}.{ext}", origin.template());
            assertTrue(origin.url().endsWith("-stable.aci"), origin.url());
            assertEquals(origin.url() + ".asc", origin.signatureUrl());
            assertEquals(sha512(image), origin.blobDigest());
            assertEquals(origin.url(), fetched.image().source());
            assertEquals(List.of("GET /example.com/group/app?ac-discovery=1", "GET /example.com/group?ac-discovery=1",
                    "GET /example.com?ac-discovery=1"), REQUESTS.subList(0, 3), "walked up the name's path");
            assertTrue(REQUESTS.stream().noneMatch(r -> r.contains("flavour") || r.contains("plain")),
                    "a template with an unknown variable, and plain HTTP, are not used: " + REQUESTS);

            assertEquals(List.of(URI.create(base(https, "https") + "/pubkeys.gpg")),
                    remote.discovery().pubkeys("example.com/group/app", false, true));

            RemoteImages.Fetched again = remote.fetch("example.com/group/app,channel=stable",
                    options(PullPolicy.NEW, false, true));
            assertFalse(again.downloaded(), "pull policy new takes the stored image");
            assertEquals(fetched.image().id(), again.image().id());

            FetchException never = assertThrows(FetchException.class, () -> remote.fetch("example.com/other",
                    options(PullPolicy.NEVER, false, true)));
            assertTrue(never.getMessage().contains("--pull-policy=never"), never.getMessage());
        }
    }

    @Test
    void aManifestThatDoesNotMatchTheDiscoveredLabelsIsRefusedAndNotKept() throws Exception {
        String page = Files.readString(Path.of("src/test/resources/discovery/walk-up.html"))
                .replace("HTTPS", base(https, "https")).replace("HTTP", base(http, "http"));
        FILES.put("/example.com?ac-discovery=1", Buffer.buffer(page));
        FILES.put("/images/example.com/app-2.0-linux-" + Discovery.hostArch() + "-stable.aci",
                aci("example.com/app", Map.of("version", "1.0"), 10));
        try (RemoteImages remote = remote()) {
            FetchException e = assertThrows(FetchException.class, () -> remote.fetch("example.com/app:2.0,channel=stable",
                    options(PullPolicy.NEW, false, true)));
            assertTrue(e.getMessage().contains("version=1.0"), e.getMessage());
            assertTrue(store.list().isEmpty(), "nothing kept");
        }
    }

    @Test
    void plainHttpAndSelfSignedCertificatesAreRefusedUnlessAsked() throws Exception {
        FILES.put("/a.aci", aci("example.com/a", Map.of(), 10));
        try (RemoteImages remote = remote()) {
            FetchException tls = assertThrows(FetchException.class, () -> remote.fetch(base(https, "https") + "/a.aci",
                    options(PullPolicy.NEW, false, false)));
            assertTrue(tls.getMessage().contains("--insecure-options=tls"), tls.getMessage());
            FetchException plain = assertThrows(FetchException.class, () -> remote.fetch(base(http, "http") + "/a.aci",
                    options(PullPolicy.NEW, false, false)));
            assertTrue(plain.getMessage().contains("--insecure-options=http"), plain.getMessage());
            assertTrue(REQUESTS.isEmpty() || REQUESTS.stream().noneMatch(r -> r.startsWith("GET /a.aci")),
                    "plain HTTP is not even tried: " + REQUESTS);
            FILES.put("/example.com/a.aci", FILES.get("/a.aci"));
            FILES.put("/example.com/a?ac-discovery=1", Buffer.buffer("<meta name=\"ac-discovery\" content=\"example.com "
                    + base(http, "http") + "/{name}.{ext}\">"));
            FetchException discovered = assertThrows(FetchException.class, () -> remote.fetch("example.com/a",
                    options(PullPolicy.NEW, false, true)));
            assertTrue(discovered.getMessage().contains("--insecure-options=http"), discovered.getMessage());

            RemoteImages.Fetched allowed = remote.fetch("example.com/a", options(PullPolicy.NEW, true, true));
            assertTrue(allowed.downloaded());
            assertNull(allowed.image().origin().orElseThrow().signatureUrl(), "no .asc on the server: none kept");
        }
    }

    @Test
    void anETagMakesTheSecondFetchOneConditionalRequestAndMaxAgeNone() throws Exception {
        Buffer image = aci("example.com/cached", Map.of(), 100_000);
        FILES.put("/etag.aci", image);
        HEADERS.put("/etag.aci etag", "\"v1\"");
        FILES.put("/fresh.aci", image);
        HEADERS.put("/fresh.aci cache-control", "public, max-age=3600");
        try (RemoteImages remote = remote()) {
            String etagUrl = base(https, "https") + "/etag.aci";
            assertTrue(remote.fetch(etagUrl, options(PullPolicy.UPDATE, false, true)).downloaded());
            long served = BYTES_SERVED.get();
            RemoteImages.Fetched second = remote.fetch(etagUrl, options(PullPolicy.UPDATE, false, true));
            assertFalse(second.downloaded());
            assertEquals(served, BYTES_SERVED.get(), "no byte of the image served again");
            assertEquals(List.of("GET /etag.aci", "GET /etag.aci.asc", "GET /etag.aci if-none-match"), REQUESTS);

            REQUESTS.clear();
            String freshUrl = base(https, "https") + "/fresh.aci";
            remote.fetch(freshUrl, options(PullPolicy.UPDATE, false, true));
            remote.fetch(freshUrl, options(PullPolicy.UPDATE, false, true));
            assertEquals(List.of("GET /fresh.aci", "GET /fresh.aci.asc"), REQUESTS, "within max-age: no request");
        }
    }

    @Test
    void anInterruptedDownloadResumesWithRange() throws Exception {
        Buffer image = aci("example.com/big", Map.of(), 1_000_000);
        FILES.put("/big.aci", image);
        HEADERS.put("/big.aci etag", "\"big1\"");
        HEADERS.put("/big.aci drop", "once");
        try (RemoteImages remote = remote()) {
            RemoteImages.Fetched fetched = remote.fetch(base(https, "https") + "/big.aci",
                    options(PullPolicy.NEW, false, true));
            assertEquals(sha512(image), fetched.image().origin().orElseThrow().blobDigest());
            String resumed = REQUESTS.get(1);
            assertTrue(resumed.startsWith("GET /big.aci bytes="), REQUESTS.toString());
            long offset = Long.parseLong(resumed.replaceAll(".*bytes=(\\d+)-", "$1"));
            assertTrue(offset > 0 && offset <= image.length() / 2, "resumed from what arrived: " + offset);
            assertEquals(image.length() / 2 + (image.length() - offset), BYTES_SERVED.get(),
                    "after the drop only the rest was served: " + REQUESTS);
        }
    }

    @Test
    void redirectsAreFollowedAndErrorsNameTheUrlAndWhatToDo() throws Exception {
        FILES.put("/real.aci", aci("example.com/moved", Map.of(), 10));
        HEADERS.put("/moved.aci location", "/real.aci");
        HEADERS.put("/loop.aci location", "/loop.aci");
        try (RemoteImages remote = remote()) {
            ImageRecord moved = remote.fetch(base(https, "https") + "/moved.aci", options(PullPolicy.NEW, false, true)).image();
            assertEquals(base(https, "https") + "/real.aci", moved.origin().orElseThrow().url());

            FetchException loop = assertThrows(FetchException.class, () -> remote.fetch(base(https, "https")
                    + "/loop.aci", options(PullPolicy.NEW, false, true)));
            assertTrue(loop.getMessage().contains("/loop.aci"), loop.getMessage());
            FetchException missing = assertThrows(FetchException.class, () -> remote.fetch(base(https, "https")
                    + "/nothing.aci", options(PullPolicy.NEW, false, true)));
            assertTrue(missing.getMessage().contains("404") && missing.getMessage().contains("/nothing.aci"),
                    missing.getMessage());
            FetchException dns = assertThrows(FetchException.class, () -> remote.fetch("https://no-such-host.invalid/a.aci",
                    options(PullPolicy.NEW, false, true)));
            assertTrue(dns.getMessage().contains("does not resolve"), dns.getMessage());
            assertTrue(store.list().size() == 1, "only the redirected image is stored");
        }
    }
}
