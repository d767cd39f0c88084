package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AcVersionTest {

    @Test
    void parsesAllPartsOfAVersion() {
        // when
        AcVersion v = AcVersion.parse("1.20.3-rc.1.x-y+build.007");
        // then
        assertEquals(1, v.major());
        assertEquals(20, v.minor());
        assertEquals(3, v.patch());
        assertEquals(List.of("rc", "1", "x-y"), v.preRelease());
        assertEquals(List.of("build", "007"), v.build());
        assertEquals("1.20.3-rc.1.x-y+build.007", v.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1.0", "1.0.0.0", "01.0.0", "1.00.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.0-a..b",
            "v1.0.0", " 1.0.0", "1.0.0-é", "latest", "", "99999999999999999999.0.0"})
    void rejectsWhatSemVerRejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AcVersion.parse(text));
        assertTrue(e.getMessage().startsWith(Quote.of(text)), e.getMessage());
        assertEquals(Optional.empty(), AcVersion.tryParse(text));
    }

    @Test
    void ordersBySemVerPrecedence() {
        // given: the order given in semver.org section 11
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.10.0", "2.0.0");
        List<AcVersion> shuffled = new ArrayList<>(ordered.stream().map(AcVersion::parse).toList());
        Collections.reverse(shuffled);
        // when
        Collections.sort(shuffled);
        // then
        assertEquals(ordered, shuffled.stream().map(AcVersion::toString).toList());
    }

    @Test
    void comparesHugeNumericPreReleaseIdentifiersWithoutOverflow() {
        assertTrue(AcVersion.parse("1.0.0-99999999999999999999999").compareTo(AcVersion.parse("1.0.0-100")) > 0);
    }

    @Test
    void buildMetadataDoesNotAffectPrecedenceButDoesAffectEquality() {
        // given
        AcVersion a = AcVersion.parse("1.0.0+linux");
        AcVersion b = AcVersion.parse("1.0.0+darwin");
        // then
        assertEquals(0, a.compareTo(b));
        assertNotEquals(a, b);
    }

    @Test
    void theSupportedSpecVersionIs0811() {
        assertEquals("0.8.11", AcVersion.SUPPORTED.toString());
    }
}
