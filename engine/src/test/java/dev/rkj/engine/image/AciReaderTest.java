package dev.rkj.engine.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.testing.Commands;
import dev.rkj.engine.testing.HostileAciBuilder;
import dev.rkj.engine.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AciReaderTest {
    private static final String MANIFEST = TestImages.imageManifestJson("example.com/busybox", Map.of("version", "1.36"),
            "/bin/sh", "-c", "echo hello");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Compression.class)
    void imageIdIsTheSha512OfTheUncompressedTarAsSha512sumComputesIt(Compression compression) throws Exception {
        Path image = TestImages.busyboxImageDir(dir.resolve("image"), MANIFEST);
        Path aci = TestImages.gnuTarAci(image, dir.resolve("busybox.aci"), compression);

        AciInfo info = new AciReader().read(aci);

        assertEquals(TestImages.sha512sumImageId(aci, compression), info.imageId());
        assertEquals(compression, info.compression());
        assertArrayEquals(MANIFEST.getBytes(StandardCharsets.UTF_8), info.manifestJson());
        Path tar = dir.resolve("plain.tar");
        if (compression == Compression.NONE) {
            Files.copy(aci, tar);
        } else {
            Commands.run(tar, TestImages.compressor(compression), "-dc", aci.toString());
        }
        assertEquals(Files.size(tar), info.uncompressedSize(), "every uncompressed byte, end padding included");
        long listed = Commands.run("tar", "-tf", aci.toString()).lines().count();
        assertEquals(listed, info.entryCount());
        assertEquals(Optional.empty(), info.signature());
    }

    @Test
    void imageIdCoversEveryByteAfterTheEndOfArchiveRecords() throws Exception {
        Path image = TestImages.busyboxImageDir(dir.resolve("image"), MANIFEST);
        Path aci = TestImages.gnuTarAci(image, dir.resolve("busybox.aci"), Compression.NONE);
        String before = new AciReader().read(aci).imageId();

        Files.write(aci, new byte[20_000], StandardOpenOption.APPEND);
        AciInfo after = new AciReader().read(aci);

        assertNotEquals(before, after.imageId());
        assertEquals(TestImages.sha512sumImageId(aci, Compression.NONE), after.imageId());
        assertEquals(Files.size(aci), after.uncompressedSize());
    }

    @Test
    void compressionIsDetectedByMagicBytesNotByFileName() throws Exception {
        Path image = TestImages.busyboxImageDir(dir.resolve("image"), MANIFEST);
        Path misnamed = TestImages.gnuTarAci(image, dir.resolve("busybox.tar.gz"), Compression.XZ);

        AciInfo info = new AciReader().read(misnamed);

        assertEquals(Compression.XZ, info.compression());
        assertEquals(TestImages.sha512sumImageId(misnamed, Compression.XZ), info.imageId());
    }

    @Test
    void detachedSignatureBesideTheAciIsReported() throws Exception {
        Path aci = HostileAciBuilder.validStart().file("rootfs/a", "x").write(dir.resolve("image.aci"), Compression.GZIP);
        Path signature = Files.writeString(dir.resolve("image.aci.asc"), "-----BEGIN PGP SIGNATURE-----\n");

        assertEquals(Optional.of(signature), new AciReader().read(aci).signature());
    }

    @Test
    void fileThatIsNotAnArchiveIsRefusedWithWhatItLooksLike() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.aci"), "just some text, not a tar at all\n".repeat(20));

        AciFormatException e = assertThrows(AciFormatException.class, () -> new AciReader().read(text));

        assertTrue(e.getMessage().startsWith(text + ": not an ACI: unrecognized data (first bytes 6a75737420736f6d)"),
                e.getMessage());
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.aci"));

        AciFormatException e = assertThrows(AciFormatException.class, () -> new AciReader().read(empty));

        assertEquals(empty + ": the file is empty; fetch the image again", e.getMessage());
    }

    @Test
    void missingFileIsRefusedNamingIt() {
        Path missing = dir.resolve("missing.aci");

        AciFormatException e = assertThrows(AciFormatException.class, () -> new AciReader().read(missing));

        assertEquals(missing + ": no such file", e.getMessage());
    }

    @Test
    void corruptGzipTrailerIsRefused() throws IOException {
        Path aci = HostileAciBuilder.validStart().file("rootfs/a", "hello").write(dir.resolve("image.aci"), Compression.GZIP);
        byte[] bytes = Files.readAllBytes(aci);
        bytes[bytes.length - 6] ^= 0x55; // inside the CRC32 of the gzip trailer
        Files.write(aci, bytes);

        AciFormatException e = assertThrows(AciFormatException.class, () -> new AciReader().read(aci));

        assertTrue(e.getMessage().contains("corrupt or truncated gzip-compressed tar"), e.getMessage());
    }

    @Test
    void rootfsEntriesWithLegitimateSymlinksAreAccepted() throws Exception {
        Path aci = HostileAciBuilder.validStart()
                .directory("rootfs/usr/bin/")
                .symlink("rootfs/usr/bin/X11", ".")
                .symlink("rootfs/bin", "usr/bin")
                .symlink("rootfs/etc-mtab", "/proc/self/mounts")
                .symlink("rootfs/usr/bin/up", "../../usr/./bin/../bin")
                .symlink("rootfs/usr/bin/dangling", "no/such/file")
                .symlink("rootfs/loop", "loop")
                .write(dir.resolve("links.aci"), Compression.NONE);

        AciInfo info = new AciReader().read(aci);

        assertEquals(9, info.entryCount());
    }
}
