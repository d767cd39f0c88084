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
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
                unpackOnly("character device", s -> validStart().directory("rootfs/dev/").charDevice("rootfs/dev/mem", 1, 1),
                        "rootfs/dev/mem", "character device (1:1) is refused", OPTIONS),
                unpackOnly("block device", s -> validStart().blockDevice("rootfs/sda", 8, 0),
                        "rootfs/sda", "block device (8:0) is refused", OPTIONS),
                unpackOnly("FIFO", s -> validStart().fifo("rootfs/pipe"), "rootfs/pipe", "a FIFO is refused", OPTIONS),
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
            assertTrue(message.contains("entry '" + entry + "'"), message);
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
