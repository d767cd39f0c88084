package dev.rkj.engine.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rkj.engine.pod.PodEvent.PodCreated;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.pod.PodSpec.NetMode;
import dev.rkj.eventlog.WireName;
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
        return events.stream();
    }

    @Test
    void everyEventHasAUniqueVersionedWireName() {
        Set<String> names = new HashSet<>();
        for (Class<?> type : PodEvent.class.getPermittedSubclasses()) {
            WireName wire = type.getAnnotation(WireName.class);
            assertNotNull(wire, type.getSimpleName() + " has no @WireName");
            assertTrue(wire.value().matches("pod\\.[a-z]+(-[a-z]+)*"), "wire name " + wire.value());
            assertEquals(1, wire.version(), type.getSimpleName());
            assertTrue(names.add(wire.value()), "duplicate wire name " + wire.value());
        }
        assertTrue(names.containsAll(Set.of("pod.created", "pod.started", "pod.exited", "pod.stage-failed", "pod.lost")));
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
        PodSpec spec = json.readValue("{\"imageRef\":\"example.com/app\"}", PodSpec.class);
        assertEquals(PodSpec.of("example.com/app"), spec);
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
