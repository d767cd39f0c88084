package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageIdTest {
    static final String HEX = "8d3fffddf79e9a232ffd19f9ccaa4d6b37a6a243dbe0f23137b108a043d9da13"
            + "121a9b505c804956b22e93c7f93969f4a7ba8ddea45bf4aab0bebc8f814e0990";

    @Test
    void parsesAFullSha512Id() {
        // when
        ImageId id = ImageId.parse("sha512-" + HEX);
        // then
        assertEquals(HEX, id.hex());
        assertEquals("sha512-" + HEX, id.toString());
        assertEquals("sha512-" + HEX.substring(0, 32), id.shortString());
    }

    @Test
    void normalisesUpperCaseHexToLowerCase() {
        assertEquals(ImageId.parse("sha512-" + HEX), ImageId.parse("sha512-" + HEX.toUpperCase()));
    }

    @Test
    void isTheSha512OfTheDigestGiven() throws Exception {
        // given
        byte[] digest = MessageDigest.getInstance("SHA-512").digest("tar".getBytes(StandardCharsets.UTF_8));
        // when
        ImageId id = ImageId.ofDigest(digest);
        // then
        assertEquals("sha512-" + HexFormat.of().formatHex(digest), id.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha512-...", "sha512-", "sha512-4f2a", "sha256-" + "ab", HEX, "SHA512-abc",
            "sha512-" + "g" + "0"})
    void rejectsAnythingButSha512AndAllHexDigits(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageId.parse(text));
        assertTrue(e.getMessage().startsWith(Quote.of(text)), e.getMessage());
    }

    @Test
    void explainsAShortIdAndAWrongAlgorithm() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageId.parse("sha512-4f2a")).getMessage()
                .contains("it has 4 hex digits after \"sha512-\", a full ID has 128"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageId.parse("sha256-4f2a")).getMessage()
                .contains("hash algorithm \"sha256\" is not supported"));
    }

    @Test
    void aPrefixMatchesTheIdsItStarts() {
        // given
        ImageId.Prefix prefix = ImageId.parsePrefix("sha512-8D3F");
        // then
        assertTrue(prefix.matches(ImageId.parse("sha512-" + HEX)));
        assertFalse(prefix.matches(ImageId.parse("sha512-" + "0".repeat(128))));
        assertEquals("sha512-8d3f", prefix.toString());
        assertEquals(Optional.empty(), prefix.toImageId());
        assertEquals(Optional.of(ImageId.parse("sha512-" + HEX)), ImageId.parsePrefix("sha512-" + HEX).toImageId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha512-", "4f2a", "sha512-xyz", "sha1-4f2a"})
    void rejectsMalformedPrefixes(String text) {
        assertThrows(IllegalArgumentException.class, () -> ImageId.parsePrefix(text));
    }

    @Test
    void rejectsAPrefixLongerThanAnId() {
        assertThrows(IllegalArgumentException.class, () -> ImageId.parsePrefix("sha512-" + HEX + "0"));
    }
}
