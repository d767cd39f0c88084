package dev.rkj.engine.image;

import static dev.rkj.engine.testing.HostileAciBuilder.aci;
import static dev.rkj.engine.testing.HostileAciBuilder.validStart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.testing.HostileAciBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of hostile ACIs. Every one must be refused with a message naming the entry, leave
 * nothing outside the target (a sentinel directory beside it stays empty, the parent directory
 * holds nothing new), and leave no partial target or temporary directory.
 */
class HostileAciTest {
    private static final UnpackOptions OPTIONS = UnpackOptions.defaults().withPreserveOwnership(false);

    /**
     * @param build    builds the archive; gets the absolute path of the sentinel directory to aim at
     * @param entry    the entry the error must name (null when the problem is the archive as a whole)
     * @param problem  a fragment the message must contain
     * @param options  the unpack options
     * @param readerProblem what {@link AciReader} (with the same byte and entry limits) must say, or null when
     *                      the archive is valid and only the unpack policy refuses it
     */
    record Case(String name, Function<Path, HostileAciBuilder> build, String entry, String problem, UnpackOptions options,
                String readerProblem) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> corpus() {
        return Stream.of(
                refused("dot-dot escape", s -> validStart().file("rootfs/../../sentinel/pwned", "x"),
                        "rootfs/../../sentinel/pwned", "'..' component"),
                refused("dot-dot in the middle", s -> validStart().file("rootfs/a/../../../sentinel/pwned", "x"),
                        "rootfs/a/../../../sentinel/pwned", "'..' component"),
                refused("absolute path", s -> validStart().file(s.resolve("pwned").toString(), "x"),
                        "SENTINEL/pwned", "absolute path"),
                refused("symlink escaping with ..", s -> validStart().symlink("rootfs/escape", "../../sentinel"),
                        "rootfs/escape", "escapes the rootfs"),
                refused("symlink escaping from a subdirectory", s -> validStart().directory("rootfs/a/b/")
                                .symlink("rootfs/a/b/up", "../../../sentinel"),
                        "rootfs/a/b/up", "escapes the rootfs"),
                refused("file written through an earlier symlink to outside",
                        s -> validStart().symlink("rootfs/evil", s.toString()).file("rootfs/evil/pwned", "x"),
                        "rootfs/evil/pwned", "is a symlink"),
                refused("directory created through an earlier symlink",
                        s -> validStart().symlink("rootfs/evil", s.toString()).directory("rootfs/evil/sub/"),
                        "rootfs/evil/sub/", "is a symlink"),
                refused("symlink escaping only through an earlier symlink",
                        s -> validStart().directory("rootfs/d/").symlink("rootfs/d/up", "..").symlink("rootfs/esc", "d/up/.."),
                        "rootfs/esc", "escapes the rootfs"),
                refused("symlink made to escape by a later symlink",
                        s -> validStart().symlink("rootfs/b", "c/x/../..").directory("rootfs/x/").symlink("rootfs/c", "."),
                        "rootfs/b", "escapes the rootfs"),
                refused("hard link with ..", s -> validStart().hardlink("rootfs/h", "rootfs/../../sentinel/x"),
                        "rootfs/h", "'..' component"),
                refused("hard link to an absolute path", s -> validStart().hardlink("rootfs/h", "/etc/passwd"),
                        "rootfs/h", "absolute path"),
                refused("hard link to the manifest", s -> validStart().hardlink("rootfs/h", "manifest"),
                        "rootfs/h", "outside rootfs/"),
                refused("hard link to a later entry", s -> validStart().hardlink("rootfs/h", "rootfs/later").file("rootfs/later", "x"),
                        "rootfs/h", "not an earlier entry"),
                refused("hard link to a directory", s -> validStart().directory("rootfs/d/").hardlink("rootfs/h", "rootfs/d"),
                        "rootfs/h", "to a directory"),
                refused("hard link through a symlink", s -> validStart().symlink("rootfs/l", s.toString())
                                .hardlink("rootfs/h", "rootfs/l/x"),
                        "rootfs/h", "not an earlier entry"),
                refused("character device outside /dev", s -> validStart().directory("rootfs/etc/").charDevice("rootfs/etc/mem", 1, 1),
                        "rootfs/etc/mem", "a character device (1:1) is refused: an image may hold device nodes and FIFOs only"
                                + " under /dev"),
                refused("block device", s -> validStart().blockDevice("rootfs/sda", 8, 0),
                        "rootfs/sda", "block device (8:0) is refused"),
                refused("FIFO", s -> validStart().fifo("rootfs/pipe"), "rootfs/pipe", "a FIFO is refused"),
                refused("device as /dev itself", s -> validStart().charDevice("rootfs/dev", 1, 3),
                        "rootfs/dev", "character device (1:3) is refused"),
                refused("device in a directory named dev below /", s -> validStart().directory("rootfs/srv/dev/")
                                .charDevice("rootfs/srv/dev/mem", 1, 1),
                        "rootfs/srv/dev/mem", "character device (1:1) is refused"),
                refused("hard link outside /dev to a device under it", s -> validStart().directory("rootfs/dev/")
                                .charDevice("rootfs/dev/mem", 1, 1).hardlink("rootfs/mem", "rootfs/dev/mem"),
                        "rootfs/mem", "a hard link to a character device (rootfs/dev/mem) is refused"),
                refused("device under /dev reached through a symlink", s -> validStart().directory("rootfs/etc/")
                                .symlink("rootfs/dev", "etc").charDevice("rootfs/dev/mem", 1, 1),
                        "rootfs/dev/mem", "is a symlink"),
                refused("device where the pod mounts /dev/pts", s -> validStart().directory("rootfs/dev/")
                                .charDevice("rootfs/dev/pts", 136, 0),
                        "rootfs/dev/pts", "must be a directory or absent"),
                refused("entry outside rootfs", s -> validStart().file("etc/passwd", "x"), "etc/passwd", "outside rootfs/"),
                refused("extra top-level file", s -> validStart().file("extra", "x"), "extra", "outside rootfs/"),
                refused("rootfs is a symlink", s -> aci().manifest().symlink("rootfs", s.toString()),
                        "rootfs", "rootfs must be a directory"),
                refused("manifest is a directory", s -> aci().directory("manifest/").directory("rootfs/"),
                        "manifest/", "must be a regular file"),
                refused("manifest holds entries", s -> aci().manifest().file("manifest/x", "x"),
                        "manifest/x", "outside rootfs/"),
                refused("manifest too large", s -> aci().file("manifest", new byte[(1 << 20) + 1]),
                        "manifest", "limit for manifests"),
                refused("duplicate manifest", s -> validStart().manifest(), "manifest", "duplicate entry"),
                refused("duplicate file", s -> validStart().file("rootfs/a", "1").file("rootfs/a", "2"),
                        "rootfs/a", "duplicate entry"),
                refused("duplicate after normalization", s -> validStart().file("rootfs/a", "1").file("rootfs/./a", "2"),
                        "rootfs/./a", "duplicate entry"),
                refused("duplicate directory", s -> validStart().directory("rootfs/d/").directory("rootfs/d/"),
                        "rootfs/d/", "duplicate entry"),
                refused("file where a directory was implied", s -> validStart().file("rootfs/a/b", "1").file("rootfs/a", "2"),
                        "rootfs/a", "where earlier entries put a directory"),
                refused("entry below a regular file", s -> validStart().file("rootfs/f", "1").file("rootfs/f/x", "2"),
                        "rootfs/f/x", "regular file, not a directory"),
                refused("missing manifest", s -> aci().directory("rootfs/").file("rootfs/a", "x"),
                        null, "no 'manifest' entry"),
                refused("tar bomb over the total limit", s -> validStart().zeros("rootfs/bomb1", 6L << 20).zeros("rootfs/bomb2", 6L << 20),
                        "rootfs/bomb2", "a tar bomb?", OPTIONS.withMaxTotalBytes(8L << 20)),
                unpackOnly("file over the per-file limit", s -> validStart().zeros("rootfs/big", 3L << 20),
                        "rootfs/big", "per-file limit", OPTIONS.withMaxFileBytes(2L << 20)),
                new Case("huge declared size", s -> validStart().lyingFile("rootfs/liar", 1L << 40, new byte[] {1, 2, 3}),
                        "rootfs/liar", "declares 1099511627776 bytes", OPTIONS, "corrupt or truncated tar"),
                refused("too many entries", s -> {
                    HostileAciBuilder b = validStart();
                    for (int i = 0; i < 20; i++) {
                        b.file("rootfs/f" + i, "x");
                    }
                    return b;
                }, "rootfs/f8", "more than 10 entries", OPTIONS.withMaxEntries(10)),
                refused("declared size longer than the data", s -> validStart().lyingFile("rootfs/short", 10_000, new byte[] {1, 2, 3}),
                        "rootfs/short", "truncated"),
                refused("archive without end-of-archive records", s -> validStart().file("rootfs/last", "x").withoutEndOfArchive(),
                        "rootfs/last", "without a tar end-of-archive record after this entry"),
                refused("path deeper than the depth limit", s -> validStart().file("rootfs/" + "d/".repeat(257) + "f", "x"),
                        "rootfs/" + "d/".repeat(257) + "f", "258 levels deep, deeper than the limit of 256"),
                refused("name longer than NAME_MAX", s -> validStart().file("rootfs/" + "n".repeat(256), "x"),
                        "rootfs/" + "n".repeat(256), "256 bytes long, over Linux's NAME_MAX of 255 bytes"),
                refused("path longer than PATH_MAX", s -> validStart().file("rootfs/" + ("p".repeat(200) + "/").repeat(21) + "f", "x"),
                        "rootfs/" + ("p".repeat(200) + "/").repeat(21) + "f",
                        "4223 bytes long as the app sees it (/ppp"),
                refused("symlink target longer than PATH_MAX", s -> validStart().symlink("rootfs/long", "t/".repeat(2048)),
                        "rootfs/long", "symlink target of 4096 bytes, over the limit of 4095 bytes"),
                refused("escape at the end of a chain of 39 symlinks", s -> {
                    HostileAciBuilder b = validStart();
                    for (int i = 0; i < 38; i++) {
                        b.symlink("rootfs/l" + i, "l" + (i + 1));
                    }
                    return b.symlink("rootfs/l38", "..");
                }, "rootfs/l0", "symlink target 'l1' escapes the rootfs"),
                refused("hard link that makes a symlink escape from its new place", s -> validStart().directory("rootfs/a/b/")
                                .symlink("rootfs/a/b/up", "../..").hardlink("rootfs/h", "rootfs/a/b/up"),
                        "rootfs/h", "symlink target '../..' escapes the rootfs (followed from rootfs/h"),
                refused("proc is a symlink", s -> validStart().directory("rootfs/etc/").symlink("rootfs/proc", "/etc"),
                        "rootfs/proc", "rootfs/proc is a symlink (to /etc): /proc must be a directory or absent"),
                refused("sys is a regular file", s -> validStart().file("rootfs/sys", "x"),
                        "rootfs/sys", "rootfs/sys is a regular file: /sys must be a directory or absent"),
                refused("dev is a symlink", s -> validStart().symlink("rootfs/dev", "tmp"),
                        "rootfs/dev", "rootfs/dev is a symlink (to tmp): /dev must be a directory or absent"),
                refused("dev/pts is a symlink", s -> validStart().directory("rootfs/dev/").symlink("rootfs/dev/pts", "/tmp"),
                        "rootfs/dev/pts", "rootfs/dev/pts is a symlink (to /tmp): /dev/pts must be a directory or absent"),
                refused("dev/shm is a hard link to a file", s -> validStart().file("rootfs/f", "x").directory("rootfs/dev/")
                                .hardlink("rootfs/dev/shm", "rootfs/f"),
                        "rootfs/dev/shm", "rootfs/dev/shm is a regular file: /dev/shm must be a directory or absent"),
                refused("PAX header of 4 GiB", s -> validStart().file("rootfs/a", "x")
                                .extendedHeader(TarConstants.LF_PAX_EXTENDED_HEADER_LC, 4L << 30, new byte[4096]),
                        "rootfs/a", "a PAX extended header after this entry declares 4294967296 bytes, over the limit of 1048576"),
                refused("PAX global header of 2 MiB, all present", s -> validStart()
                                .extendedHeader(TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER, 2L << 20, new byte[2 << 20])
                                .file("rootfs/after", "x"),
                        "rootfs/", "a PAX global header after this entry declares 2097152 bytes"),
                refused("GNU long name of 64 MiB", s -> validStart()
                                .extendedHeader(TarConstants.LF_GNUTYPE_LONGNAME, 64L << 20, new byte[512]),
                        "rootfs/", "a GNU long-name header after this entry declares 67108864 bytes"),
                refused("GNU long link of 8 GiB in base-256", s -> validStart()
                                .extendedHeader(TarConstants.LF_GNUTYPE_LONGLINK, 8L << 30, new byte[512]),
                        "rootfs/", "a GNU long-link header after this entry declares 8589934592 bytes"),
                refused("archive cut inside a header", s -> validStart().file("rootfs/a", "x").file("rootfs/b", "y")
                                .truncateTarAt(5 * 512 + 100),
                        "rootfs/a", "without a tar end-of-archive record"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void unpackRefusesHostileArchiveAndWritesNothing(Case hostile, @TempDir Path dir) throws IOException {
        Path parent = Files.createDirectories(dir.resolve("store"));
        Path sentinel = Files.createDirectories(parent.resolve("sentinel"));
        Path aci = hostile.build().apply(sentinel).write(dir.resolve("hostile.aci"), Compression.GZIP);
        Path target = parent.resolve("tree");

        UnpackException e = assertThrows(UnpackException.class,
                () -> new AciUnpacker().unpack(aci, target, hostile.options()));

        assertNamesEntryAndProblem(e, hostile.entry(), hostile.problem(), sentinel);
        assertNothingWritten(parent, sentinel);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void readerRefusesWhatIsInvalidWhateverTheUnpackOptions(Case hostile, @TempDir Path dir) {
        Path sentinel = dir.resolve("sentinel");
        Path aci = hostile.build().apply(sentinel).write(dir.resolve("hostile.aci"), Compression.NONE);
        AciReader reader = new AciReader(hostile.options().maxTotalBytes(), hostile.options().maxEntries());
        if (hostile.readerProblem() != null) {
            AciFormatException e = assertThrows(AciFormatException.class, () -> reader.read(aci));
            assertNamesEntryAndProblem(e, hostile.entry(), hostile.readerProblem(), sentinel);
        } else {
            assertTrue(assertDoesNotThrow(() -> reader.read(aci)).imageId().startsWith("sha512-"));
        }
    }

    @Test
    void truncatedGzipStreamIsRefusedNamingTheEntryItEndsIn(@TempDir Path dir) throws IOException {
        byte[] random = new byte[200_000];
        new Random(7).nextBytes(random);
        Path aci = validStart().file("rootfs/data", random).write(dir.resolve("full.aci"), Compression.GZIP);
        byte[] compressed = Files.readAllBytes(aci);
        Path cut = Files.write(dir.resolve("cut.aci"), java.util.Arrays.copyOf(compressed, compressed.length * 6 / 10));
        Path parent = Files.createDirectories(dir.resolve("store"));
        Path sentinel = Files.createDirectories(parent.resolve("sentinel"));

        UnpackException e = assertThrows(UnpackException.class,
                () -> new AciUnpacker().unpack(cut, parent.resolve("tree"), OPTIONS));

        assertEquals("rootfs/data", e.entry().orElseThrow(), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt or truncated gzip-compressed tar"), e.getMessage());
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertNothingWritten(parent, sentinel);
    }

    @Test
    void entriesBelowASymlinkAreRefusedEvenWhenItPointsInside(@TempDir Path dir) throws IOException {
        Path aci = validStart().directory("rootfs/usr/lib/").symlink("rootfs/lib", "usr/lib").file("rootfs/lib/libc.so", "x")
                .write(dir.resolve("through.aci"), Compression.NONE);
        Path parent = Files.createDirectories(dir.resolve("store"));
        Path sentinel = Files.createDirectories(parent.resolve("sentinel"));

        UnpackException e = assertThrows(UnpackException.class,
                () -> new AciUnpacker().unpack(aci, parent.resolve("tree"), OPTIONS));

        assertEquals("rootfs/lib/libc.so", e.entry().orElseThrow());
        assertTrue(e.getMessage().contains("never written through symlinks"), e.getMessage());
        assertNothingWritten(parent, sentinel);
    }

    /**
     * The archive of issue 8: 5,000 nested directories, which cost 79 s of CPU to check when every
     * entry re-walked all its parents (cubic in the depth). Refused at the 257th level, naming that
     * entry, so the checks never see the 4,743 deeper ones. No clock in the assertion: the times are
     * printed for the record (well under a second here).
     */
    @Test
    void fiveThousandNestedDirectoriesAreRefusedAtTheDepthLimitBeforeReadingFurther(@TempDir Path dir) throws IOException {
        HostileAciBuilder deep = validStart();
        StringBuilder name = new StringBuilder("rootfs/");
        for (int i = 0; i < 5000; i++) {
            name.append("a/");
            deep.paxNamedDirectory(name.toString());
        }
        Path aci = deep.write(dir.resolve("deep.aci"), Compression.GZIP);
        Path parent = Files.createDirectories(dir.resolve("store"));
        Path sentinel = Files.createDirectories(parent.resolve("sentinel"));
        String level257 = "rootfs/" + "a/".repeat(257);

        long start = System.nanoTime();
        AciFormatException read = assertThrows(AciFormatException.class, () -> new AciReader().read(aci));
        Duration reading = Duration.ofNanos(System.nanoTime() - start);
        start = System.nanoTime();
        UnpackException unpacked = assertThrows(UnpackException.class,
                () -> new AciUnpacker().unpack(aci, parent.resolve("tree"), OPTIONS));
        Duration unpacking = Duration.ofNanos(System.nanoTime() - start);

        for (ImageArchiveException e : List.of(read, unpacked)) {
            assertNamesEntryAndProblem(e, level257, "the path is 257 levels deep, deeper than the limit of 256", sentinel);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().length() < 400, "one short line: " + e.getMessage());
        }
        assertNothingWritten(parent, sentinel);
        System.out.printf("5000-level ACI (%d bytes): refused by the reader in %d ms, by the unpacker in %d ms%n",
                Files.size(aci), reading.toMillis(), unpacking.toMillis());
    }

    /**
     * What the limits allow is accepted and unpacked: a path 256 levels deep, a 255-byte name, the
     * longest path and symlink target, many entries in one directory and many hard links to one
     * file, a chain of 2,000 symlinks (resolved without recursion), loops (which lead nowhere, as
     * the kernel's ELOOP) and links through links that stay inside.
     */
    @Test
    void archivesAtTheLimitsAreAcceptedAndUnpacked(@TempDir Path dir) throws Exception {
        String deepest = "d/".repeat(255) + "f";
        String longName = "n".repeat(255);
        String longest = ("p".repeat(200) + "/").repeat(15) + "q".repeat(3070 - 15 * 201); // "/" + it: 3071 bytes
        HostileAciBuilder b = validStart().file("rootfs/" + deepest, "deep").file("rootfs/" + longName, "long")
                .file("rootfs/" + longest, "longest").symlink("rootfs/far", "x/".repeat(2047) + "y")
                .directory("rootfs/proc/").directory("rootfs/dev/").directory("rootfs/dev/pts/").file("rootfs/one", "1");
        for (int i = 0; i < 2000; i++) {
            b.file("rootfs/wide/f" + i, "x").hardlink("rootfs/links/h" + i, "rootfs/one");
        }
        for (int i = 0; i < 2000; i++) {
            b.symlink("rootfs/chain/l" + i, "l" + (i + 1));
        }
        b.directory("rootfs/chain/l2000/").symlink("rootfs/loop-a", "loop-b").symlink("rootfs/loop-b", "loop-a/..")
                .symlink("rootfs/self", "self/../..").symlink("rootfs/up", "d/d/../../" + deepest.replace("/f", "") + "/../..")
                .symlink("rootfs/d/via", "../wide/../chain/l1990/../../one");
        Path aci = b.write(dir.resolve("limits.aci"), Compression.GZIP);

        AciInfo info = new AciReader().read(aci);
        UnpackResult result = new AciUnpacker().unpack(aci, dir.resolve("tree"), OPTIONS);

        assertEquals(info.imageId(), result.imageId());
        Path rootfs = dir.resolve("tree/rootfs");
        assertEquals("deep", Files.readString(rootfs.resolve(deepest)));
        assertEquals("longest", Files.readString(rootfs.resolve(longest)));
        assertEquals("x/".repeat(2047) + "y", Files.readSymbolicLink(rootfs.resolve("far")).toString());
        assertEquals(2001, (Integer) Files.getAttribute(rootfs.resolve("one"), "unix:nlink"));
        assertEquals("1", Files.readString(rootfs.resolve("d/via")));
    }

    private static Case refused(String name, Function<Path, HostileAciBuilder> build, String entry, String problem) {
        return new Case(name, build, entry, problem, OPTIONS, problem);
    }

    private static Case refused(String name, Function<Path, HostileAciBuilder> build, String entry, String problem,
                                UnpackOptions options) {
        return new Case(name, build, entry, problem, options, problem);
    }

    private static Case unpackOnly(String name, Function<Path, HostileAciBuilder> build, String entry, String problem,
                                   UnpackOptions options) {
        return new Case(name, build, entry, problem, options, null);
    }

    private static void assertNamesEntryAndProblem(ImageArchiveException e, String expectedEntry, String problem,
                                                   Path sentinel) {
        String message = e.getMessage();
        assertTrue(message.contains(problem), () -> "expected '" + problem + "' in: " + message);
        if (expectedEntry == null) {
            assertFalse(e.entry().isPresent(), message);
        } else {
            String entry = expectedEntry.replace("SENTINEL", sentinel.toString());
            assertEquals(entry, e.entry().orElse(null), message);
            assertTrue(message.contains("entry '" + PathLimits.abbreviate(entry) + "'"), message);
        }
    }

    private static void assertNothingWritten(Path parent, Path sentinel) throws IOException {
        try (Stream<Path> siblings = Files.list(parent)) {
            assertEquals(List.of("sentinel"), siblings.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()),
                    "the store directory must hold only the sentinel: no target, no temporary directory");
        }
        try (Stream<Path> inside = Files.list(sentinel)) {
            assertEquals(List.of(), inside.collect(Collectors.toList()), "nothing may be written into the sentinel");
        }
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> supplier) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(supplier);
    }
}
