package dev.rkj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodEvent.ImageRendered;
import dev.rkj.engine.pod.PodEvent.PodCreated;
import dev.rkj.engine.pod.PodEvent.PodPrepared;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.store.ImageEvent.TreeRemoved;
import dev.rkj.engine.store.ImageEvent.TreeRendered;
import dev.rkj.eventlog.EventRegistry;
import dev.rkj.eventlog.JournalRepaired;
import dev.rkj.eventlog.Json;
import dev.rkj.eventlog.Superseded;
import dev.rkj.eventlog.UnknownEvent;
import dev.rkj.eventlog.WireType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the journal's wire format: {@code src/test/resources/wire/<name>@<version>.json} holds a
 * golden sample of every wire type a journal of this build can hold ({@code pod.*},
 * {@code image.*}, {@code journal.*}). A current version must decode and encode back to the same
 * JSON, so renaming or retyping a field (or an enum constant) fails here; an old version must
 * still decode and upcast to the current record. A new event, or a new version, without a sample
 * fails the build: write its sample when you add it, and never edit a released one.
 */
class WireSamplesTest {
    /** Every wire type a journal opened by the engine decodes: the engine's events and the journal's own. */
    static final EventRegistry REGISTRY = EngineEvents.registry().with(JournalRepaired.class);
    private static final String DIR = "wire";

    static Stream<WireType> wireTypes() {
        return REGISTRY.wireTypes().stream().sorted(Comparator.comparing(WireType::toString));
    }

    @Test
    void everyRegisteredWireTypeHasAGoldenSample() throws Exception {
        Set<String> missing = new TreeSet<>();
        for (WireType type : REGISTRY.wireTypes()) {
            if (sample(type) == null) {
                missing.add(fileName(type));
            }
        }
        assertTrue(missing.isEmpty(), "no golden wire sample for " + missing + " in src/test/resources/" + DIR
                + ": write one (a realistic event as the journal stores it) for every new event or version");
    }

    @Test
    void everySampleIsARegisteredWireType() throws Exception {
        Set<String> stale = new TreeSet<>();
        try (Stream<Path> files = Files.list(directory())) {
            files.map(f -> f.getFileName().toString()).forEach(name -> {
                if (!name.endsWith(".json") || !name.contains("@")) {
                    stale.add(name + " (name it <wire name>@<version>.json)");
                    return;
                }
                String base = name.substring(0, name.length() - ".json".length());
                WireType type = WireType.parse(base.replace('@', '/'));
                if (REGISTRY.typeOf(type).isEmpty()) {
                    stale.add(name);
                }
            });
        }
        assertTrue(stale.isEmpty(), "golden samples of no registered wire type: " + stale
                + "; a wire type once written must stay registered (keep the old record as Superseded)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wireTypes")
    void theSampleDecodesAndACurrentVersionEncodesBackToTheSameJson(WireType type) throws Exception {
        String json = sample(type);
        if (json == null) {
            return; // reported by everyRegisteredWireTypeHasAGoldenSample
        }
        Object event = REGISTRY.decode(type, json);
        assertFalse(event instanceof UnknownEvent, type + " decoded as unknown");
        assertEquals(REGISTRY.typeOf(type).orElseThrow(), event.getClass());
        if (event instanceof Superseded<?>) {
            Object current = Superseded.latest(event);
            WireType currentType = REGISTRY.wireTypeOf(current.getClass());
            assertEquals(type.name(), currentType.name(), "an upcast keeps the wire name");
            assertEquals(latestVersion(type.name()), currentType.version(), type + " upcasts to the latest version");
            assertFalse(current instanceof Superseded<?>);
            return;
        }
        assertEquals(latestVersion(type.name()), type.version(), type + " is not superseded but not the latest version");
        JsonNode expected = Json.mapper().readTree(json);
        JsonNode written = Json.mapper().readTree(REGISTRY.encode((Record) event));
        assertEquals(expected, written, type + " no longer writes its golden sample: a field was renamed, retyped"
                + " or added; give the record a new @WireName version and keep the old one as Superseded");
    }

    @Test
    void aVersionFourPodCreatedUpcastsToAPodOfOneAppWithTheSameOverrides() throws Exception {
        PodCreated created = (PodCreated) PodEvent.current((PodEvent) decode("pod.created/4"));
        assertEquals(1, created.spec().apps().size());
        PodSpec.AppSpec app = created.spec().app();
        assertEquals("example.com/web:1.2.0", app.imageRef());
        assertEquals("frontend", app.name());
        assertEquals(List.of("-f", "-p", "8080"), app.args());
        assertEquals(268435456L, app.memoryLimitBytes());
        assertEquals(Set.of("CAP_NET_ADMIN"), app.capsRetain());
        assertEquals(256L, created.spec().pidsLimit());
        assertEquals(List.of(), created.spec().volumes());
        assertFalse(created.spec().mdsRegister());
    }

    @Test
    void aVersionFivePodCreatedHoldsEveryAppAndThePodsVolumes() throws Exception {
        PodCreated created = (PodCreated) PodEvent.current((PodEvent) decode("pod.created/5"));
        assertEquals(2, created.spec().apps().size());
        assertEquals(new PodSpec.Seccomp(PodSpec.SeccompMode.REMOVE, "EPERM", List.of("chmod", "chown")),
                created.spec().apps().get(0).seccomp());
        assertEquals(List.of(new PodSpec.Mount("scratch", "/work")), created.spec().apps().get(1).mounts());
        assertEquals(PodSpec.Volume.empty("scratch", "0770", 1000L, 1000L), created.spec().volumes().get(1));
        assertTrue(created.spec().mdsRegister());
        PodEvent.ImageResolved resolved = (PodEvent.ImageResolved) decode("pod.image-resolved/2");
        assertEquals(List.of("example.com/web", "example.com/cache"),
                resolved.images().stream().map(PodEvent.ResolvedImage::imageName).toList());
        PodEvent.ImageResolved one = (PodEvent.ImageResolved) PodEvent.current((PodEvent) decode("pod.image-resolved/1"));
        assertEquals(1, one.images().size());
    }

    @Test
    void aVersionFivePodCreatedOnTheDefaultNetworkUpcastsToNoneWhatItRanWith() throws Exception {
        PodCreated created = (PodCreated) PodEvent.current((PodEvent) decode("pod.created/5"));
        assertEquals(PodSpec.NetMode.NONE, created.spec().net(), "default had only lo before CNI");
        assertEquals(null, created.spec().networking());
    }

    @Test
    void aVersionSixPodCreatedHoldsItsNetworksPortsAndNameService() throws Exception {
        PodCreated created = (PodCreated) decode("pod.created/6");
        dev.rkj.engine.pod.Networking n = created.spec().networking();
        assertEquals(PodSpec.NetMode.DEFAULT, created.spec().net());
        assertEquals(List.of(new dev.rkj.engine.pod.Networking.NetworkRequest("default", null),
                new dev.rkj.engine.pod.Networking.NetworkRequest("backend", "IP=10.88.0.7")), n.networks());
        assertEquals(new dev.rkj.engine.pod.Networking.PortForward("admin", "127.0.0.1", 9090), n.ports().get(1));
        assertEquals(List.of("10.88.0.5\tdb"), n.hostsLines());
    }

    @Test
    void aVersionThreeStartUpcastsWithNoNetwork() throws Exception {
        PodEvent.PodStarted started = (PodEvent.PodStarted) PodEvent.current((PodEvent) decode("pod.started/3"));
        assertEquals(List.of(), started.networks());
        PodEvent.PodStarted now = (PodEvent.PodStarted) decode("pod.started/4");
        assertEquals("default:ip4=172.16.28.5 backend:ip4=10.88.0.7",
                dev.rkj.engine.pod.NetworkAttachment.describe(now.networks()));
    }

    @Test
    void versionOneExitsAndDeletionsUpcastWithNoNetworkRemoved() throws Exception {
        PodEvent.PodExited exited = (PodEvent.PodExited) PodEvent.current((PodEvent) decode("pod.exited/1"));
        PodEvent.PodExited now = (PodEvent.PodExited) decode("pod.exited/2");
        assertEquals(new PodEvent.PodExited(now.podId(), now.exitCode(), now.reason(), List.of()), exited);
        assertEquals("default:ip4=172.16.28.5 backend:ip4=10.88.0.7",
                dev.rkj.engine.pod.NetworkAttachment.describe(now.networksRemoved()));
        PodEvent.PodDeleted deleted = (PodEvent.PodDeleted) PodEvent.current((PodEvent) decode("pod.deleted/1"));
        assertEquals(new PodEvent.PodDeleted(deleted.podId(), List.of()), deleted);
        assertEquals("eth0", ((PodEvent.PodDeleted) decode("pod.deleted/2")).networksRemoved().get(0).ifName());
    }

    @Test
    void aVersionOnePodCreatedUpcastsWithTheNewSpecFieldsAtTheirDefaults() throws Exception {
        PodCreated created = (PodCreated) PodEvent.current((PodEvent) decode("pod.created/1"));
        PodCreated current = (PodCreated) PodEvent.current((PodEvent) decode("pod.created/4"));
        assertEquals(current.podId(), created.podId());
        assertEquals(current.owner(), created.owner());
        assertEquals(current.spec().imageRef(), created.spec().imageRef());
        assertEquals(current.spec().args(), created.spec().args());
        assertEquals(Set.of(), created.spec().capsRetain());
        assertEquals(Set.of(), created.spec().capsRemove());
        assertEquals(null, created.spec().pidsLimit());
    }

    @Test
    void aVersionTwoPodCreatedUpcastsWithTheImagesAppNameUserGroupAndWorkingDirectory() throws Exception {
        PodCreated created = (PodCreated) PodEvent.current((PodEvent) decode("pod.created/2"));
        PodCreated current = (PodCreated) PodEvent.current((PodEvent) decode("pod.created/4"));
        assertEquals(current.podId(), created.podId());
        assertEquals(current.spec().capsRetain(), created.spec().capsRetain());
        assertEquals(current.spec().pidsLimit(), created.spec().pidsLimit());
        assertEquals(current.spec().withApp(null, null, null, null), created.spec());
        assertEquals("frontend", current.spec().appName());
        assertEquals("/srv/www", current.spec().workingDir());
    }

    @Test
    void requestsWrittenBeforeWhoAskedWasRecordedUpcastWithNoRequester() throws Exception {
        PodCreated created = (PodCreated) PodEvent.current((PodEvent) decode("pod.created/3"));
        PodCreated current = (PodCreated) PodEvent.current((PodEvent) decode("pod.created/4"));
        assertEquals(new PodCreated(current.podId(), current.spec(), current.owner(), null), created);
        assertEquals("rkj daemon API over the unix socket (pid 5120)", current.requestedBy().via());
        for (String type : List.of("pod.stop-requested/1", "pod.launch-requested/1", "pod.delete-requested/1")) {
            Object upcast = Superseded.latest(decode(type));
            Object now = decode(type.replace("/1", "/2"));
            assertEquals(now.getClass(), upcast.getClass(), type);
            assertTrue(upcast.toString().contains("requestedBy=null"), type + " upcasts with no requester: " + upcast);
        }
    }

    @Test
    void aVersionOneStartUpcastsWithNoIsolatorTold() throws Exception {
        PodEvent.PodStarted started = (PodEvent.PodStarted) PodEvent.current((PodEvent) decode("pod.started/1"));
        PodEvent.PodStarted current = (PodEvent.PodStarted) PodEvent.current((PodEvent) decode("pod.started/3"));
        assertEquals(new PodEvent.PodStarted(current.podId(), current.stage1Pid(), current.appPids(), current.owner(),
                List.of()), started);
        assertEquals(dev.rkj.engine.pod.IsolatorOutcome.Outcome.IGNORED, current.isolators().get(2).outcome());
        assertEquals(null, current.isolators().get(2).app(), "a pod's own isolator names no app");
    }

    @Test
    void aVersionTwoStartUpcastsWithItsIsolatorsAndNoWarning() throws Exception {
        PodEvent.PodStarted started = (PodEvent.PodStarted) PodEvent.current((PodEvent) decode("pod.started/2"));
        PodEvent.PodStarted current = (PodEvent.PodStarted) PodEvent.current((PodEvent) decode("pod.started/3"));
        assertEquals(new PodEvent.PodStarted(current.podId(), current.stage1Pid(), current.appPids(), current.owner(),
                current.isolators(), List.of()), started);
        assertTrue(current.warnings().get(0).startsWith("app web: mount point cache"), current.warnings().toString());
    }

    @Test
    void versionOnePathsUpcastToIdsThatNameNoHostDirectory() throws Exception {
        ImageRendered rendered = (ImageRendered) PodEvent.current((PodEvent) decode("pod.image-rendered/1"));
        assertEquals(decode("pod.image-rendered/2"), rendered, "the /1 sample's rootfs path names the /2 sample's tree");
        assertEquals(rendered.imageId(), rendered.treeId());

        PodPrepared prepared = (PodPrepared) PodEvent.current((PodEvent) decode("pod.prepared/1"));
        assertEquals(decode("pod.prepared/2"), prepared, "the pod directory is derived from the pod id");

        assertEquals(decode("image.rendered/2"), Superseded.latest(decode("image.rendered/1")));
        assertEquals(decode("image.tree-removed/2"), Superseded.latest(decode("image.tree-removed/1")));
        for (String type : List.of("pod.image-rendered/2", "pod.prepared/2", "image.rendered/2", "image.tree-removed/2")) {
            String json = sample(WireType.parse(type));
            assertFalse(json.contains("/var/lib") || json.contains("\"/"), type + " carries a host path: " + json);
        }
    }

    @Test
    void anUpcastTakesTheTreeIdFromWhereverTheOldDataDirectoryWas() {
        String id = "sha512-" + "ab".repeat(64);
        PodEvent old = new PodEvent.ImageRenderedV1("6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7", id,
                "/srv/elsewhere/rkj/cas/trees/" + id + "/rootfs/");
        assertEquals(id, ((ImageRendered) PodEvent.current(old)).treeId());
        Object removed = Superseded.latest(new dev.rkj.engine.store.ImageEvent.TreeRemovedV1(id, "/tmp/x/cas/trees/" + id));
        assertEquals(new TreeRemoved(id, id), removed);
        Object rendered = Superseded.latest(new dev.rkj.engine.store.ImageEvent.TreeRenderedV1(id, "/tmp/x/cas/trees/" + id));
        assertInstanceOf(TreeRendered.class, rendered);
        assertNotEquals(old, PodEvent.current(old));
    }

    private static Object decode(String type) throws IOException, URISyntaxException {
        WireType wire = WireType.parse(type);
        String json = sample(wire);
        if (json == null) {
            fail("no golden sample " + fileName(wire));
        }
        return REGISTRY.decode(wire, json);
    }

    private static int latestVersion(String name) {
        return REGISTRY.wireTypes().stream().filter(t -> t.name().equals(name)).mapToInt(WireType::version).max()
                .orElseThrow();
    }

    private static String fileName(WireType type) {
        return type.name() + "@" + type.version() + ".json";
    }

    private static String sample(WireType type) throws IOException {
        try (InputStream in = WireSamplesTest.class.getResourceAsStream("/" + DIR + "/" + fileName(type))) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Path directory() throws URISyntaxException {
        return Path.of(WireSamplesTest.class.getResource("/" + DIR).toURI());
    }
}
