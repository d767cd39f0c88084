package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.engine.testing.TreeSnapshot;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rkj image ...} against a real data directory: Chronicle journal, store, rendered trees. */
class ImageCommandTest {
    static final String BUSYBOX_MANIFEST = TestImages.imageManifestJson("example.com/busybox",
            Map.of("version", "1.36", "os", "linux", "arch", "amd64"), "/bin/sh");

    @TempDir
    Path dir;

    Path busyboxDir;
    Path busyboxAci;
    String busybox;

    CliRun rkj(String... args) {
        String[] all = Stream.concat(Stream.of("--dir", dir.toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.of(all);
    }

    String ok(String... args) {
        CliRun run = rkj(args);
        assertEquals(0, run.code(), String.join(" ", args) + ": " + run.err());
        return run.out();
    }

    @BeforeEach
    void fetchBusybox() {
        busyboxDir = TestImages.busyboxImageDir(dir.resolve("busybox"), BUSYBOX_MANIFEST);
        TestImages.setDistinctMtimes(busyboxDir.resolve("rootfs"), Instant.parse("2020-01-01T00:00:00Z"));
        busyboxAci = TestImages.gnuTarAci(busyboxDir, dir.resolve("busybox.aci"), Compression.GZIP);
        busybox = ok("fetch", "--insecure-options=image", busyboxAci.toString()).strip();
    }

    @Test
    void listShowsIdNameSizeAndImportTimeLikeRkt() throws Exception {
        List<String> lines = ok("image", "list").lines().toList();

        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("ID\\s+NAME\\s+SIZE\\s+IMPORT TIME"), lines.get(0));
        String[] row = lines.get(1).split("\\s{2,}");
        assertEquals(busybox.substring(0, 19), row[0]);
        assertEquals("example.com/busybox:1.36", row[1]);
        assertTrue(row[2].matches("[0-9.]+(B|KiB|MiB)"), row[2]);
        assertTrue(row[3].equals("now") || row[3].endsWith(" ago"), row[3]);

        List<String> full = ok("image", "list", "--full", "--no-legend").lines().toList();
        assertEquals(1, full.size());
        String[] fullRow = full.get(0).split("\\s{2,}");
        assertEquals(busybox, fullRow[0]);
        assertEquals(Long.toString(Files.size(busyboxAci)), fullRow[2]);
        assertTrue(Instant.parse(fullRow[3]).isBefore(Instant.now().plusSeconds(1)), fullRow[3]);
    }

    @Test
    void listAsJsonGivesEveryImageWithItsLabels() throws Exception {
        JsonNode list = Json.mapper().readTree(ok("image", "list", "--format=json"));

        assertEquals(1, list.size());
        JsonNode image = list.get(0);
        assertEquals(busybox, image.get("id").asText());
        assertEquals("example.com/busybox", image.get("name").asText());
        assertEquals("1.36", image.get("labels").get("version").asText());
        assertEquals(Files.size(busyboxAci), image.get("size").asLong());
        assertEquals("gzip", image.get("compression").asText());
        assertFalse(image.get("rendered").asBoolean());
        CliRun bad = rkj("image", "list", "--format=yaml");
        assertEquals(254, bad.code());
        assertTrue(bad.oneLineError() && bad.err().contains("--format") && bad.err().contains("yaml")
                && bad.err().contains("[table, json]"), bad.err());
    }

    @Test
    void catManifestPrintsTheManifestByIdPrefixOrName() throws Exception {
        JsonNode expected = Json.mapper().readTree(BUSYBOX_MANIFEST);

        String byPrefix = ok("image", "cat-manifest", busybox.substring(0, 14));
        String byName = ok("image", "cat-manifest", "example.com/busybox:1.36");

        assertEquals(expected, Json.mapper().readTree(byPrefix));
        assertEquals(byPrefix, byName);
        assertTrue(byPrefix.contains("\n  \"acKind\""), "pretty-printed: " + byPrefix);
        CliRun missing = rkj("image", "cat-manifest", "example.com/busybox:9.9");
        assertEquals(254, missing.code());
        assertTrue(missing.oneLineError() && missing.err().contains("no image in the store is example.com/busybox"),
                missing.err());
    }

    @Test
    void rmRemovesEachImageAndNamesTheOnesThatFailed() throws Exception {
        Path other = TestImages.busyboxImageDir(dir.resolve("other"),
                TestImages.imageManifestJson("example.com/other", Map.of(), "/bin/sh"));
        String otherId = ok("fetch", "--insecure-options=image",
                TestImages.gnuTarAci(other, dir.resolve("other.aci"), Compression.XZ).toString()).strip();
        long before = journalIndex();

        CliRun run = rkj("image", "rm", busybox.substring(0, 20), "sha512-" + "0".repeat(128), "example.com/nope");

        assertEquals(254, run.code());
        assertEquals("successfully removed aci for image: " + busybox + "\n", run.out());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("2 of 3 image(s) not removed"), run.err());
        assertTrue(run.err().contains("sha512-" + "0".repeat(128) + ": image"), run.err());
        assertTrue(run.err().contains("example.com/nope: no image in the store is example.com/nope"), run.err());
        assertEquals(before + 1, journalIndex(), "one image.removed, nothing for the failures");
        assertFalse(Files.exists(dir.resolve("cas/blobs").resolve(busybox)));
        assertTrue(Files.exists(dir.resolve("cas/blobs").resolve(otherId)));
        assertEquals(otherId, ok("image", "list", "--full", "--no-legend").split("\\s+")[0]);
        assertEquals("successfully removed aci for image: " + otherId + "\n", ok("image", "rm", "example.com/other"));
        assertEquals("", ok("image", "list", "--no-legend"));
    }

    @Test
    void extractWritesTheImagesOwnManifestAndRootfs() throws Exception {
        Path out = dir.resolve("extracted");
        Path rootfsOnly = dir.resolve("rootfs-only");

        ok("image", "extract", busybox, out.toString());
        ok("image", "extract", "--rootfs-only", "example.com/busybox", rootfsOnly.toString());

        TreeSnapshot source = TreeSnapshot.of(busyboxDir.resolve("rootfs"));
        assertEquals(List.of(), source.differencesFrom(TreeSnapshot.of(out.resolve("rootfs"))));
        assertEquals(List.of(), source.differencesFrom(TreeSnapshot.of(rootfsOnly)));
        assertEquals(BUSYBOX_MANIFEST, Files.readString(out.resolve("manifest")));
        CliRun again = rkj("image", "extract", busybox, out.toString());
        assertEquals(254, again.code());
        assertTrue(again.oneLineError() && again.err().contains("already exists: pass --overwrite"), again.err());
        ok("image", "extract", "--overwrite", "--rootfs-only", busybox, out.toString());
        assertEquals(List.of(), source.differencesFrom(TreeSnapshot.of(out)));
    }

    @Test
    void renderCopiesTheTreeWithItsDependenciesLaidUnderIt() throws Exception {
        Path app = dir.resolve("app");
        Files.createDirectories(app.resolve("rootfs/etc"));
        Files.writeString(app.resolve("rootfs/etc/hostname"), "app\n");
        Files.writeString(app.resolve("rootfs/app.conf"), "conf\n");
        Files.writeString(app.resolve("manifest"), "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\","
                + " \"name\": \"example.com/app\", \"dependencies\": [{\"imageName\": \"example.com/busybox\","
                + " \"labels\": [{\"name\": \"version\", \"value\": \"1.36\"}]}]}");
        String appId = ok("image", "build", app.toString(), dir.resolve("app.aci").toString()).strip();
        assertEquals(appId, ok("fetch", "--insecure-options=image", dir.resolve("app.aci").toString()).strip());
        Path out = dir.resolve("rendered");

        ok("image", "render", "--rootfs-only", "example.com/app", out.toString());

        assertEquals("app\n", Files.readString(out.resolve("etc/hostname")), "the image overrides its dependency");
        assertEquals("conf\n", Files.readString(out.resolve("app.conf")));
        assertEquals("root:x:0:0:root:/root:/bin/sh\n", Files.readAllLines(out.resolve("etc/passwd")).get(0) + "\n");
        assertTrue(Files.isExecutable(out.resolve("bin/busybox")));
        assertEquals("busybox", Files.readSymbolicLink(out.resolve("bin/sh")).toString());
        TreeSnapshot tree = TreeSnapshot.of(dir.resolve("cas/trees").resolve(appId).resolve("rootfs"));
        assertEquals(List.of(), tree.differencesFrom(TreeSnapshot.of(out)));
        JsonNode listed = Json.mapper().readTree(ok("image", "list", "--format=json"));
        assertTrue(listed.get(1).get("rendered").asBoolean());
        Path whole = dir.resolve("whole");
        ok("image", "render", appId, whole.toString());
        assertTrue(Files.isRegularFile(whole.resolve("manifest")) && Files.isDirectory(whole.resolve("rootfs/bin")));
    }

    @Test
    void exportWritesTheStoredAciByteForByte() throws Exception {
        Path out = dir.resolve("exported.aci");

        ok("image", "export", busybox, out.toString());

        assertArrayEquals(Files.readAllBytes(busyboxAci), Files.readAllBytes(out));
        CliRun again = rkj("image", "export", busybox, out.toString());
        assertEquals(254, again.code());
        assertTrue(again.oneLineError() && again.err().contains("pass --overwrite"), again.err());
        Files.writeString(out, "stale");
        ok("image", "export", "--overwrite", busybox, out.toString());
        assertArrayEquals(Files.readAllBytes(busyboxAci), Files.readAllBytes(out));
    }

    @Test
    void gcRemovesTreesOfRemovedImagesAndLeftovers() throws Exception {
        ok("image", "render", busybox, dir.resolve("r").toString());
        Path tree = dir.resolve("cas/trees").resolve(busybox);
        assertTrue(Files.isDirectory(tree.resolve("rootfs/bin")));
        Path leftover = Files.createDirectories(dir.resolve("cas/trees/." + busybox + ".unpack-99/tree"));
        Path partial = Files.writeString(dir.resolve("cas/blobs/.fetch-7.tmp"), "partial");

        String gc = ok("image", "gc");

        assertTrue(gc.contains("removed leftover " + leftover.getParent()), gc);
        assertTrue(gc.contains("removed leftover " + partial), gc);
        assertTrue(Files.isDirectory(tree), "the tree of a stored image stays");
        ok("image", "rm", busybox);
        assertFalse(Files.exists(tree), "rm deletes the tree");
        assertEquals("nothing to remove\n", ok("image", "gc"));
    }

    @Test
    void buildThenFetchThenExtractGivesBackTheSourceTree() throws Exception {
        Path image = dir.resolve("features");
        TestImages.busyboxRootfs(image.resolve("rootfs"));
        TestImages.featureRootfs(image.resolve("rootfs"));
        String manifest = TestImages.imageManifestJson("example.com/features", Map.of("version", "2.0.0"), "/bin/sh");
        Files.writeString(image.resolve("manifest"), manifest);
        Path aci = dir.resolve("features.aci");

        String built = ok("image", "build", "--compression=xz", image.toString(), aci.toString()).strip();
        String fetched = ok("fetch", "--insecure-options=image", aci.toString()).strip();
        ok("image", "extract", fetched, dir.resolve("out").toString());

        assertEquals(built, fetched);
        assertEquals(TestImages.sha512sumImageId(aci, Compression.XZ), built);
        assertEquals(List.of(), TreeSnapshot.of(image.resolve("rootfs")).differencesFrom(TreeSnapshot.of(dir.resolve("out/rootfs"))));
        assertEquals(manifest, Files.readString(dir.resolve("out/manifest")));
        CliRun exists = rkj("image", "build", image.toString(), aci.toString());
        assertEquals(254, exists.code());
        assertTrue(exists.oneLineError() && exists.err().contains("already exists: pass --overwrite"), exists.err());
        assertEquals(built, ok("image", "build", "--overwrite", "--compression=xz", image.toString(), aci.toString()).strip());
    }

    @Test
    void buildRefusesAnInvalidManifestListingEveryProblemAndWritesNothing() throws Exception {
        Path image = dir.resolve("bad");
        Files.createDirectories(image.resolve("rootfs"));
        Files.writeString(image.resolve("manifest"), "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\","
                + " \"name\": \"-bad-\", \"labels\": [{\"name\": \"os\", \"value\": \"plan9\"}],"
                + " \"app\": {\"exec\": [\"/bin/sh\"], \"group\": \"0\", \"mountPoints\": [{\"name\": \"Bad Name\", \"path\": \"/x\"}]}}");
        Path aci = dir.resolve("bad.aci");
        long before = journalIndex();

        CliRun run = rkj("image", "build", image.toString(), aci.toString());

        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        for (String path : List.of("$.name:", "$.labels[0].value:", "$.app.user:", "$.app.mountPoints[0].name:")) {
            assertTrue(run.err().contains(path), path + " missing from " + run.err());
        }
        assertTrue(run.err().contains("4 problems"), run.err());
        assertFalse(Files.exists(aci));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary");
        }
        assertEquals(before, journalIndex());
        CliRun badCompression = rkj("image", "build", "--compression=zstd", image.toString(), aci.toString());
        assertEquals(254, badCompression.code());
        assertTrue(badCompression.err().contains("unknown --compression 'zstd'"), badCompression.err());
    }

    @Test
    void anAmbiguousPrefixIsAOneLineErrorListingTheCandidates() throws Exception {
        // images until two IDs share their first hex digit (at most 17)
        Map<Character, String> byDigit = new java.util.HashMap<>();
        byDigit.put(busybox.charAt(7), busybox);
        String clash = null;
        for (int i = 0; clash == null; i++) {
            Path image = dir.resolve("img" + i);
            Files.createDirectories(image.resolve("rootfs"));
            Files.writeString(image.resolve("rootfs/n"), "" + i);
            Files.writeString(image.resolve("manifest"), TestImages.imageManifestJson("example.com/n", Map.of()));
            String id = ok("image", "build", image.toString(), dir.resolve("img" + i + ".aci").toString()).strip();
            ok("fetch", "--insecure-options=image", dir.resolve("img" + i + ".aci").toString());
            String previous = byDigit.putIfAbsent(id.charAt(7), id);
            if (previous != null) {
                clash = previous + " " + id;
            }
        }
        String[] pair = clash.split(" ");

        CliRun run = rkj("image", "cat-manifest", pair[0].substring(0, 8));

        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains(pair[0].substring(0, 39)) && run.err().contains(pair[1].substring(0, 39)), run.err());
        assertTrue(run.err().contains("give more digits of the ID"), run.err());
    }

    @Test
    void anImagesLabelsCannotDriveTheTerminalOrForgeLines() throws Exception {
        String hostile = "1\u001b[31mRED\nFORGED LINE\u009b2J\u202e";
        Path image = dir.resolve("hostile");
        Files.createDirectories(image.resolve("rootfs"));
        Files.writeString(image.resolve("manifest"), TestImages.imageManifestJson("example.com/hostile",
                Map.of("version", hostile)));
        Path aci = dir.resolve("hostile.aci");
        ok("image", "build", image.toString(), aci.toString());
        ok("fetch", "--insecure-options=image", aci.toString());

        List<String> outputs = List.of(ok("image", "list"), ok("journal", "show"),
                rkj("image", "cat-manifest", "example.com/hostile,version=nope" + hostile).err());
        for (String out : outputs) {
            assertFalse(out.chars().anyMatch(c -> c == 0x1b || c == 0x9b || c == 0x202e), out);
            assertTrue(out.lines().noneMatch(line -> line.startsWith("FORGED")), out);
        }
        assertTrue(outputs.get(0).contains("example.com/hostile:1\\u001b[31mRED\\u000aFORGED LINE"), outputs.get(0));
        JsonNode json = Json.mapper().readTree(ok("image", "list", "--format=json"));
        boolean found = false;
        for (JsonNode node : json) {
            found |= hostile.equals(node.get("labels").get("version").asText());
        }
        assertTrue(found, "JSON output keeps the label's value exactly: " + json);
    }

    @Test
    void everyImageSubcommandHasHelp() {
        for (String sub : List.of("list", "rm", "cat-manifest", "extract", "render", "export", "gc", "build")) {
            CliRun run = CliRun.of("image", sub, "--help");
            assertEquals(0, run.code(), sub + ": " + run.err());
            assertTrue(run.out().contains("Usage: rkj image " + sub), run.out());
        }
        CliRun fetch = CliRun.of("fetch", "--help");
        assertTrue(fetch.out().contains("--insecure-options"), fetch.out());
    }

    private long journalIndex() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(dir.resolve("journal"), EngineEvents.registry())) {
            return journal.nextIndex();
        }
    }
}
