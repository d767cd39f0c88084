package dev.rkj.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rkj.engine.testing.Commands;
import dev.rkj.engine.testing.HostileAciBuilder;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.engine.testing.TreeSnapshot;
import dev.rkj.testsupport.Privileged;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ownership, setuid after chown, and device nodes: needs root. */
class AciUnpackIT {
    private static final String MANIFEST = TestImages.imageManifestJson("example.com/owned", Map.of("version", "1"), "/bin/sh");

    @TempDir
    Path dir;
    private Path image;
    private Path rootfs;

    @BeforeEach
    void buildOwnedTree() throws Exception {
        Privileged.requireRoot();
        image = TestImages.busyboxImageDir(dir.resolve("image"), MANIFEST);
        rootfs = TestImages.featureRootfs(image.resolve("rootfs"));
        // setuid and setgid on files owned by someone else than root: chown after chmod would clear them
        chown("usr/bin/suid-tool", 1000, 1000);
        chmod("usr/bin/suid-tool", 06755);
        chown("srv/shared", 0, 50);
        chmod("srv/shared", 02775);
        chown("data/hard1", 1234, 5678);
        chown("usr/share/empty", 42, 43);
        chown("tmp", 0, 0);
        Files.setAttribute(rootfs.resolve("data/share-link"), "unix:uid", 1001, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(rootfs.resolve("data/share-link"), "unix:gid", 1002, LinkOption.NOFOLLOW_LINKS);
        Path dev = Files.createDirectories(rootfs.resolve("dev"));
        Commands.run("mknod", "-m", "0666", dev.resolve("null").toString(), "c", "1", "3");
        Commands.run("mknod", "-m", "0660", dev.resolve("loop7").toString(), "b", "7", "7");
        Commands.run("mknod", "-m", "0620", dev.resolve("initctl").toString(), "p");
        chown("dev/loop7", 0, 6);
        chown("dev/initctl", 33, 33);
        TestImages.setDistinctMtimes(rootfs, Instant.parse("2019-01-02T03:04:05Z"));
    }

    @Test
    void ownershipSetuidAndDeviceNodesSurviveWritingAndUnpacking() throws Exception {
        Path aci = dir.resolve("owned.aci");
        String imageId = new AciWriter(ManifestValidator.jsonObject()).write(image, aci, Compression.GZIP);

        UnpackResult result = new AciUnpacker().unpack(aci, dir.resolve("store/tree"),
                UnpackOptions.defaults().withAllowDeviceNodes(true));

        assertEquals(imageId, result.imageId());
        assertEquals(List.of(), TreeSnapshot.of(rootfs).differencesFrom(TreeSnapshot.of(result.rootfs())));
        assertEquals(06755, (Integer) Files.getAttribute(result.rootfs().resolve("usr/bin/suid-tool"), "unix:mode") & 07777);
        assertEquals(1001, Files.getAttribute(result.rootfs().resolve("data/share-link"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, Files.getAttribute(result.rootfs().resolve("usr/share"), "unix:uid"),
                "the symlink's owner is set on the link, not on its target");
    }

    @Test
    void rkjUnpackMatchesGnuTarExtractionOfTheSameArchive() throws Exception {
        Path aci = TestImages.gnuTarAci(image, dir.resolve("gnu.aci"), Compression.XZ);
        Path gnu = Files.createDirectories(dir.resolve("gnu"));
        Commands.run("tar", "--numeric-owner", "-xpf", aci.toString(), "-C", gnu.toString());

        UnpackResult result = new AciUnpacker().unpack(aci, dir.resolve("store/tree"),
                UnpackOptions.defaults().withAllowDeviceNodes(true));

        assertEquals(List.of(), TreeSnapshot.of(gnu.resolve("rootfs")).differencesFrom(TreeSnapshot.of(result.rootfs())));
        assertEquals(List.of(), TreeSnapshot.of(rootfs).differencesFrom(TreeSnapshot.of(gnu.resolve("rootfs"))),
                "GNU tar itself round-trips the tree, so the comparison is sound");
    }

    @Test
    void withoutPreservingOwnershipEverythingBelongsToTheUnpacker() throws Exception {
        TarArchiveEntry header = new TarArchiveEntry("rootfs/owned");
        header.setUserId(4321);
        header.setGroupId(8765);
        header.setSize(1);
        Path aci = HostileAciBuilder.validStart().entry(header, new byte[] {'x'}).write(dir.resolve("owned.aci"), Compression.NONE);

        UnpackResult result = new AciUnpacker().unpack(aci, dir.resolve("store/tree"),
                UnpackOptions.defaults().withPreserveOwnership(false));

        assertEquals(0, Files.getAttribute(result.rootfs().resolve("owned"), "unix:uid"));
        assertEquals(0, Files.getAttribute(result.rootfs().resolve("owned"), "unix:gid"));
    }

    private void chown(String path, int uid, int gid) throws Exception {
        Files.setAttribute(rootfs.resolve(path), "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(rootfs.resolve(path), "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    private void chmod(String path, int mode) throws Exception {
        Files.setAttribute(rootfs.resolve(path), "unix:mode", mode);
    }
}
