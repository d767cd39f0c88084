package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelsTest {

    @ParameterizedTest
    @CsvSource({"linux, amd64", "linux, i386", "linux, aarch64", "linux, aarch64_be", "linux, armv6l", "linux, armv7l",
            "linux, armv7b", "linux, ppc64", "linux, ppc64le", "linux, s390x", "freebsd, amd64", "freebsd, i386", "freebsd, arm", "darwin, x86_64",
            "darwin, i386"})
    void acceptsEveryWhitelistedOsArchPair(String os, String arch) {
        // when
        Labels labels = Labels.of("os", os, "arch", arch);
        // then
        assertEquals(Optional.of(os), labels.os());
        assertEquals(Optional.of(arch), labels.arch());
        assertTrue(new OsArch(os, arch).isValid());
    }

    @ParameterizedTest
    @CsvSource({"linux, x86_64", "linux, arm", "darwin, amd64", "freebsd, x86_64", "linux, arm64",
            "linux, ppc", "freebsd, aarch64", "darwin, arm64"})
    void rejectsAnArchThatIsNotPairedWithTheOs(String os, String arch) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Labels.of("os", os, "arch", arch));
        assertTrue(e.getMessage().startsWith("arch \"" + arch + "\" is not valid for os \"" + os + "\""), e.getMessage());
    }

    @Test
    void rejectsAnUnknownOs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Labels.of("os", "plan9"));
        assertEquals("os \"plan9\" is not supported: use one of [darwin, freebsd, linux]", e.getMessage());
    }

    @Test
    void acceptsAnArchWithoutOsBecauseItOnlyMeansSomethingWithAnOs() {
        assertEquals(Optional.of("whatever"), Labels.of("arch", "whatever").arch());
    }

    @Test
    void rejectsTheLabelNameNameAndInvalidIdentifiers() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Labels.of("name", "x")).getMessage()
                .startsWith("\"name\" cannot be a label name"));
        assertThrows(IllegalArgumentException.class, () -> Labels.of("OS", "linux"));
        assertThrows(IllegalArgumentException.class, () -> Labels.of("version", ""));
        assertThrows(IllegalArgumentException.class, () -> Labels.of("os", "linux", "os", "linux"));
    }

    @Test
    void keepsDeclarationOrderButComparesAsAMap() {
        // given
        Map<String, String> ordered = new LinkedHashMap<>();
        ordered.put("version", "1.0.0");
        ordered.put("env", "canary");
        ordered.put("arch", "amd64");
        // when
        Labels labels = Labels.of(ordered);
        // then
        assertEquals(List.of("version", "env", "arch"), List.copyOf(labels.asMap().keySet()));
        assertEquals(Labels.of("arch", "amd64", "env", "canary", "version", "1.0.0"), labels);
    }
}
