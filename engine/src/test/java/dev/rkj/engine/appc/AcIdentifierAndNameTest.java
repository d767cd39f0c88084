package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AcIdentifierAndNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"database", "example.com/database", "example.com/ourapp", "example.com/user~app_v1",
            "sub-domain.example.com/org/product/release", "a", "0", "coreos.com/etcd", "example.com/~user/app_v1",
            "my~database", "example.com/~bob/database", "sub-domain.example.com/org/product/~alice/release-1.0.0",
            "a//b", "a.-b"})
    void identifierAcceptsWhatAppcsReferenceCodeAccepts(String text) {
        // when
        AcIdentifier id = AcIdentifier.parse(text);
        // then
        assertEquals(text, id.value());
        assertEquals(text, id.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "OS", "Example.com", "-db", "db-", "a b", "app_", "/app", "app/", "~app",
            "app~", ".app", "é", "foo#", "example.com/app#1", "a\nb"})
    void identifierRejectsWhatAppcsReferenceCodeRejects(String text) {
        // when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AcIdentifier.parse(text));
        // then
        assertTrue(e.getMessage().contains(text.isEmpty() ? "an AC Identifier is required" : "is not a valid AC Identifier"),
                e.getMessage());
        assertFalse(AcIdentifier.isValid(text));
    }

    @Test
    void identifierTakesTheSpecsOwnExampleThatItsRegexWouldRefuse() {
        // given: types.md lists example.com/~user/app_v1, but its regex allows no "~" right after "/";
        // appc's reference code (schema/types/acidentifier.go, used by rkt) checks only the characters
        // and the edges, and accepts it
        String example = "example.com/~user/app_v1";
        // then
        assertTrue(AcIdentifier.isValid(example));
    }

    @Test
    void identifierMessagesSayWhichRuleIsBroken() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AcIdentifier.parse("example.com/App"))
                .getMessage().contains("use only lowercase letters, digits and - . _ ~ /"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AcIdentifier.parse("example.com/app/"))
                .getMessage().contains("must begin and end with a lowercase letter or digit"));
    }

    @Test
    void identifierMessageQuotesTheOffendingValue() {
        // when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AcIdentifier.parse("OS"));
        // then
        assertTrue(e.getMessage().startsWith("\"OS\" is not a valid AC Identifier"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"database", "product-database", "product-database-release", "a1", "80", "a--b"})
    void nameAcceptsLowercaseDnsLabels(String text) {
        assertEquals(text, AcName.parse(text).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Work", "a.b", "a_b", "-a", "a-", "--", "example.com/app", "a b", "a~b"})
    void nameRejectsAnythingButLowercaseAlphanumericsAndInnerHyphens(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AcName.parse(text));
        assertTrue(e.getMessage().contains(text.isEmpty() ? "an AC Name is required" : "is not a valid AC Name"),
                e.getMessage());
    }

    @Test
    void nullIsRejectedWithAClearMessage() {
        assertEquals("an AC Name is required (e.g. reduce-worker)",
                assertThrows(IllegalArgumentException.class, () -> AcName.parse(null)).getMessage());
        assertEquals("an AC Identifier is required (e.g. example.com/app)",
                assertThrows(IllegalArgumentException.class, () -> AcIdentifier.parse(null)).getMessage());
    }

    @Test
    void kindAcceptsAlphanumericsAndKnowsTheDefinedKinds() {
        assertTrue(AcKind.parse("ImageManifest").isDefined());
        assertTrue(AcKind.parse("PodManifest").isDefined());
        assertFalse(AcKind.parse("FutureManifest2").isDefined());
        assertThrows(IllegalArgumentException.class, () -> AcKind.parse(""));
        assertThrows(IllegalArgumentException.class, () -> AcKind.parse("Image-Manifest"));
    }
}
