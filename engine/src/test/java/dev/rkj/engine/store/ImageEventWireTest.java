package dev.rkj.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.store.ImageEvent.ImageRemoved;
import dev.rkj.engine.store.ImageEvent.ImageStored;
import dev.rkj.engine.store.ImageEvent.TreeRemoved;
import dev.rkj.engine.store.ImageEvent.TreeRendered;
import dev.rkj.eventlog.Json;
import dev.rkj.eventlog.WireName;
import dev.rkj.eventlog.WireType;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Image events as the journal stores them: stable wire names, registered, JSON that round-trips. */
class ImageEventWireTest {
    static final String ID = "sha512-" + "0123456789abcdef".repeat(8);

    static Stream<ImageEvent> events() {
        return Stream.of(
                new ImageStored(ID, "example.com/app", Map.of("version", "1.0.0", "os", "linux"),
                        Json.mapper().createObjectNode().put("acKind", "ImageManifest"), 1234, 10240, "gzip", "/tmp/app.aci", "/tmp/app.aci.asc"),
                new ImageStored(ID, "example.com/app", Map.of(), Json.mapper().createObjectNode(), 0, 0, "none", "/tmp/app.aci", null),
                new ImageStored(ID, "example.com/debian", Map.of(), Json.mapper().createObjectNode(), 9, 99, "xz", "/tmp/d.aci", null,
                        null, java.util.List.of("/dev/console", "/dev/null"), 70),
                new ImageRemoved(ID),
                new TreeRendered(ID, ID),
                new TreeRemoved(ID, ID));
    }

    @Test
    void everyImageEventHasAUniqueWireNameAndIsRegistered() {
        Set<String> names = new HashSet<>();
        for (Class<?> type : ImageEvent.class.getPermittedSubclasses()) {
            WireName wire = type.getAnnotation(WireName.class);
            assertNotNull(wire, type.getSimpleName());
            assertTrue(wire.value().matches("image\\.[a-z]+(-[a-z]+)*"), wire.value());
            assertTrue(names.add(WireType.of(type).toString()), wire.value());
            assertEquals(type, EngineEvents.registry().typeOf(WireType.of(type)).orElseThrow());
        }
        assertEquals(Set.of("image.stored/1", "image.stored/2", "image.stored/3", "image.stored/4", "image.removed/1", "image.removed/2", "image.rendered/1", "image.rendered/2",
                "image.tree-removed/1", "image.tree-removed/2"), names);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void roundTripsThroughTheJournalsJson(ImageEvent event) throws Exception {
        String json = Json.mapper().writeValueAsString(event);
        assertEquals(event, Json.mapper().readValue(json, event.getClass()), json);
        JsonNode node = Json.mapper().readTree(json);
        assertEquals(ID, node.get("imageId").asText());
    }

    @Test
    void eventsRefuseSomethingThatIsNotAFullImageId() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ImageRemoved("sha512-abc"));
        assertTrue(e.getMessage().contains("not a full image ID"), e.getMessage());
    }
}
