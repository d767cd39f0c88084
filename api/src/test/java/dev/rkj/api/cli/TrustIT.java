package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.engine.trust.TestKeys;
import dev.rkj.engine.trust.TrustStore;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13, item 3, through the command line: keys and signatures made by GnuPG (in a GNUPGHOME
 * of the test's own) and by Bouncy Castle; {@code rkj trust}, {@code rkj fetch} verified by
 * default, each refusal with its own message and nothing new in {@code rkj image list};
 * {@code rkj image verify}; {@code rkj run} of a signed image of a trusted prefix without
 * {@code --insecure-options}.
 */
@ExtendWith(LeakCheck.class)
class TrustIT {
    private Path dir;
    private Path data;
    private Path system;
    private Path gnupg;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("trust");
        data = Files.createDirectories(dir.resolve("data"));
        system = Files.createDirectories(dir.resolve("etc"));
        gnupg = Files.createDirectories(dir.resolve("gnupg"));
        Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (data != null) {
            rkj("gc", "--grace-period=0s", "--expire-prepared=0s");
            // the gpg-agent that signing started for this GNUPGHOME
            new ProcessBuilder("gpgconf", "--homedir", gnupg.toString(), "--kill", "all").inheritIO().start().waitFor();
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
    void gnupgSignedImagesOfATrustedPrefixFetchVerifyAndRunAndBadOnesLeaveNothing() throws Exception {
        Path hello = image("hello", "[\"/bin/sh\", \"-c\", \"echo signed hello\"]");
        Path other = image("other", "[\"/bin/true\"]");
        Path key = gpgKey("Image Signer <signer@example.com>", "signer.asc");
        Path wrongKey = gpgKey("Someone Else <else@example.com>", "else.asc");

        // unsigned: refused, with what to do; nothing stored
        CliRun missing = rkj("fetch", hello.toString());
        assertEquals(254, missing.code());
        assertTrue(missing.oneLineError(), missing.err());
        assertTrue(missing.err().contains("image example.com/hello (" + hello + ") has no signature"), missing.err());

        // a key is trusted only after review: no terminal here, so it must be skipped explicitly
        CliRun noReview = rkj("trust", "--prefix", "example.com", key.toString());
        assertEquals(254, noReview.code());
        assertTrue(noReview.err().contains("then run again with --skip-fingerprint-review"), noReview.err());
        CliRun trusted = rkj("trust", "--skip-fingerprint-review", "--prefix", "example.com", key.toString());
        assertEquals(0, trusted.code(), trusted.err());
        String fpr = gpgFingerprint("signer@example.com");
        assertEquals("Trusted key " + fpr + " for images named example.com or below it\n", trusted.out());
        JsonNode list = Json.mapper().readTree(rkj("trust", "list", "--format=json").out());
        assertEquals(1, list.size());
        assertEquals(fpr, list.get(0).get("fingerprint").asText());
        assertEquals("example.com", list.get(0).get("prefix").asText());
        assertEquals("Image Signer <signer@example.com>", list.get(0).get("userIds").get(0).asText());
        assertTrue(Files.isRegularFile(data.resolve("trust/prefix.d/example.com/" + fpr)));

        // signed by a key nobody trusted; a signature of other bytes (tampered)
        gpgSign("else@example.com", hello);
        CliRun wrong = rkj("fetch", hello.toString());
        assertEquals(254, wrong.code());
        assertTrue(wrong.err().contains("is signed by key " + gpgFingerprint("else@example.com") + ", which is not"
                + " trusted: if you trust its owner to sign example.com/hello, run rkj trust --prefix example.com/hello"),
                wrong.err());
        gpgSign("signer@example.com", other);
        Files.move(other.resolveSibling("other.aci.asc"), hello.resolveSibling("hello.aci.asc"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun tampered = rkj("fetch", hello.toString());
        assertEquals(254, tampered.code());
        assertTrue(tampered.err().contains("the signature of image example.com/hello (" + hello + ") by key " + fpr
                + " does not match the image"), tampered.err());

        // keys made by Bouncy Castle: expired, revoked, revoked signing subkey, no signing flag
        List<String> refusals = new ArrayList<>();
        for (OpenPGPKey bad : List.of(TestKeys.expired("Expired <x@example.com>"),
                TestKeys.revoked(TestKeys.good("Revoked <r@example.com>")),
                TestKeys.certifyOnly("Certifier <c@example.com>"))) {
            Path file = Files.write(dir.resolve("bad.asc"), TestKeys.publicKey(bad));
            assertEquals(0, rkj("trust", "--skip-fingerprint-review", "--prefix", "example.com/hello", file.toString()).code());
            Files.write(hello.resolveSibling("hello.aci.asc"), TestKeys.sign(bad, Files.readAllBytes(hello)));
            CliRun refused = rkj("fetch", hello.toString());
            assertEquals(254, refused.code());
            assertTrue(refused.oneLineError(), refused.err());
            refusals.add(refused.err());
        }
        assertTrue(refusals.get(0).contains(", which expired on "), refusals.get(0));
        assertTrue(refusals.get(1).contains(", which is revoked: do not use the image"), refusals.get(1));
        assertTrue(refusals.get(2).contains("which may not sign data (the key has no signing flag)"), refusals.get(2));
        assertEquals("[]", Json.mapper().readTree(rkj("image", "list", "--format=json").out()).toString(),
                "nothing of a refused image is stored");

        // signed by the trusted GnuPG key: fetched, verified again, run without --insecure-options
        gpgSign("signer@example.com", hello);
        CliRun fetched = rkj("fetch", hello.toString());
        assertEquals(0, fetched.code(), fetched.err());
        String id = fetched.out().strip();
        CliRun verified = rkj("image", "verify", "example.com/hello:1.0.0");
        assertEquals(0, verified.code(), verified.err());
        assertEquals("example.com/hello:1.0.0 (" + id.substring(0, 7 + 32) + "): signed by key " + fpr
                + ", trusted for prefix example.com\n", verified.out());
        assertTrue(rkj("journal", "show", "--json", "--type", "image.stored").out().contains("\"keyFingerprint\":\"" + fpr + "\""));
        CliRun run = rkj("run", hello.toString());
        assertEquals(0, run.code(), run.err());
        String podVerified = rkj("journal", "show", "--json", "--type", "pod.image-verified").out();
        assertTrue(podVerified.contains("\"keyFingerprint\":\"" + fpr + "\",\"trustedPrefix\":\"example.com\""),
                podVerified);

        // no longer trusted: verification fails, and a pod of it is refused at the verify stage
        assertEquals(0, rkj("trust", "rm", fpr).code());
        CliRun unverified = rkj("image", "verify", id);
        assertEquals(254, unverified.code());
        assertTrue(unverified.err().contains("which is not trusted"), unverified.err());
    }

    /**
     * {@code rkj trust --prefix} without a key file finds the key by appc discovery
     * ({@code ac-discovery-pubkeys}) on a loopback HTTPS server with a self-signed certificate, and
     * {@code rkj trust URL} downloads one; {@code rkj fetch NAME} then verifies the discovered image
     * with it and journals key and origin; a tampered image and a missing signature each fail.
     */
    @Test
    void keysFoundByDiscoveryOrUrlVerifyDiscoveredImagesAndBadOnesLeaveNothing() throws Exception {
        Path app = image("app", "[\"/bin/true\"]");
        Path other = image("other", "[\"/bin/true\"]");
        OpenPGPKey signer = TestKeys.good("Discovered Signer <d@example.com>");
        String fpr = TrustStore.fingerprint(signer);
        Map<String, Buffer> files = new ConcurrentHashMap<>();
        Vertx vertx = Vertx.vertx();
        try {
            SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                    .setKeyCertOptions(cert.keyCertOptions())).requestHandler(req -> {
                        Buffer body = files.get(req.uri());
                        req.response().setStatusCode(body == null ? 404 : 200).end(body == null ? Buffer.buffer() : body);
                    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
            String base = "https://127.0.0.1:" + server.actualPort();
            UnaryOperator<Cli> loopback = cli -> cli.discoveringAt((scheme, prefix) ->
                    URI.create(base + "/" + prefix + "?ac-discovery=1"));
            files.put("/example.com?ac-discovery=1", Buffer.buffer("""
                    <meta name="ac-discovery" content="example.com %1$s/images/{name}-{version}.{ext}">
                    <meta name="ac-discovery-pubkeys" content="example.com %1$s/keys/signer.asc">
                    """.formatted(base)));
            files.put("/keys/signer.asc", Buffer.buffer(TestKeys.publicKey(signer)));

            // the key, discovered (walking up from example.com/app); TLS checked unless told otherwise
            CliRun selfSigned = rkj(loopback, "trust", "--prefix", "example.com/app", "--skip-fingerprint-review");
            assertEquals(254, selfSigned.code());
            assertTrue(selfSigned.oneLineError() && selfSigned.err().contains("--insecure-options=tls"), selfSigned.err());
            CliRun trusted = rkj(loopback, "trust", "--prefix", "example.com/app", "--skip-fingerprint-review",
                    "--insecure-options=tls");
            assertEquals(0, trusted.code(), trusted.err());
            assertEquals("Trusted key " + fpr + " for images named example.com/app or below it\n", trusted.out());
            // the same key by URL; plain HTTP refused without --insecure-options=http
            CliRun byUrl = rkj(loopback, "trust", "--prefix", "example.com/other", "--skip-fingerprint-review",
                    "--insecure-options=tls", base + "/keys/signer.asc");
            assertEquals(0, byUrl.code(), byUrl.err());
            CliRun plain = rkj(loopback, "trust", "--prefix", "example.com/other", "--skip-fingerprint-review",
                    "http://127.0.0.1:1/keys/signer.asc");
            assertEquals(254, plain.code());
            assertTrue(plain.err().contains("plain HTTP is refused"), plain.err());

            // tampered: the server's image is not the one signed; then no signature at all (404)
            files.put("/images/example.com/app-1.0.0.aci", Buffer.buffer(Files.readAllBytes(other)));
            files.put("/images/example.com/app-1.0.0.aci.asc", Buffer.buffer(TestKeys.sign(signer, Files.readAllBytes(app))));
            CliRun tampered = rkj(loopback, "fetch", "--insecure-options=tls", "example.com/app:1.0.0");
            assertEquals(254, tampered.code());
            assertTrue(lastLine(tampered).equals("rkj: the signature of image example.com/other (" + base
                    + "/images/example.com/app-1.0.0.aci) by key " + fpr + " does not match the image: the image or its"
                    + " signature was changed after signing; fetch both again from their source, and do not use this copy"),
                    tampered.err()); // above it: the download's progress
            files.put("/images/example.com/app-1.0.0.aci", Buffer.buffer(Files.readAllBytes(app)));
            files.remove("/images/example.com/app-1.0.0.aci.asc");
            CliRun unsigned = rkj(loopback, "fetch", "--insecure-options=tls", "example.com/app:1.0.0");
            assertEquals(254, unsigned.code());
            assertTrue(lastLine(unsigned).startsWith("rkj: image example.com/app (" + base
                    + "/images/example.com/app-1.0.0.aci) has no signature"), unsigned.err());
            assertEquals("[]", Json.mapper().readTree(rkj("image", "list", "--format=json").out()).toString(),
                    "nothing of a refused image is stored");

            // signed: verified without --insecure-options=image; the journal names the key and the origin
            files.put("/images/example.com/app-1.0.0.aci.asc", Buffer.buffer(TestKeys.sign(signer, Files.readAllBytes(app))));
            CliRun fetched = rkj(loopback, "fetch", "--insecure-options=tls", "example.com/app:1.0.0");
            assertEquals(0, fetched.code(), fetched.err());
            String stored = rkj("journal", "show", "--json", "--type", "image.stored").out();
            assertTrue(stored.contains("\"keyFingerprint\":\"" + fpr + "\""), stored);
            assertTrue(stored.contains("\"" + base + "/images/example.com/app-1.0.0.aci\""), stored);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static String lastLine(CliRun run) {
        List<String> lines = run.err().strip().lines().toList();
        return lines.get(lines.size() - 1);
    }

    private Path image(String name, String exec) throws Exception {
        Path src = dir.resolve("src-" + name);
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": %s, "user": "0", "group": "0"}}
                """.formatted(name, exec));
        Path aci = dir.resolve(name + ".aci");
        CliRun built = CliRun.of("image", "build", src.toString(), aci.toString());
        assertEquals(0, built.code(), built.err());
        return aci;
    }

    /** A new GnuPG key (Ed25519, no passphrase), exported armored to {@code file}. */
    private Path gpgKey(String userId, String file) throws Exception {
        gpg("--batch", "--passphrase", "", "--quick-gen-key", userId, "ed25519", "sign", "never");
        Path out = dir.resolve(file);
        gpg("--batch", "--armor", "--output", out.toString(), "--export", userId);
        return out;
    }

    private void gpgSign(String userId, Path aci) throws Exception {
        gpg("--batch", "--yes", "--local-user", userId, "--armor", "--detach-sign", "--output",
                aci.resolveSibling(aci.getFileName() + ".asc").toString(), aci.toString());
    }

    private String gpgFingerprint(String userId) throws Exception {
        for (String line : gpg("--batch", "--with-colons", "--fingerprint", userId).split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9].toLowerCase(java.util.Locale.ROOT);
            }
        }
        throw new AssertionError("no fingerprint for " + userId);
    }

    private String gpg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("gpg", "--homedir", gnupg.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(Map.of("GNUPGHOME", gnupg.toString()));
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
        return output;
    }

    private CliRun rkj(String... args) {
        return rkj(UnaryOperator.identity(), args);
    }

    private CliRun rkj(UnaryOperator<Cli> setup, String... args) {
        List<String> all = new ArrayList<>(List.of("--dir", data.toString(), "--system-config", system.toString()));
        all.addAll(List.of(args));
        return CliRun.of(setup, all.toArray(String[]::new));
    }
}
