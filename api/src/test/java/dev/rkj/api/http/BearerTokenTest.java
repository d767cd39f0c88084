package dev.rkj.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenTest {
    @TempDir
    Path dir;

    private Path token(String text, String mode) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void aTokenFileOthersCanReadIsRefusedNamingTheFix() throws Exception {
        Path file = token("0123456789abcdef0123", "rw-r--r--");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BearerToken.read(file));
        assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
    }

    @Test
    void aShortOrMissingTokenIsRefused() throws Exception {
        Path file = token("short\n", "rw-------");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BearerToken.read(file)).getMessage()
                .contains("at least " + BearerToken.MIN_LENGTH));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BearerToken.read(dir.resolve("none"))).getMessage()
                .contains("does not exist"));
    }

    @Test
    void theFirstLineOfAnOwnerOnlyFileIsTheTokenNamedAfterTheFile() throws Exception {
        assertEquals(java.util.List.of("token"), BearerToken.read(token("0123456789abcdef0123\nignored\n", "rw-------")).names());
    }

    @Test
    void namedTokensAreReadOneALineSkippingCommentsAndBlankLines() throws Exception {
        BearerToken tokens = BearerToken.read(token("# who:secret\nci:0123456789abcdef0123\n\nalice@laptop:abcdefghijklmnopqrstuvwxyz\n",
                "rw-------"));
        assertEquals(java.util.List.of("ci", "alice@laptop"), tokens.names());
    }

    @Test
    void aBadRepeatedOrShortNamedTokenIsRefusedNamingTheLine() throws Exception {
        String bad = assertThrows(IllegalArgumentException.class, () -> BearerToken.read(
                token("ci:0123456789abcdef0123\nno name here\n", "rw-------"))).getMessage();
        assertTrue(bad.contains("line 2 is not NAME:SECRET"), bad);
        String twice = assertThrows(IllegalArgumentException.class, () -> BearerToken.read(
                token("ci:0123456789abcdef0123\nci:abcdefghijklmnopqrstuvwxyz\n", "rw-------"))).getMessage();
        assertTrue(twice.contains("names token ci twice (line 2)"), twice);
        String shortOne = assertThrows(IllegalArgumentException.class, () -> BearerToken.read(
                token("ci:short\n", "rw-------"))).getMessage();
        assertTrue(shortOne.contains("line 1 holds a token of 5 characters"), shortOne);
    }

    @Test
    void schemaLocationsBecomeDottedFieldNames() {
        assertEquals("env.A", Problems.field("#/env/A"));
        assertEquals("args.0", Problems.field("/args/0"));
        assertEquals(null, Problems.field("#"));
    }

    @Test
    void anUnexpectedFailureIsA500ThatNamesNoJavaClass() {
        Problem p = Problems.of(new NullPointerException("boom"), -1);
        assertEquals(500, p.status());
        assertEquals("internal", p.code());
        assertTrue(!p.toJson("/v1/pods").toString().contains("NullPointer"));
    }
}
