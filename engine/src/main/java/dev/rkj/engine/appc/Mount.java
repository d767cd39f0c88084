package dev.rkj.engine.appc;

import java.util.Optional;

/**
 * Maps a pod volume onto a path in an app (pods.md "mounts"); {@code appVolume}, when given,
 * replaces the lookup of {@code volume} in the pod's volumes.
 */
public record Mount(AcName volume, String path, Optional<Volume> appVolume) {
    public Mount {
        if (volume == null || appVolume == null) {
            throw new IllegalArgumentException("a mount needs a volume name (use Optional.empty() for no appVolume)");
        }
        Paths.requireAbsolute(path);
    }

    public static Mount of(String volume, String path) {
        return new Mount(AcName.parse(volume), path, Optional.empty());
    }
}
