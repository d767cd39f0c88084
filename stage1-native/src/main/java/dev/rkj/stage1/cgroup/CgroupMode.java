package dev.rkj.stage1.cgroup;

/** How the host mounts cgroups. */
public enum CgroupMode {
    /** Only v1 hierarchies, one per controller (or group of controllers). */
    V1,
    /** v1 controllers, plus a cgroup2 hierarchy without them (systemd's "hybrid"). Limits use v1. */
    HYBRID,
    /** One unified cgroup2 hierarchy holding every controller. */
    V2;

    /** True when limits are written to v1 controller hierarchies. */
    public boolean usesV1Controllers() {
        return this != V2;
    }
}
