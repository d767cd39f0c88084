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

    /** True if {@code text} names something of this run. */
    public static boolean ours(String text) {
        return text.contains(PREFIX + TAG);
    }

    /** True if {@code text} names something of another test run (which this run leaves alone). */
    public static boolean otherRun(String text) {
        return text.contains(PREFIX) && !ours(text);
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
