package dev.rkj.engine.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Discovery pages read and templates rendered, from appc's own examples (src/test/resources/discovery). */
class DiscoveryTest {
    private static Discovery.Page page(String file) throws Exception {
        return Discovery.Page.parse(Files.readString(Path.of("src/test/resources/discovery", file)));
    }

    @Test
    void readsTheTemplatesAndPubkeysOfAPage() throws Exception {
        Discovery.Page one = page("meta01.html");
        assertEquals(List.of(new Discovery.Meta("example.com",
                "https://storage.example.com/{name}-{version}-{os}-{arch}.{ext}")), one.templates());
        assertEquals(List.of(new Discovery.Meta("example.com", "https://example.com/pubkeys.gpg")), one.pubkeys());
        assertEquals(List.of(), page("meta03.html").templates());
        assertEquals(List.of(), page("meta02.html").pubkeys());
        assertEquals(3, page("meta06.html").templates().size());
        assertEquals(1, Discovery.Page.parse("<META content='a.com https://a.com/{name}.{ext}' name=ac-discovery>")
                .templates().size(), "attribute order, quotes and case do not matter");
    }

    @Test
    void rendersEveryUsableTemplateForTheImageAndItsSignatureHttpsOnly() throws Exception {
        List<Discovery.Endpoint> endpoints = Discovery.endpoints(page("meta06.html"), "example.com/reduce-worker",
                Map.of("version", "1.0.0", "os", "linux", "arch", "amd64"), false);
        assertEquals(List.of(
                new Discovery.Endpoint("https://storage.example.com/{name}-{version}-{os}-{arch}.{ext}",
                        URI.create("https://storage.example.com/example.com/reduce-worker-1.0.0-linux-amd64.aci"),
                        URI.create("https://storage.example.com/example.com/reduce-worker-1.0.0-linux-amd64.aci.asc")),
                new Discovery.Endpoint("https://storage.example.com/{name}-{version}.{ext}",
                        URI.create("https://storage.example.com/example.com/reduce-worker-1.0.0.aci"),
                        URI.create("https://storage.example.com/example.com/reduce-worker-1.0.0.aci.asc"))),
                endpoints, "hdfs:// is not a scheme rkj fetches");
    }

    @Test
    void theVersionDefaultsToLatestAndATemplateWithAnUnknownVariableIsSkipped() {
        Map<String, String> vars = Discovery.variables("example.com/app", Map.of("channel", "beta"));
        assertEquals("latest", vars.get("version"));
        assertEquals(Optional.of("https://h/example.com/app-latest-beta.aci"),
                Discovery.render("https://h/{name}-{version}-{channel}.aci", vars));
        assertEquals(Optional.empty(), Discovery.render("https://h/{name}-{flavour}.aci", vars));
        Discovery.Page other = Discovery.Page.parse("<meta name=\"ac-discovery\" content=\"other.com https://o/{name}.{ext}\">");
        assertTrue(Discovery.endpoints(other, "example.com/app", Map.of(), true).isEmpty(), "prefix must match");
    }

    @Test
    void plainHttpTemplatesComeAfterHttpsAndOnlyWhenAllowed() {
        Discovery.Page mixed = Discovery.Page.parse(
                "<meta name=\"ac-discovery\" content=\"example.com http://h/{name}.{ext}\">"
                + "<meta name=\"ac-discovery\" content=\"example.com https://h/{name}.{ext}\">");
        assertEquals(1, Discovery.endpoints(mixed, "example.com/a", Map.of(), false).size());
        List<Discovery.Endpoint> both = Discovery.endpoints(mixed, "example.com/a", Map.of(), true);
        assertEquals("https", both.get(0).imageUrl().getScheme());
        assertEquals("http", both.get(1).imageUrl().getScheme());
    }

    @Test
    void walksUpTheNamesPath() {
        assertEquals(List.of("example.com/project/subproject", "example.com/project", "example.com"),
                Discovery.walkUp("example.com/project/subproject"));
    }

    @Test
    void cacheControlGivesMaxAgeUnlessItSaysNotToKeep() {
        assertEquals(Duration.ofSeconds(600), HttpDownloader.maxAge("public, max-age=600"));
        assertEquals(Duration.ZERO, HttpDownloader.maxAge("no-cache, max-age=600"));
        assertEquals(Duration.ZERO, HttpDownloader.maxAge(null));
    }
}
