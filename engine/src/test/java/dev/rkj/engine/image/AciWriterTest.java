package dev.rkj.engine.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.testing.Commands;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.engine.testing.TreeSnapshot;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AciWriterTest {
    private static final String MANIFEST = TestImages.imageManifestJson("example.com/features", Map.of("version", "2"),
            "/bin/sh");

    @TempDir
    Path dir;
    private Path image;
    private final AciWriter writer = new AciWriter(ManifestValidator.jsonObject());

    @BeforeEach
    void buildImageDirectory() {
        image = TestImages.busyboxImageDir(dir.resolve("image"), MANIFEST);
        TestImages.featureRootfs(image.resolve("rootfs"));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void returnedImageIdIsTheSha512OfTheUncompressedTarWritten(Compression compression) throws Exception {
        Path aci = dir.resolve("out/features.aci");

        String imageId = writer.write(image, aci, compression);

        assertEquals(TestImages.sha512sumImageId(aci, compression), imageId);
        AciInfo info = new AciReader().read(aci);
        assertEquals(imageId, info.imageId());
        assertEquals(compression, info.compression());
        assertEquals(MANIFEST, new String(info.manifestJson(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void writingTheSameTreeTwiceGivesIdenticalArchives() throws Exception {
        String first = writer.write(image, dir.resolve("first.aci"), Compression.GZIP);
        String second = writer.write(image, dir.resolve("second.aci"), Compression.GZIP);

        assertEquals(first, second);
        assertArrayEquals(Files.readAllBytes(dir.resolve("first.aci")), Files.readAllBytes(dir.resolve("second.aci")));
    }

    @Test
    void entriesComeInGnuTarSortedOrderWithTheManifestFirst() throws Exception {
        Path ours = dir.resolve("ours.aci");
        writer.write(image, ours, Compression.NONE);
        Path gnu = TestImages.gnuTarAci(image, dir.resolve("gnu.aci"), Compression.NONE);

        List<String> ourEntries = Commands.run("tar", "-tf", ours.toString()).lines().collect(Collectors.toList());
        List<String> gnuEntries = Commands.run("tar", "-tf", gnu.toString()).lines().collect(Collectors.toList());

        assertEquals("manifest", ourEntries.get(0));
        assertEquals("rootfs/", ourEntries.get(1));
        assertEquals(gnuEntries, ourEntries);
    }

    @Test
    void gnuTarExtractsTheArchiveIntoTheSameTree() throws Exception {
        Path aci = dir.resolve("features.aci");
        writer.write(image, aci, Compression.BZIP2);
        Path extracted = Files.createDirectories(dir.resolve("extracted"));

        Commands.run("tar", "--numeric-owner", "-xpf", aci.toString(), "-C", extracted.toString());

        List<String> differences = TreeSnapshot.of(image.resolve("rootfs")).differencesFrom(TreeSnapshot.of(extracted.resolve("rootfs")));
        assertEquals(List.of(), differences);
        assertEquals(MANIFEST, Files.readString(extracted.resolve("manifest")));
    }

    @Test
    void hardLinksAreWrittenOnceThenAsLinkEntries() throws Exception {
        Path aci = dir.resolve("features.aci");
        writer.write(image, aci, Compression.NONE);

        String listing = Commands.run("tar", "-tvf", aci.toString());

        assertTrue(listing.lines().anyMatch(line -> line.startsWith("-") && line.endsWith(" rootfs/data/hard1")), listing);
        assertTrue(listing.lines().anyMatch(line -> line.startsWith("h") && line.endsWith(" rootfs/data/hard2 link to rootfs/data/hard1")),
                listing);
        assertTrue(listing.lines().anyMatch(line -> line.startsWith("-rwsr-xr-x") && line.endsWith(" rootfs/usr/bin/suid-tool")),
                listing);
        assertTrue(listing.lines().anyMatch(line -> line.endsWith(" rootfs/bin/sh -> busybox")), listing);
    }

    @Test
    void invalidManifestIsRefusedAndNothingIsWritten() throws IOException {
        Files.writeString(image.resolve("manifest"), "{ not json");
        Path out = Files.createDirectories(dir.resolve("out"));

        AciBuildException e = assertThrows(AciBuildException.class, () -> writer.write(image, out.resolve("x.aci"), Compression.GZIP));

        assertTrue(e.getMessage().startsWith(image.resolve("manifest") + " is not a valid image manifest: the manifest is not valid JSON"),
                e.getMessage());
        assertEquals(List.of(), list(out));
    }

    @Test
    void validatorRejectionIsReportedWithItsReason() {
        AciWriter strict = new AciWriter(json -> {
            throw new InvalidManifestException("acKind must be ImageManifest");
        });

        AciBuildException e = assertThrows(AciBuildException.class, () -> strict.write(image, dir.resolve("x.aci"), Compression.NONE));

        assertTrue(e.getMessage().endsWith("is not a valid image manifest: acKind must be ImageManifest"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("x.aci")));
    }

    @Test
    void extraTopLevelFilesAreRefused() throws IOException {
        Files.writeString(image.resolve("README"), "x");
        Files.createDirectory(image.resolve("extra"));

        AciBuildException e = assertThrows(AciBuildException.class, () -> writer.write(image, dir.resolve("x.aci"), Compression.NONE));

        assertTrue(e.getMessage().startsWith(image + " holds [README, extra] besides manifest and rootfs/"), e.getMessage());
    }

    @Test
    void missingManifestIsRefused() throws IOException {
        Files.delete(image.resolve("manifest"));

        AciBuildException e = assertThrows(AciBuildException.class, () -> writer.write(image, dir.resolve("x.aci"), Compression.NONE));

        assertEquals(image.resolve("manifest") + " is missing or not a regular file: write the image manifest there", e.getMessage());
    }

    @Test
    void socketInTheTreeIsRefusedAndNothingIsWritten() throws IOException {
        Path socket = image.resolve("rootfs/tmp/app.sock");
        Path out = Files.createDirectories(dir.resolve("out"));
        try (ServerSocketChannel server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));

            AciBuildException e = assertThrows(AciBuildException.class, () -> writer.write(image, out.resolve("x.aci"), Compression.GZIP));

            assertEquals(socket + " is a socket, which a tar cannot hold: remove it from the image directory", e.getMessage());
            assertEquals(List.of(), list(out));
        }
    }

    @Test
    void anExistingArchiveIsReplaced() throws Exception {
        Path aci = Files.writeString(dir.resolve("features.aci"), "old contents");

        String imageId = writer.write(image, aci, Compression.XZ);

        assertEquals(imageId, new AciReader().read(aci).imageId());
        assertEquals(List.of("features.aci", "image"), list(dir));
    }

    private static List<String> list(Path directory) throws IOException {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
