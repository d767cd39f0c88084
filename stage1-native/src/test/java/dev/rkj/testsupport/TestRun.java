package dev.rkj.testsupport;

import dev.rkj.stage1.kernel.MountSafeDelete;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Names unique to this test run, so leak checks can tell what this run left behind from what
 * other runs on the same machine are doing: temp dirs {@code /tmp/rkjtest-<tag>-*}, the cgroup
 * parent {@code rkjtest-<tag>}.
 */
public final class TestRun {
    /** Everything this run creates carries this prefix; other runs use other tags. */
    public static final String PREFIX = "rkjtest-";
    public static final String TAG = UUID.randomUUID().toString().substring(0, 8);

    private TestRun() {}

    /** {@code rkjtest-<tag>}: the cgroup parent for this run's pods. */
    public static String cgroupParent() {
        return PREFIX + TAG;
    }

    /** A new directory {@code /tmp/rkjtest-<tag>-<name>-*}. */
    public static Path newDir(String name) throws IOException {
        return Files.createTempDirectory(PREFIX + TAG + "-" + name + "-").toRealPath();
    }

    /** This run's temp dirs ({@link #newDir}) that exist now. */
    public static java.util.List<Path> dirs() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (java.util.stream.Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX + TAG + "-"))
                    .filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }

    /** True if {@code text} names something of this run. */
    public static boolean ours(String text) {
        return text.contains(PREFIX + TAG);
    }

    /**
     * Deletes a tree, refusing (loudly) if anything is still mounted in it: deleting through a
     * mount would delete what it shows. See {@link MountSafeDelete}.
     */
    public static void deleteTree(Path dir) throws IOException {
        if (dir != null) {
            MountSafeDelete.deleteTree(dir);
        }
    }
}
