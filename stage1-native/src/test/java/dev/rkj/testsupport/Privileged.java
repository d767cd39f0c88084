package dev.rkj.testsupport;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The rule for tests that need root and a real kernel (namespaces, overlayfs, cgroups).
 *
 * <p>Where they cannot run, they are skipped with the reason; under CI ({@code CI=true}) a skip
 * would hide that they never ran, so it is a failure instead.
 */
public final class Privileged {
    private Privileged() {}

    /** Skips (or, under CI, fails) the calling test unless this process runs as root. */
    public static void requireRoot() {
        require(isRoot(), "needs root (uid 0) for namespaces, overlayfs and cgroups");
    }

    /** Skips (or, under CI, fails) the calling test unless {@code condition} holds. */
    public static void require(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if (underCi()) {
            fail("privileged test cannot run under CI=true: " + reason);
        }
        assumeTrue(false, "skipped: " + reason);
    }

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** True when the effective uid of this process is 0 (read from {@code /proc/self/status}). */
    public static boolean isRoot() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return "0".equals(line.split("\\s+")[2]);
                }
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return false;
    }
}
