package dev.rkj.api.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who this process is, as the kernel sees it. */
final class Privileges {
    private Privileges() {
    }

    /** This process's effective user id (the owner of {@code /proc/self}), or -1 if unknown. */
    static long effectiveUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    static boolean isRoot() {
        return effectiveUid() == 0;
    }
}
