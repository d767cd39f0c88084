package dev.rkj.api.cli;

import static dev.rkj.engine.testing.HostileAciBuilder.aci;
import static dev.rkj.engine.testing.HostileAciBuilder.validStart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.testing.HostileAciBuilder;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.eventlog.ChronicleJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code rkj fetch}: image IDs as sha512sum computes them, and refusals that leave the store as it was. */
class FetchCommandTest {
    static final String MANIFEST = TestImages.imageManifestJson("example.com/busybox", Map.of("version", "1.36"), "/bin/sh");

    @TempDir
    Path dir;

    CliRun rkj(String... args) {
        String[] all = Stream.concat(Stream.of("--dir", dir.toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.of(all);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void fetchPrintsTheImageIdThatSha512sumGivesForTheUncompressedTar(Compression compression) {
        Path image = TestImages.busyboxImageDir(dir.resolve("image"), MANIFEST);
        Path aci = TestImages.gnuTarAci(image, dir.resolve("busybox.aci"), compression);

        CliRun run = rkj("fetch", "--insecure-options=image", aci.toString());

        assertEquals(0, run.code(), run.err());
        assertEquals(TestImages.sha512sumImageId(aci, compression) + "\n", run.out());
        assertEquals("", run.err());
        assertTrue(Files.isRegularFile(dir.resolve("cas/blobs").resolve(run.out().strip())));
    }

    @Test
    void fetchingAgainPrintsTheSameIdAndStoresOnce() throws Exception {
        Path aci = TestImages.gnuTarAci(TestImages.busyboxImageDir(dir.resolve("image"), MANIFEST), dir.resolve("b.aci"),
                Compression.GZIP);
        CliRun first = rkj("fetch", "--insecure-options=image", aci.toString());

        CliRun second = rkj("fetch", "--insecure-options=image", aci.toString(), aci.toString());

        assertEquals(0, second.code(), second.err());
        assertEquals(first.out() + first.out(), second.out());
        assertEquals(1, journalIndex(), "one image.stored event");
    }

    @Test
    void fetchRefusesToSkipSignatureVerificationUnlessToldAndStoresNothing() throws Exception {
        Path aci = TestImages.gnuTarAci(TestImages.busyboxImageDir(dir.resolve("image"), MANIFEST), dir.resolve("b.aci"),
                Compression.GZIP);

        CliRun run = rkj("fetch", aci.toString());
        CliRun unknown = rkj("fetch", "--insecure-options=image,bogus", aci.toString());

        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("pass --insecure-options=image"), run.err());
        assertEquals(254, unknown.code());
        assertTrue(unknown.err().contains("unknown --insecure-options value 'bogus'"), unknown.err());
        assertEquals(0, Files.exists(dir.resolve("cas/blobs")) ? blobs().size() : 0);
    }

    @Test
    void unreachableUrlsOtherSchemesAndMissingFilesAreOneLineErrors() {
        CliRun url = rkj("fetch", "--insecure-options=image", "https://127.0.0.1:1/app.aci");
        CliRun ftp = rkj("fetch", "--insecure-options=image", "ftp://example.com/app.aci");
        CliRun missing = rkj("fetch", "--insecure-options=image", dir.resolve("nope.aci").toString());

        assertEquals(254, url.code());
        assertTrue(url.oneLineError() && url.err().contains("cannot connect to 127.0.0.1"), url.err());
        assertEquals(254, ftp.code());
        assertTrue(ftp.oneLineError() && ftp.err().contains("http:// and https:// URLs only"), ftp.err());
        assertEquals(254, missing.code());
        assertTrue(missing.oneLineError(), missing.err());
        assertEquals("rkj: " + dir.resolve("nope.aci") + ": no such file\n", missing.err());
    }

    @Test
    void aManifestWithManyErrorsListsThemAllWithTheirPaths() throws Exception {
        seedOneImage();
        long before = journalIndex();
        Path image = TestImages.busyboxImageDir(dir.resolve("bad"), "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\","
                + " \"name\": \"UPPER/case\", \"labels\": [{\"name\": \"name\", \"value\": \"x\"}, {\"name\": \"arch\", \"value\": \"vax\"},"
                + " {\"name\": \"os\", \"value\": \"linux\"}], \"app\": {\"exec\": [\"relative\"], \"user\": \"0\"},"
                + " \"annotations\": [{\"name\": \"created\", \"value\": \"yesterday\"}], \"pathWhitelist\": [\"etc\"]}");
        Path aci = TestImages.gnuTarAci(image, dir.resolve("bad.aci"), Compression.BZIP2);

        CliRun run = rkj("fetch", "--insecure-options=image", aci.toString());

        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        for (String path : List.of("$.name:", "$.labels[0].name:", "$.labels[1].value:", "$.app.group:",
                "$.annotations[0].value:", "$.pathWhitelist[0]:")) {
            assertTrue(run.err().contains(path), path + " missing from " + run.err());
        }
        assertTrue(run.err().contains("entry 'manifest'"), run.err());
        assertEquals(before, journalIndex(), "journal unchanged");
        assertEquals(1, blobs().size(), "only the seeded image: no blob, no temporary");
    }

    /** A hostile archive: how it is built, the entry the error must name, and what it must say. */
    record Hostile(String name, Supplier<HostileAciBuilder> build, String entry, String problem) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The archives HostileAciTest shows AciReader refusing (those only an unpack policy refuses are below). */
    static Stream<Hostile> hostile() {
        return Stream.of(
                new Hostile("dot-dot escape", () -> validStart().file("rootfs/../../sentinel/pwned", "x"),
                        "rootfs/../../sentinel/pwned", "'..' component"),
                new Hostile("dot-dot in the middle", () -> validStart().file("rootfs/a/../../../sentinel/pwned", "x"),
                        "rootfs/a/../../../sentinel/pwned", "'..' component"),
                new Hostile("absolute path", () -> validStart().file("/tmp/rkj-hostile/pwned", "x"),
                        "/tmp/rkj-hostile/pwned", "absolute path"),
                new Hostile("symlink escaping with ..", () -> validStart().symlink("rootfs/escape", "../../sentinel"),
                        "rootfs/escape", "escapes the rootfs"),
                new Hostile("symlink escaping from a subdirectory", () -> validStart().directory("rootfs/a/b/")
                        .symlink("rootfs/a/b/up", "../../../sentinel"), "rootfs/a/b/up", "escapes the rootfs"),
                new Hostile("file written through an earlier symlink", () -> validStart().symlink("rootfs/evil", "/tmp")
                        .file("rootfs/evil/pwned", "x"), "rootfs/evil/pwned", "is a symlink"),
                new Hostile("directory created through an earlier symlink", () -> validStart().symlink("rootfs/evil", "/tmp")
                        .directory("rootfs/evil/sub/"), "rootfs/evil/sub/", "is a symlink"),
                new Hostile("symlink escaping through an earlier symlink", () -> validStart().directory("rootfs/d/")
                        .symlink("rootfs/d/up", "..").symlink("rootfs/esc", "d/up/.."), "rootfs/esc", "escapes the rootfs"),
                new Hostile("symlink made to escape by a later symlink", () -> validStart().symlink("rootfs/b", "c/x/../..")
                        .directory("rootfs/x/").symlink("rootfs/c", "."), "rootfs/b", "escapes the rootfs"),
                new Hostile("hard link with ..", () -> validStart().hardlink("rootfs/h", "rootfs/../../sentinel/x"),
                        "rootfs/h", "'..' component"),
                new Hostile("hard link to an absolute path", () -> validStart().hardlink("rootfs/h", "/etc/passwd"),
                        "rootfs/h", "absolute path"),
                new Hostile("hard link to the manifest", () -> validStart().hardlink("rootfs/h", "manifest"),
                        "rootfs/h", "outside rootfs/"),
                new Hostile("hard link to a later entry", () -> validStart().hardlink("rootfs/h", "rootfs/later")
                        .file("rootfs/later", "x"), "rootfs/h", "not an earlier entry"),
                new Hostile("hard link to a directory", () -> validStart().directory("rootfs/d/").hardlink("rootfs/h", "rootfs/d"),
                        "rootfs/h", "to a directory"),
                new Hostile("hard link through a symlink", () -> validStart().symlink("rootfs/l", "/tmp")
                        .hardlink("rootfs/h", "rootfs/l/x"), "rootfs/h", "not an earlier entry"),
                new Hostile("device node outside /dev", () -> validStart().directory("rootfs/etc/").charDevice("rootfs/etc/mem", 1, 1),
                        "rootfs/etc/mem", "a character device (1:1) is refused: an image may hold device nodes and FIFOs only under /dev"),
                new Hostile("FIFO outside /dev", () -> validStart().fifo("rootfs/pipe"), "rootfs/pipe", "a FIFO is refused"),
                new Hostile("hard link outside /dev to a device under it", () -> validStart().directory("rootfs/dev/")
                        .charDevice("rootfs/dev/mem", 1, 1).hardlink("rootfs/mem", "rootfs/dev/mem"),
                        "rootfs/mem", "a hard link to a character device (rootfs/dev/mem) is refused"),
                new Hostile("entry outside rootfs", () -> validStart().file("etc/passwd", "x"), "etc/passwd", "outside rootfs/"),
                new Hostile("extra top-level file", () -> validStart().file("extra", "x"), "extra", "outside rootfs/"),
                new Hostile("rootfs is a symlink", () -> aci().manifest().symlink("rootfs", "/tmp"),
                        "rootfs", "rootfs must be a directory"),
                new Hostile("manifest is a directory", () -> aci().directory("manifest/").directory("rootfs/"),
                        "manifest/", "must be a regular file"),
                new Hostile("manifest holds entries", () -> aci().manifest().file("manifest/x", "x"),
                        "manifest/x", "outside rootfs/"),
                new Hostile("manifest too large", () -> aci().file("manifest", new byte[(1 << 20) + 1]),
                        "manifest", "limit for manifests"),
                new Hostile("duplicate manifest", () -> validStart().manifest(), "manifest", "duplicate entry"),
                new Hostile("duplicate file", () -> validStart().file("rootfs/a", "1").file("rootfs/a", "2"),
                        "rootfs/a", "duplicate entry"),
                new Hostile("duplicate after normalization", () -> validStart().file("rootfs/a", "1").file("rootfs/./a", "2"),
                        "rootfs/./a", "duplicate entry"),
                new Hostile("duplicate directory", () -> validStart().directory("rootfs/d/").directory("rootfs/d/"),
                        "rootfs/d/", "duplicate entry"),
                new Hostile("file where a directory was implied", () -> validStart().file("rootfs/a/b", "1").file("rootfs/a", "2"),
                        "rootfs/a", "where earlier entries put a directory"),
                new Hostile("entry below a regular file", () -> validStart().file("rootfs/f", "1").file("rootfs/f/x", "2"),
                        "rootfs/f/x", "regular file, not a directory"),
                new Hostile("missing manifest", () -> aci().directory("rootfs/").file("rootfs/a", "x"),
                        null, "no 'manifest' entry"),
                new Hostile("huge declared size", () -> validStart().lyingFile("rootfs/liar", 1L << 40, new byte[] {1, 2, 3}),
                        "rootfs/liar", "corrupt or truncated"),
                new Hostile("declared size longer than the data", () -> validStart().lyingFile("rootfs/short", 10_000,
                        new byte[] {1, 2, 3}), "rootfs/short", "truncated"),
                new Hostile("archive without end-of-archive records", () -> validStart().file("rootfs/last", "x")
                        .withoutEndOfArchive(), "rootfs/last", "without a tar end-of-archive record after this entry"),
                new Hostile("archive cut inside a header", () -> validStart().file("rootfs/a", "x").file("rootfs/b", "y")
                        .truncateTarAt(5 * 512 + 100), "rootfs/a", "without a tar end-of-archive record"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void aHostileArchiveFailsFetchNamingTheEntryAndLeavesTheStoreAsItWas(Hostile hostile) throws Exception {
        seedOneImage();
        long before = journalIndex();
        List<String> blobsBefore = blobs();
        Path aci = hostile.build().get().write(dir.resolve("hostile.aci"), Compression.GZIP);

        CliRun run = rkj("fetch", "--insecure-options=image", aci.toString());

        assertEquals(254, run.code(), run.out());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains(hostile.problem()), run.err());
        if (hostile.entry() != null) {
            assertTrue(run.err().contains("entry '" + hostile.entry() + "'"), run.err());
        }
        assertEquals("", run.out());
        assertEquals(before, journalIndex(), "no event appended");
        assertEquals(blobsBefore, blobs(), "no blob and no temporary");
        try (Stream<Path> trees = Files.list(dir.resolve("cas/trees"))) {
            assertEquals(List.of(), trees.collect(Collectors.toList()));
        }
    }

    @Test
    void devicesUnderDevAreLeftOutWithANoteShownByImageListAndTheImageRenders() throws Exception {
        Path aci = validStart().directory("rootfs/dev/").charDevice("rootfs/dev/console", 5, 1)
                .charDevice("rootfs/dev/null", 1, 3).fifo("rootfs/dev/initctl").symlink("rootfs/dev/fd", "/proc/self/fd")
                .write(dir.resolve("debian.aci"), Compression.GZIP);

        CliRun fetch = rkj("fetch", "--insecure-options=image", aci.toString());

        assertEquals(0, fetch.code(), fetch.err());
        String id = fetch.out().strip();
        assertEquals("rkj: note: example.com/hostile:1 (" + id.substring(0, 39) + "): left 3 device nodes and FIFOs under"
                + " /dev (/dev/console, /dev/null, /dev/initctl) out of its tree: the pod mounts its own /dev there\n",
                fetch.err());
        String[] row = rkj("image", "list", "--full", "--no-legend").out().strip().split("\\s{2,}");
        assertEquals("/dev/console,/dev/null,/dev/initctl", row[4]);
        var json = dev.rkj.eventlog.Json.mapper().readTree(rkj("image", "list", "--format=json").out()).get(0).get("left_out");
        assertEquals(3, json.get("count").asInt());
        assertEquals("/dev/initctl", json.get("paths").get(2).asText());
        CliRun render = rkj("image", "render", id, dir.resolve("out").toString());
        assertEquals(0, render.code(), render.err());
        try (Stream<Path> dev = Files.list(dir.resolve("out/rootfs/dev"))) {
            assertEquals(List.of("fd"), dev.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
        }
    }

    private void seedOneImage() {
        Path image = TestImages.busyboxImageDir(dir.resolve("seed"), MANIFEST);
        Path aci = TestImages.gnuTarAci(image, dir.resolve("seed.aci"), Compression.GZIP);
        CliRun run = rkj("fetch", "--insecure-options=image", aci.toString());
        assertEquals(0, run.code(), run.err());
    }

    private long journalIndex() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(dir.resolve("journal"), EngineEvents.registry())) {
            return journal.nextIndex();
        }
    }

    private List<String> blobs() throws IOException {
        try (Stream<Path> list = Files.list(dir.resolve("cas/blobs"))) {
            return list.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
