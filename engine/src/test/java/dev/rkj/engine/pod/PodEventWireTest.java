package dev.rkj.engine.pod;

import dev.rkj.engine.Grantor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rkj.engine.pod.PodEvent.PodCreated;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.pod.PodSpec.NetMode;
import dev.rkj.engine.EngineEvents;
import dev.rkj.eventlog.Json;
import dev.rkj.eventlog.WireName;
import dev.rkj.eventlog.WireType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pod events as the journal stores them: stable wire names, JSON that round-trips and holds only the record's fields. */
class PodEventWireTest {
    private final ObjectMapper json = new ObjectMapper();

    static Stream<PodEvent> events() {
        PodSpec full = new PodSpec("docker://busybox", "/bin/sh", List.of("-c", "echo hi"),
                new LinkedHashMap<>(Map.of("PATH", "/bin")), "web-1", NetMode.NONE, 128L << 20, 250L, true,
                Set.of(InsecureOption.IMAGE, InsecureOption.TLS));
        List<PodEvent> events = new ArrayList<>(PodFixtures.oneOfEachEvent());
        events.add(new PodCreated(PodFixtures.POD, full, PodFixtures.CREATOR));
        events.add(new PodEvent.AppExited(PodFixtures.POD, "app", 137, 9, true));
        List<NetworkAttachment> left = List.of(new NetworkAttachment("default", "eth0", List.of("172.16.28.5/24")));
        events.add(new PodEvent.PodExited(PodFixtures.POD, 143, "stopped on request", left));
        events.add(new PodEvent.PodDeleted(PodFixtures.POD, left));
        return events.stream();
    }

    @Test
    void everyEventHasAUniqueVersionedWireName() {
        Set<String> types = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Class<?> type : PodEvent.class.getPermittedSubclasses()) {
            WireName wire = type.getAnnotation(WireName.class);
            assertNotNull(wire, type.getSimpleName() + " has no @WireName");
            assertTrue(wire.value().matches("pod\\.[a-z]+(-[a-z]+)*"), "wire name " + wire.value());
            int expected = type == PodCreated.class ? 6 : type == PodEvent.PodCreatedV5.class ? 5
                    : type == PodEvent.PodCreatedV4.class || type == PodEvent.PodStarted.class ? 4
                    : type == PodEvent.PodCreatedV3.class || type == PodEvent.PodStartedV3.class ? 3
                    : type == PodEvent.PodCreatedV2.class || type == PodEvent.ImageRendered.class
                    || type == PodEvent.ImageResolved.class || type == PodEvent.ImageVerified.class
                    || type == PodEvent.PodPrepared.class || type == PodEvent.PodStopRequested.class
                    || type == PodEvent.LaunchRequested.class || type == PodEvent.DeleteRequested.class
                    || type == PodEvent.PodStartedV2.class || type == PodEvent.PodExited.class
                    || type == PodEvent.PodDeleted.class ? 2 : 1;
            assertEquals(expected, wire.version(), type.getSimpleName());
            assertTrue(types.add(wire.value() + "/" + wire.version()), "duplicate wire type " + wire.value());
            names.add(wire.value());
        }
        assertTrue(names.containsAll(Set.of("pod.created", "pod.started", "pod.exited", "pod.stage-failed", "pod.lost",
                "pod.privileges-granted")));
        assertTrue(types.containsAll(Set.of("pod.created/1", "pod.created/2", "pod.created/3", "pod.created/4",
                "pod.stop-requested/1", "pod.stop-requested/2", "pod.image-rendered/1",
                "pod.image-rendered/2", "pod.prepared/1", "pod.prepared/2", "pod.started/1", "pod.started/2", "pod.started/3", "pod.started/4", "pod.created/6",
                "pod.exited/1", "pod.exited/2", "pod.deleted/1", "pod.deleted/2")));
    }

    /** pod.created/1 exactly as rkj wrote it before the capability flags: still read, as a v2 with defaults. */
    @Test
    void aVersionOnePodCreatedIsReadAndUpcastWithTheNewFieldsAtTheirDefaults() throws Exception {
        String v1 = "{\"podId\":\"" + PodFixtures.POD + "\",\"spec\":{\"imageRef\":\"example.com/app\",\"exec\":null,"
                + "\"args\":[],\"env\":{},\"hostname\":null,\"net\":\"NONE\",\"memoryLimitBytes\":null,"
                + "\"cpuLimitMillis\":null,\"interactive\":false,\"insecureOptions\":[\"IMAGE\"]},"
                + "\"owner\":{\"engineId\":\"engine-a\",\"hostPid\":100}}";
        Class<?> type = EngineEvents.registry().typeOf(WireType.parse("pod.created/1")).orElseThrow();
        PodEvent read = (PodEvent) Json.mapper().readValue(v1, type);
        PodSpec spec = new PodSpec("example.com/app", null, List.of(), Map.of(), null, NetMode.NONE, null, null, false,
                Set.of(InsecureOption.IMAGE));
        assertEquals(new PodEvent.PodCreatedV1(PodFixtures.POD, PodFixtures.v4(spec), PodFixtures.CREATOR), read);
        assertEquals(new PodCreated(PodFixtures.POD, spec, PodFixtures.CREATOR), ((PodEvent.PodCreatedV1) read).upcast());
        PodState s = PodLifecycle.evolve(PodState.initial(PodFixtures.POD), read, PodScenario.T0);
        assertEquals(PodStatus.EMBRYO, s.status());
        assertEquals(Set.of(), s.spec().capsRetain());
        assertEquals(null, s.spec().pidsLimit());
    }

    /** pod.created/2 exactly as rkj wrote it before the app overrides: still read, as a v3 with the image's own. */
    @Test
    void aVersionTwoPodCreatedIsReadAndUpcastWithTheImagesAppNameUserGroupAndWorkingDirectory() throws Exception {
        String v2 = "{\"podId\":\"" + PodFixtures.POD + "\",\"spec\":{\"imageRef\":\"example.com/app\",\"exec\":null,"
                + "\"args\":[],\"env\":{},\"hostname\":null,\"net\":\"DEFAULT\",\"memoryLimitBytes\":null,"
                + "\"cpuLimitMillis\":null,\"interactive\":false,\"insecureOptions\":[],"
                + "\"capsRetain\":[\"CAP_CHOWN\"],\"capsRemove\":[],\"pidsLimit\":512},"
                + "\"owner\":{\"engineId\":\"engine-a\",\"hostPid\":100}}";
        Class<?> type = EngineEvents.registry().typeOf(WireType.parse("pod.created/2")).orElseThrow();
        PodEvent read = (PodEvent) Json.mapper().readValue(v2, type);
        PodSpec spec = PodSpec.of("example.com/app").withCapabilities(Set.of("CAP_CHOWN"), Set.of()).withPidsLimit(512L);
        assertEquals(new PodEvent.PodCreatedV2(PodFixtures.POD, PodFixtures.v4(spec), PodFixtures.CREATOR), read);
        PodState s = PodLifecycle.evolve(PodState.initial(PodFixtures.POD), read, PodScenario.T0);
        assertEquals(PodStatus.EMBRYO, s.status());
        assertEquals(PodFixtures.beforeCni(spec), s.spec());
        assertEquals(null, s.spec().appName());
        assertEquals(null, s.spec().user());
        assertEquals(null, s.spec().group());
        assertEquals(null, s.spec().workingDir());
    }

    @Test
    void podCreatedVersionThreeWritesTheAppOverrides() throws Exception {
        PodSpec spec = PodSpec.of("example.com/app").withApp("web", "1000", "staff", "/srv");
        String golden = "{\"podId\":\"" + PodFixtures.POD + "\",\"spec\":{\"imageRef\":\"example.com/app\",\"exec\":null,"
                + "\"args\":[],\"env\":{},\"hostname\":null,\"net\":\"DEFAULT\",\"memoryLimitBytes\":null,"
                + "\"cpuLimitMillis\":null,\"interactive\":false,\"insecureOptions\":[],"
                + "\"capsRetain\":[],\"capsRemove\":[],\"pidsLimit\":null,"
                + "\"appName\":\"web\",\"user\":\"1000\",\"group\":\"staff\",\"workingDir\":\"/srv\"},"
                + "\"owner\":{\"engineId\":\"engine-a\",\"hostPid\":100}}";
        PodEvent.PodCreatedV3 event = new PodEvent.PodCreatedV3(PodFixtures.POD, PodFixtures.v4(spec), PodFixtures.CREATOR);
        assertEquals(golden, Json.mapper().writeValueAsString(event));
        Class<?> type = EngineEvents.registry().typeOf(WireType.parse("pod.created/3")).orElseThrow();
        assertEquals(event, Json.mapper().readValue(golden, type));
        assertEquals(new PodCreated(PodFixtures.POD, PodFixtures.beforeCni(spec), PodFixtures.CREATOR, null), event.upcast());
    }

    @Test
    void podCreatedVersionFourRecordsWhoAsked() throws Exception {
        PodCreated event = new PodCreated(PodFixtures.POD, PodSpec.of("example.com/app"), PodFixtures.CREATOR,
                PodFixtures.GRANTOR);
        String json = Json.mapper().writeValueAsString(event);
        assertTrue(json.endsWith(",\"requestedBy\":{\"uid\":0,\"userName\":\"root\",\"sudoUser\":\"alice\","
                + "\"via\":\"rkj run command line\"}}"), json);
        Class<?> type = EngineEvents.registry().typeOf(WireType.parse("pod.created/6")).orElseThrow();
        assertEquals(event, Json.mapper().readValue(json, type));
        assertEquals(null, new PodCreated(PodFixtures.POD, PodSpec.of("example.com/app"), PodFixtures.CREATOR,
                dev.rkj.engine.Grantor.UNSTATED).requestedBy(), "a caller that did not say is recorded as none");
    }

    @Test
    void podCreatedVersionTwoReadsTheCapabilityFlagsAndPidsLimit() throws Exception {
        PodSpec spec = PodSpec.of("example.com/app").withCapabilities(Set.of("CAP_SYS_ADMIN", "CAP_CHOWN"), Set.of())
                .withPidsLimit(512L);
        String golden = "{\"podId\":\"" + PodFixtures.POD + "\",\"spec\":{\"imageRef\":\"example.com/app\",\"exec\":null,"
                + "\"args\":[],\"env\":{},\"hostname\":null,\"net\":\"DEFAULT\",\"memoryLimitBytes\":null,"
                + "\"cpuLimitMillis\":null,\"interactive\":false,\"insecureOptions\":[],"
                + "\"capsRetain\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"],\"capsRemove\":[],\"pidsLimit\":512},"
                + "\"owner\":{\"engineId\":\"engine-a\",\"hostPid\":100}}";
        Class<?> type = EngineEvents.registry().typeOf(WireType.parse("pod.created/2")).orElseThrow();
        assertEquals(new PodEvent.PodCreatedV2(PodFixtures.POD, PodFixtures.v4(spec), PodFixtures.CREATOR), Json.mapper().readValue(golden, type));
    }

    @Test
    void privilegesGrantedWritesWhatWasGrantedAndByWhom() throws Exception {
        String golden = "{\"podId\":\"" + PodFixtures.POD + "\",\"capabilities\":[\"CAP_SYS_ADMIN\"],"
                + "\"insecureOptions\":[\"SECCOMP\"],"
                + "\"grantor\":{\"uid\":0,\"userName\":\"root\",\"sudoUser\":\"alice\",\"via\":\"rkj run command line\"}}";
        assertEquals(golden, Json.mapper().writeValueAsString(PodFixtures.granted()));
        Class<?> type = EngineEvents.registry().typeOf(WireType.parse("pod.privileges-granted/1")).orElseThrow();
        assertEquals(PodFixtures.granted(), Json.mapper().readValue(golden, type));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void roundTripsThroughJsonWithOnlyItsFields(PodEvent event) throws Exception {
        String text = json.writeValueAsString(event);
        assertEquals(event, json.readValue(text, event.getClass()), text);
        assertFieldsAreComponents(event.getClass(), json.readTree(text));
    }

    @Test
    void specSerializesOnlyItsFieldsWithEnumNames() throws Exception {
        PodSpec spec = events().filter(e -> e instanceof PodCreated).map(e -> ((PodCreated) e).spec())
                .filter(s -> s.exec() != null).findFirst().orElseThrow();
        JsonNode node = json.readTree(json.writeValueAsString(spec));
        assertFieldsAreComponents(PodSpec.class, node);
        assertEquals("NONE", node.get("net").asText());
        assertEquals("[\"IMAGE\",\"TLS\"]", node.get("insecureOptions").toString());
    }

    @Test
    void aMissingOptionalFieldReadsAsItsDefault() throws Exception {
        PodSpec spec = json.readValue("{\"imageRef\":\"example.com/app\"}", PodSpecV4.class).upcast();
        assertEquals(PodFixtures.beforeCni(PodSpec.of("example.com/app")), spec);
        PodSpec apps = json.readValue("{\"apps\":[{\"imageRef\":\"example.com/app\"}]}", PodSpec.class);
        assertEquals(PodSpec.of("example.com/app"), apps);
    }

    private static void assertFieldsAreComponents(Class<?> type, JsonNode node) {
        Set<String> components = new HashSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            components.add(c.getName());
        }
        Set<String> fields = new HashSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            fields.add(it.next());
        }
        assertEquals(components, fields, type.getSimpleName() + " JSON fields");
    }
}
