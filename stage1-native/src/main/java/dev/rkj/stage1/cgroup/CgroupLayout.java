package dev.rkj.stage1.cgroup;

import dev.rkj.stage1.kernel.MountInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where the cgroup hierarchies are: v1 controller name to mount point, and the cgroup2 mount
 * (null when absent). Detected from the mount table, or given (tests use a temp dir).
 */
public record CgroupLayout(CgroupMode mode, Map<String, Path> v1Controllers, Path unified) {
    /** The v1 controllers rkj knows; mount options naming anything else are ignored. */
    public static final Set<String> V1_CONTROLLERS = Set.of("cpu", "cpuacct", "cpuset", "memory", "devices",
            "freezer", "net_cls", "blkio", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc");

    public CgroupLayout {
        v1Controllers = Map.copyOf(v1Controllers);
        if (mode == CgroupMode.V2 && unified == null) {
            throw new IllegalArgumentException("cgroup v2 layout without a cgroup2 mount");
        }
        if (mode.usesV1Controllers() && v1Controllers.isEmpty()) {
            throw new IllegalArgumentException(mode + " cgroup layout without v1 controllers");
        }
    }

    public static CgroupLayout v2(Path root) {
        return new CgroupLayout(CgroupMode.V2, Map.of(), root);
    }

    public static CgroupLayout v1(Map<String, Path> controllers) {
        return new CgroupLayout(CgroupMode.V1, controllers, null);
    }

    /** Reads the live mount table. */
    public static CgroupLayout detect() throws IOException {
        return detect(MountInfo.read());
    }

    /**
     * v1 when only cgroup (v1) mounts exist, v2 when only a cgroup2 mount does, hybrid when both
     * do (limits then use the v1 controllers).
     *
     * @throws IOException when no cgroup filesystem is mounted
     */
    public static CgroupLayout detect(MountInfo mounts) throws IOException {
        Map<String, Path> v1 = new TreeMap<>();
        Path unified = null;
        for (MountInfo.Mount m : mounts.mounts()) {
            if (m.fsType().equals("cgroup2") && unified == null) {
                unified = m.mountPoint();
            } else if (m.fsType().equals("cgroup")) {
                for (String option : m.superOptions()) {
                    if (V1_CONTROLLERS.contains(option)) {
                        v1.putIfAbsent(option, m.mountPoint());
                    }
                }
            }
        }
        if (v1.isEmpty() && unified == null) {
            throw new IOException("no cgroup filesystem is mounted (looked for cgroup and cgroup2 in /proc/self/mountinfo):"
                    + " mount cgroup2 on /sys/fs/cgroup");
        }
        CgroupMode mode = v1.isEmpty() ? CgroupMode.V2 : unified == null ? CgroupMode.V1 : CgroupMode.HYBRID;
        return new CgroupLayout(mode, v1, unified);
    }

    /** The mount point of a v1 controller. */
    public Optional<Path> controller(String name) {
        return Optional.ofNullable(v1Controllers.get(name));
    }
}
