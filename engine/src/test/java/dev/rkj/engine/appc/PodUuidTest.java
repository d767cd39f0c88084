package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PodUuidTest {

    @Test
    void parsesACanonicalUuidInEitherCaseAndPrintsItLowercase() {
        // when
        PodUuid uuid = PodUuid.parse("6733C3FC-8F5E-4A7B-9F2D-0C1E2D3F4A5B");
        // then
        assertEquals("6733c3fc-8f5e-4a7b-9f2d-0c1e2d3f4a5b", uuid.toString());
        assertEquals(uuid, PodUuid.parse(uuid.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1-1-1-1-1", "6733c3fc8f5e4a7b9f2d0c1e2d3f4a5b", "6733c3fc-8f5e-4a7b-9f2d-0c1e2d3f4a5",
            "{6733c3fc-8f5e-4a7b-9f2d-0c1e2d3f4a5b}", "6733c3fc-8f5e-4a7b-9f2d-0c1e2d3f4a5g"})
    void rejectsNonCanonicalText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PodUuid.parse(text));
        assertTrue(e.getMessage().contains("is not a UUID"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"00000000-0000-0000-0000-000000000000", "6733c3fc-8f5e-4a7b-cf2d-0c1e2d3f4a5b",
            "6733c3fc-8f5e-0a7b-9f2d-0c1e2d3f4a5b", "6733c3fc-8f5e-7a7b-9f2d-0c1e2d3f4a5b"})
    void rejectsUuidsOutsideRfc4122VariantOrVersions(String text) {
        assertThrows(IllegalArgumentException.class, () -> PodUuid.parse(text));
    }

    @Test
    void randomUuidsAreVersion4AndDistinct() {
        // when
        PodUuid a = PodUuid.random();
        PodUuid b = PodUuid.random();
        // then
        assertEquals(4, a.value().version());
        assertNotEquals(a, b);
    }

    @Test
    void aPrefixMatchesTheUuidsItStarts() {
        // given
        PodUuid uuid = PodUuid.parse("6733c3fc-8f5e-4a7b-9f2d-0c1e2d3f4a5b");
        // then
        assertTrue(PodUuid.parsePrefix("6733").matches(uuid));
        assertTrue(PodUuid.parsePrefix("6733C3FC-8f").matches(uuid));
        assertFalse(PodUuid.parsePrefix("6734").matches(uuid));
        assertThrows(IllegalArgumentException.class, () -> PodUuid.parsePrefix("6733c3fc8"));
        assertThrows(IllegalArgumentException.class, () -> PodUuid.parsePrefix(""));
    }
}
