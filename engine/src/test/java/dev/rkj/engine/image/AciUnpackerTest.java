package dev.rkj.engine.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.testing.HostileAciBuilder;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.engine.testing.TreeSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unpacking real images; runs unprivileged (ownership is kept only when running as root). */
class AciUnpackerTest {
    private static final String MANIFEST = TestImages.imageManifestJson("example.com/features", Map.of("version", "3"),
            "/bin/sh", "-c", "true");

    @TempDir
    Path dir;
    private Path image;
    private Path store;
    private final AciUnpacker unpacker = new AciUnpacker();

    @BeforeEach
    void buildImageDirectory() throws IOException {
        image = TestImages.busyboxImageDir(dir.resolve("image"), MANIFEST);
        TestImages.featureRootfs(image.resolve("rootfs"));
        store = Files.createDirectories(dir.resolve("store"));
    }

    @Test
    void unpackKeepsContentsModesMtimesLinksAndEmptyDirectoriesOfAGnuTarArchive() throws Exception {
        Path aci = TestImages.gnuTarAci(image, dir.resolve("features.aci"), Compression.GZIP);
        Path target = store.resolve("tree");

        UnpackResult result = unpacker.unpack(aci, target, UnpackOptions.defaults());

        assertEquals(List.of(), TreeSnapshot.of(image.resolve("rootfs")).differencesFrom(TreeSnapshot.of(result.rootfs())));
        assertEquals(TestImages.sha512sumImageId(aci, Compression.GZIP), result.imageId());
        assertEquals(target, result.target());
        assertEquals(MANIFEST, Files.readString(target.resolve("manifest")));
        assertArrayEquals(MANIFEST.getBytes(StandardCharsets.UTF_8), result.manifestJson());
        assertEquals(0700, (Integer) Files.getAttribute(target, "unix:mode") & 07777, "host users must not reach setuid files");
        assertEquals(List.of("tree"), list(store), "no temporary directory is left beside the target");
        assertEquals(Files.readAttributes(target.resolve("rootfs/data/hard1"), "unix:ino").get("ino"),
                Files.readAttributes(target.resolve("rootfs/data/hard2"), "unix:ino").get("ino"));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void writingThenUnpackingGivesBackTheSameTree(Compression compression) throws Exception {
        Path aci = dir.resolve("features.aci");
        String written = new AciWriter(ManifestValidator.jsonObject()).write(image, aci, compression);

        UnpackResult result = unpacker.unpack(aci, store.resolve("tree"), UnpackOptions.defaults());

        assertEquals(written, result.imageId());
        assertEquals(compression, result.compression());
        assertEquals(List.of(), TreeSnapshot.of(image.resolve("rootfs")).differencesFrom(TreeSnapshot.of(result.rootfs())));
        assertEquals(MANIFEST, Files.readString(result.target().resolve("manifest")));
    }

    @Test
    void unpackReadsFromAStreamInOnePass() throws Exception {
        Path aci = TestImages.gnuTarAci(image, dir.resolve("features.aci"), Compression.XZ);

        UnpackResult result;
        try (InputStream in = Files.newInputStream(aci)) {
            result = unpacker.unpack(in, "https://example.com/features.aci", store.resolve("tree"), UnpackOptions.defaults());
        }

        assertEquals(new AciReader().read(aci).imageId(), result.imageId());
        assertTrue(Files.isRegularFile(result.rootfs().resolve("bin/busybox")));
    }

    @Test
    void pathWhitelistKeepsOnlyListedPathsAndTheDirectoriesLeadingToThem() throws Exception {
        Path aci = TestImages.gnuTarAci(image, dir.resolve("features.aci"), Compression.NONE);
        UnpackOptions options = UnpackOptions.defaults()
                .withPathWhitelist(Set.of("/bin/busybox", "/etc/passwd", "/srv/shared/", "/deep/missing/file"));

        UnpackResult result = unpacker.unpack(aci, store.resolve("tree"), options);

        assertEquals(List.of("", "bin", "bin/busybox", "deep", "etc", "etc/passwd", "srv", "srv/shared"), tree(result.rootfs()));
        Map<String, TreeSnapshot.Node> source = TreeSnapshot.of(image.resolve("rootfs")).nodes();
        Map<String, TreeSnapshot.Node> kept = TreeSnapshot.of(result.rootfs()).nodes();
        assertEquals(source.get("bin/busybox"), kept.get("bin/busybox"));
        assertEquals(source.get("srv/shared").mode(), kept.get("srv/shared").mode(), "a kept directory keeps its mode");
        assertEquals(source.get("srv/shared").mtimeSeconds(), kept.get("srv/shared").mtimeSeconds(),
                "directory metadata is applied after pruning");
    }

    @Test
    void imageIdOtherThanTheExpectedOneLeavesNothing() throws Exception {
        Path aci = TestImages.gnuTarAci(image, dir.resolve("features.aci"), Compression.GZIP);
        String wrong = "sha512-" + "0".repeat(128);

        UnpackException e = assertThrows(UnpackException.class,
                () -> unpacker.unpack(aci, store.resolve("tree"), UnpackOptions.defaults().withExpectedImageId(wrong)));

        assertTrue(e.getMessage().contains("image ID mismatch: expected " + wrong + " but the archive is sha512-"), e.getMessage());
        assertEquals(List.of(), list(store));
    }

    @Test
    void expectedImageIdThatMatchesIsAccepted() throws Exception {
        Path aci = TestImages.gnuTarAci(image, dir.resolve("features.aci"), Compression.GZIP);
        String id = TestImages.sha512sumImageId(aci, Compression.GZIP);

        UnpackResult result = unpacker.unpack(aci, store.resolve(id), UnpackOptions.defaults().withExpectedImageId(id));

        assertEquals(id, result.imageId());
    }

    @Test
    void existingTargetIsRefusedAndLeftAlone() throws Exception {
        Path aci = TestImages.gnuTarAci(image, dir.resolve("features.aci"), Compression.GZIP);
        Path target = Files.createDirectories(store.resolve("tree"));
        Files.writeString(target.resolve("keep"), "mine");

        UnpackTargetExistsException e = assertThrows(UnpackTargetExistsException.class,
                () -> unpacker.unpack(aci, target, UnpackOptions.defaults()));

        assertEquals(target, e.target());
        assertEquals(List.of("keep"), list(target));
        assertEquals(List.of("tree"), list(store));
    }

    @Test
    void fifoIsCreatedWithItsModeAndMtimeWhenAllowed() throws Exception {
        Path aci = HostileAciBuilder.validStart().directory("rootfs/run/").fifo("rootfs/run/pipe")
                .write(dir.resolve("fifo.aci"), Compression.NONE);

        UnpackResult result = unpacker.unpack(aci, store.resolve("tree"), UnpackOptions.defaults().withAllowDeviceNodes(true));

        Path pipe = result.rootfs().resolve("run/pipe");
        Map<String, Object> attributes = Files.readAttributes(pipe, "unix:mode,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        assertEquals(0010644, (Integer) attributes.get("mode"), "a FIFO with mode 0644");
        assertEquals(HostileAciBuilder.MTIME, attributes.get("lastModifiedTime"));
    }

    @Test
    void devicesAndFifosUnderDevAreLeftOutAndCountedTheRestOfDevIsKept() throws Exception {
        // given: /dev as debootstrap --variant=minbase leaves it (its nodes, symlinks and directories)
        Path aci = debootstrapDev(HostileAciBuilder.validStart()).write(dir.resolve("debian.aci"), Compression.GZIP);

        // when
        AciInfo info = new AciReader().read(aci);
        UnpackResult result = unpacker.unpack(aci, store.resolve("tree"), UnpackOptions.defaults());

        // then: the nodes are counted by the reader and not written; symlinks, directories and files stay
        assertEquals(new LeftOut(List.of("/dev/console", "/dev/full", "/dev/null", "/dev/ptmx", "/dev/random", "/dev/tty",
                "/dev/urandom", "/dev/zero", "/dev/initctl", "/dev/null2", "/dev/pts/0"), 11), info.leftOut());
        assertEquals(List.of("core", "fd", "pts", "shm", "stderr", "stdin", "stdout"), list(result.rootfs().resolve("dev")));
        assertEquals(Path.of("/proc/self/fd"), Files.readSymbolicLink(result.rootfs().resolve("dev/fd")));
        assertEquals(List.of(), list(result.rootfs().resolve("dev/pts")));
        assertEquals("root:x:0:0\n", Files.readString(result.rootfs().resolve("etc/passwd")));
    }

    @Test
    void leftOutKeepsTheFirstPathsAndCountsAll() throws Exception {
        HostileAciBuilder b = HostileAciBuilder.validStart().directory("rootfs/dev/");
        for (int i = 0; i < LeftOut.MAX_PATHS + 6; i++) {
            b.charDevice("rootfs/dev/tty" + i, 4, i);
        }
        LeftOut leftOut = new AciReader().read(b.write(dir.resolve("ttys.aci"), Compression.NONE)).leftOut();
        assertEquals(LeftOut.MAX_PATHS + 6, leftOut.count());
        assertEquals("/dev/tty" + (LeftOut.MAX_PATHS - 1), leftOut.paths().get(LeftOut.MAX_PATHS - 1));
        assertTrue(leftOut.describe().startsWith("70 device nodes and FIFOs under /dev (/dev/tty0, /dev/tty1,"), leftOut.describe());
        assertTrue(leftOut.describe().endsWith(", /dev/tty63, and 6 more)"), leftOut.describe());
    }

    /** {@code b} with debootstrap's /dev, a FIFO and a hard link to a node under it, and an /etc/passwd. */
    static HostileAciBuilder debootstrapDev(HostileAciBuilder b) {
        return b.directory("rootfs/dev/")
                .charDevice("rootfs/dev/console", 5, 1).symlink("rootfs/dev/core", "/proc/kcore")
                .symlink("rootfs/dev/fd", "/proc/self/fd").charDevice("rootfs/dev/full", 1, 7)
                .charDevice("rootfs/dev/null", 1, 3).charDevice("rootfs/dev/ptmx", 5, 2).directory("rootfs/dev/pts/")
                .charDevice("rootfs/dev/random", 1, 8).directory("rootfs/dev/shm/")
                .symlink("rootfs/dev/stderr", "/proc/self/fd/2").symlink("rootfs/dev/stdin", "/proc/self/fd/0")
                .symlink("rootfs/dev/stdout", "/proc/self/fd/1").charDevice("rootfs/dev/tty", 5, 0)
                .charDevice("rootfs/dev/urandom", 1, 9).charDevice("rootfs/dev/zero", 1, 5)
                .fifo("rootfs/dev/initctl").hardlink("rootfs/dev/null2", "rootfs/dev/null")
                .charDevice("rootfs/dev/pts/0", 136, 0)
                .directory("rootfs/etc/").file("rootfs/etc/passwd", "root:x:0:0\n");
    }

    @Test
    void absoluteAndInsideSymlinksAreKeptAsWritten() throws Exception {
        Path aci = HostileAciBuilder.validStart()
                .directory("rootfs/usr/bin/")
                .symlink("rootfs/usr/bin/X11", ".")
                .symlink("rootfs/bin", "usr/bin")
                .symlink("rootfs/mtab", "/proc/self/mounts")
                .symlink("rootfs/usr/bin/up", "../../usr/bin")
                .write(dir.resolve("links.aci"), Compression.NONE);

        UnpackResult result = unpacker.unpack(aci, store.resolve("tree"), UnpackOptions.defaults());

        assertEquals(Path.of("."), Files.readSymbolicLink(result.rootfs().resolve("usr/bin/X11")));
        assertEquals(Path.of("usr/bin"), Files.readSymbolicLink(result.rootfs().resolve("bin")));
        assertEquals(Path.of("/proc/self/mounts"), Files.readSymbolicLink(result.rootfs().resolve("mtab")));
        assertEquals(Path.of("../../usr/bin"), Files.readSymbolicLink(result.rootfs().resolve("usr/bin/up")));
        assertEquals(HostileAciBuilder.MTIME, Files.getLastModifiedTime(result.rootfs().resolve("mtab"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void filesAndDirectoriesWithoutAnyPermissionKeepTheirMtime() throws Exception {
        Path aci = HostileAciBuilder.validStart()
                .directory("rootfs/etc/")
                .file("rootfs/etc/shadow", "root:!:19000::::::\n".getBytes(StandardCharsets.UTF_8), 0)
                .entry(noPermissionDirectory("rootfs/vault/"), new byte[0])
                .write(dir.resolve("locked.aci"), Compression.NONE);

        UnpackResult result = unpacker.unpack(aci, store.resolve("tree"), UnpackOptions.defaults().withPreserveOwnership(false));

        Path shadow = result.rootfs().resolve("etc/shadow");
        assertEquals(0, (Integer) Files.getAttribute(shadow, "unix:mode") & 07777);
        assertEquals(HostileAciBuilder.MTIME, Files.getLastModifiedTime(shadow));
        assertEquals(HostileAciBuilder.MTIME, Files.getLastModifiedTime(result.rootfs().resolve("vault")));
    }

    @Test
    void implicitParentDirectoriesAreCreated() throws Exception {
        Path aci = HostileAciBuilder.aci().manifest().file("rootfs/a/b/c.txt", "deep").directory("rootfs/a/")
                .write(dir.resolve("implicit.aci"), Compression.NONE);

        UnpackResult result = unpacker.unpack(aci, store.resolve("tree"), UnpackOptions.defaults());

        assertEquals("deep", Files.readString(result.rootfs().resolve("a/b/c.txt")));
        assertEquals(HostileAciBuilder.MTIME, Files.getLastModifiedTime(result.rootfs().resolve("a")),
                "a directory named after its contents still gets its own metadata");
        assertEquals(0755, (Integer) Files.getAttribute(result.rootfs().resolve("a/b"), "unix:mode") & 07777);
    }

    private static org.apache.commons.compress.archivers.tar.TarArchiveEntry noPermissionDirectory(String name) {
        var header = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
        header.setMode(0);
        header.setLastModifiedTime(HostileAciBuilder.MTIME);
        return header;
    }

    private static List<String> list(Path directory) throws IOException {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.map(p -> root.relativize(p).toString()).sorted().collect(Collectors.toList());
        }
    }
}
