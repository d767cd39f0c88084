package dev.rkj.engine.appc;

/** A place where an app expects a volume (aci.md "mountPoints"). */
public record MountPoint(AcName name, String path, boolean readOnly) {
    public MountPoint {
        if (name == null) {
            throw new IllegalArgumentException("a mount point needs a name");
        }
        Paths.requireAbsolute(path);
    }
}
