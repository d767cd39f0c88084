package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The shared appc examples parse, validate and round-trip: {@code parse(write(m)).equals(m)}, and the
 * written JSON tree equals the original up to default values (see {@link ManifestCodec}).
 */
class ManifestCodecExamplesTest {
    private static final String PLACEHOLDER_ID = "sha512-...";
    private static final String REAL_ID = "sha512-" + "ab".repeat(64);

    @Test
    void imageExampleAsShippedParsesValidatesAndRoundTrips() throws Exception {
        // given: image.json copies the spec's schema example, whose dependency imageID is the
        // placeholder "sha512-..."; the reference implementation accepted any sha512-<value> there.
        byte[] json = Examples.shared("image.json");
        // when
        ImageManifest m = ManifestCodec.parseImageManifest(json);
        // then: the placeholder is kept as written, but is no pinned image ID
        Dependency dependency = m.dependencies().get(0);
        assertEquals(Optional.of(PLACEHOLDER_ID), dependency.imageIdText());
        assertEquals(Optional.empty(), dependency.imageId());
        assertEquals(m, ManifestCodec.parseImageManifest(ManifestCodec.write(m)));
    }

    @Test
    void dependencyImageIdWithoutSha512PrefixIsRejected() throws Exception {
        // given
        String json = new String(Examples.shared("image.json"), java.nio.charset.StandardCharsets.UTF_8)
                .replace(PLACEHOLDER_ID, "md5-abc");
        // when
        ManifestException e = assertThrows(ManifestException.class,
                () -> ManifestCodec.parseImageManifest(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        // then
        assertEquals(List.of("$.dependencies[0].imageID"), paths(e));
    }

    @Test
    void imageExampleWithARealDependencyIdParsesCompletely() throws Exception {
        // given
        byte[] json = imageExample();
        // when
        ImageManifest m = ManifestCodec.parseImageManifest(json);
        // then
        assertEquals("example.com/reduce-worker", m.name().value());
        assertEquals(AcVersion.parse("0.8.11"), m.acVersion());
        assertEquals(Optional.of("1.0.0"), m.label("version"));
        assertEquals(Optional.of("amd64"), m.labels().arch());
        App app = m.app().orElseThrow();
        assertEquals(List.of("/usr/bin/reduce-worker", "--quiet"), app.exec());
        assertEquals("100", app.user());
        assertEquals("300", app.group());
        assertEquals("/", app.workingDirectory());
        assertEquals(List.of("/usr/bin/data-downloader"),
                app.eventHandler(EventHandler.Kind.PRE_START).orElseThrow().exec());
        assertEquals(List.of(new EnvVar("REDUCE_WORKER_DEBUG", "true")), app.environment());
        assertEquals(OptionalLong.of(20), app.isolator(Isolator.Cpu.class).orElseThrow().limitMillis());
        assertEquals(OptionalLong.of(20), app.isolator(Isolator.Cpu.class).orElseThrow().requestMillis());
        assertEquals(OptionalLong.of(1_000_000_000L), app.isolator(Isolator.Memory.class).orElseThrow().limitBytes());
        assertEquals(List.of(LinuxCapability.CAP_NET_ADMIN, LinuxCapability.CAP_NET_BIND_SERVICE),
                app.isolator(Isolator.CapabilitiesRetain.class).orElseThrow().set());
        assertTrue(app.isolator(Isolator.NoNewPrivileges.class).orElseThrow().enabled());
        Isolator.SeccompRemove seccomp = app.isolator(Isolator.SeccompRemove.class).orElseThrow();
        assertEquals(List.of("clock_settime", "clock_adjtime", "reboot"), seccomp.set());
        assertEquals(Optional.of("EACCESS"), seccomp.errno());
        assertEquals(List.of(new MountPoint(AcName.parse("database"), "/var/lib/db", false)), app.mountPoints());
        assertEquals(List.of(new Port(AcName.parse("health"), "tcp", 4000, 1, true)), app.ports());
        Dependency dependency = m.dependencies().get(0);
        assertEquals("example.com/reduce-worker-base", dependency.imageName().value());
        assertEquals(Optional.of(ImageId.parse(REAL_ID)), dependency.imageId());
        assertEquals(Labels.of("os", "linux", "env", "canary"), dependency.labels());
        assertEquals(5, m.pathWhitelist().size());
        assertEquals(Optional.of("false"), m.annotation(ImageManifest.SUPPORTS_SYSTEMD_NOTIFY));
    }

    @Test
    void imageExampleRoundTrips() throws Exception {
        // given
        byte[] original = imageExample();
        ImageManifest m = ManifestCodec.parseImageManifest(original);
        // when
        byte[] written = ManifestCodec.write(m);
        // then
        assertEquals(m, ManifestCodec.parseImageManifest(written));
        assertEquals(JsonTrees.withoutDefaults(JsonTrees.tree(original)), JsonTrees.tree(written));
    }

    @Test
    void runtimePodExampleParsesAsAReifiedPod() throws Exception {
        // when
        PodManifest pod = ManifestCodec.parsePodManifest(Examples.shared("pod_runtime.json"));
        // then
        assertTrue(pod.isReified());
        assertEquals(List.of("reduce-worker", "backup", "register"),
                pod.apps().stream().map(a -> a.name().value()).toList());
        PodApp worker = pod.apps().get(0);
        assertEquals(Optional.of(AcIdentifier.parse("example.com/reduce-worker")), worker.image().name());
        assertEquals(OptionalLong.of(1_000_000_000L),
                worker.app().orElseThrow().isolator(Isolator.Memory.class).orElseThrow().limitBytes());
        assertEquals(Optional.of("latest"), pod.apps().get(1).image().labels().version());
        assertTrue(pod.apps().get(1).app().isEmpty());
        Volume db = pod.volume(AcName.parse("dbvolume")).orElseThrow();
        assertEquals(Volume.Kind.HOST, db.kind());
        assertEquals(Optional.of("/opt/tenant1/database"), db.source());
        assertTrue(db.readOnly());
        assertTrue(db.recursive());
        Volume out = pod.volumeFor(pod.apps().get(1).mounts().get(1)).orElseThrow();
        assertEquals(Volume.Kind.EMPTY, out.kind());
        assertEquals(0777, out.mode());
        assertEquals(OptionalLong.of(4_000_000_000L), pod.isolator(Isolator.Memory.class).orElseThrow().limitBytes());
        assertEquals(new Isolator.Other(AcIdentifier.parse("os/unix/sysctl"), "{\"net.ipv4.tcp_fin_timeout\":\"6\"}"),
                pod.isolators().get(1));
        assertEquals(Optional.of("10.1.2.3"), pod.annotations().get("ip-address"));
    }

    @Test
    void runtimePodExampleRoundTrips() throws Exception {
        // given
        byte[] original = Examples.shared("pod_runtime.json");
        PodManifest pod = ManifestCodec.parsePodManifest(original);
        // when
        byte[] written = ManifestCodec.write(pod);
        // then
        assertEquals(pod, ManifestCodec.parsePodManifest(written));
        assertEquals(JsonTrees.withoutDefaults(JsonTrees.tree(original)), JsonTrees.tree(written));
    }

    @Test
    void podTemplateExampleIsATemplateNotARunnablePod() {
        // given: pod_template.json names two app images by name and labels only (pods.md: a template to resolve)
        byte[] json = Examples.shared("pod_template.json");
        // when
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.parsePodManifest(json));
        // then
        assertEquals(List.of("$.apps[1].image.id", "$.apps[2].image.id"), paths(e));
        assertTrue(e.getMessage().contains("$.apps[1].image.id: required"), e.getMessage());
    }

    @Test
    void podTemplateExampleParsesAsATemplateAndRoundTrips() throws Exception {
        // given
        byte[] original = Examples.shared("pod_template.json");
        // when
        PodManifest template = ManifestCodec.parsePodTemplate(original);
        byte[] written = ManifestCodec.write(template);
        // then
        assertFalse(template.isReified());
        assertEquals(AcVersion.parse("0.3.0"), template.acVersion());
        assertEquals(Optional.empty(), template.apps().get(1).image().id());
        assertEquals(Optional.of("3.0.0"), template.apps().get(2).image().labels().version());
        assertEquals(template, ManifestCodec.parsePodTemplate(written));
        assertEquals(JsonTrees.withoutDefaults(JsonTrees.tree(original)), JsonTrees.tree(written));
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.requireReified(template));
        assertEquals(List.of("$.apps[1].image.id", "$.apps[2].image.id"), paths(e));
    }

    @Test
    void writesTheSpecsKeySpellingAndOrderWithFourSpaceIndent() throws Exception {
        // given
        ImageManifest m = ManifestCodec.parseImageManifest(imageExample());
        // when
        String written = new String(ManifestCodec.write(m), StandardCharsets.UTF_8);
        // then
        assertTrue(written.startsWith("{\n    \"acKind\": \"ImageManifest\",\n    \"acVersion\": \"0.8.11\",\n"
                + "    \"name\": \"example.com/reduce-worker\",\n    \"labels\": ["), written);
        assertTrue(written.indexOf("\"dependencies\"") < written.indexOf("\"pathWhitelist\""), written);
    }

    static byte[] imageExample() {
        String text = new String(Examples.shared("image.json"), StandardCharsets.UTF_8);
        assertTrue(text.contains(PLACEHOLDER_ID));
        return text.replace(PLACEHOLDER_ID, REAL_ID).getBytes(StandardCharsets.UTF_8);
    }

    static List<String> paths(ManifestException e) {
        return e.problems().stream().map(Problem::jsonPath).toList();
    }
}
