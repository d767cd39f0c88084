package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelMatchTest {
    private static final OsArch LINUX_AMD64 = new OsArch("linux", "amd64");

    private static ImageManifest image(String name, String... labels) {
        ImageManifest.Builder b = ImageManifest.builder(name);
        for (int i = 0; i < labels.length; i += 2) {
            b.label(labels[i], labels[i + 1]);
        }
        return b.build();
    }

    @Test
    void anImageMatchesItsNameWithEveryRequestedLabel() {
        // given
        ImageManifest etcd = image("coreos.com/etcd", "version", "3.5.0", "os", "linux", "arch", "amd64");
        // then
        assertTrue(LabelMatch.matches(etcd, "coreos.com/etcd", Map.of()));
        assertTrue(LabelMatch.matches(etcd, "coreos.com/etcd", Map.of("version", "3.5.0", "os", "linux")));
        assertFalse(LabelMatch.matches(etcd, "coreos.com/etcd2", Map.of()));
        assertFalse(LabelMatch.matches(etcd, "coreos.com/etcd", Map.of("version", "3.4.0")));
        assertFalse(LabelMatch.matches(etcd, "coreos.com/etcd", Map.of("arch", "i386")));
    }

    @Test
    void aRequestedLabelTheImageLacksDoesNotMatch() {
        assertFalse(LabelMatch.matches(image("example.com/app", "version", "1.0.0"), "example.com/app",
                Map.of("env", "canary")));
        assertFalse(LabelMatch.matches(image("example.com/app"), "example.com/app", Map.of("version", "1.0.0")));
    }

    @Test
    void anImageWithoutOsOrArchIsPlatformIndependentAndMatchesAnyPlatform() {
        // given
        ImageManifest scripts = image("example.com/scripts", "version", "1.0.0");
        ImageManifest anyArch = image("example.com/scripts", "os", "linux");
        // then
        assertTrue(LabelMatch.matches(scripts, "example.com/scripts", LabelMatch.withDefaults(Map.of(), LINUX_AMD64)));
        assertTrue(LabelMatch.matches(anyArch, "example.com/scripts", LabelMatch.withDefaults(Map.of(), LINUX_AMD64)));
        assertFalse(LabelMatch.matches(anyArch, "example.com/scripts", Map.of("os", "freebsd")));
    }

    @Test
    void versionLatestMatchesAnyVersionOrNone() {
        Map<String, String> latest = Map.of("version", LabelMatch.LATEST);
        assertTrue(LabelMatch.matches(image("example.com/app", "version", "2.0.0"), "example.com/app", latest));
        assertTrue(LabelMatch.matches(image("example.com/app"), "example.com/app", latest));
        assertTrue(LabelMatch.matches(image("example.com/app", "version", "latest"), "example.com/app", latest));
    }

    @Test
    void hostDefaultsFillOnlyMissingOsAndArch() {
        assertEquals(Map.of("os", "linux", "arch", "amd64", "version", "1.0.0"),
                LabelMatch.withDefaults(Map.of("version", "1.0.0"), LINUX_AMD64));
        assertEquals(Map.of("os", "freebsd", "arch", "amd64"), LabelMatch.withDefaults(Map.of("os", "freebsd"), LINUX_AMD64));
        assertEquals(LabelMatch.withDefaults(Map.of(), OsArch.host()), LabelMatch.withHostDefaults(Map.of()));
    }

    @Test
    void theHostPlatformUsesAppcSpelling() {
        assertEquals(LINUX_AMD64, OsArch.fromJvm("Linux", "amd64"));
        assertEquals(LINUX_AMD64, OsArch.fromJvm("Linux", "x86_64"));
        assertEquals(new OsArch("linux", "i386"), OsArch.fromJvm("Linux", "i686"));
        assertEquals(new OsArch("darwin", "x86_64"), OsArch.fromJvm("Mac OS X", "x86_64"));
        assertEquals(new OsArch("freebsd", "amd64"), OsArch.fromJvm("FreeBSD", "amd64"));
        assertEquals(OsArch.fromJvm(System.getProperty("os.name"), System.getProperty("os.arch")), OsArch.host());
    }

    @Test
    void byVersionRanksUnversionedThenSemverByPrecedenceThenLatest() {
        // given
        List<ImageManifest> images = new ArrayList<>(List.of(
                image("a", "version", "latest"), image("a", "version", "1.10.0"), image("a"),
                image("a", "version", "1.2.0"), image("a", "version", "1.2.0-rc.1")));
        // when
        images.sort(LabelMatch.BY_VERSION);
        // then
        assertEquals(List.of("-", "1.2.0-rc.1", "1.2.0", "1.10.0", "latest"),
                images.stream().map(m -> m.label("version").orElse("-")).toList());
    }
}
