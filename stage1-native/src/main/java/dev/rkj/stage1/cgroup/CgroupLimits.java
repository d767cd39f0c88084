package dev.rkj.stage1.cgroup;

/**
 * Resource limits of a pod or an app in plain units; null means "no limit".
 *
 * @param memoryBytes memory limit in bytes (v1 memory.limit_in_bytes, v2 memory.max)
 * @param cpuLimitMillicores CPU limit, 1000 = one core (v1 cfs quota/period, v2 cpu.max)
 * @param cpuRequestMillicores CPU share, 1000 = one core (v1 cpu.shares, v2 cpu.weight)
 * @param pids maximum number of processes (pids.max)
 * @param memoryRequestBytes memory the pod or app is guaranteed, appc's {@code request}: reclaimed
 *     last under contention (v1 memory.soft_limit_in_bytes, v2 memory.low)
 */
public record CgroupLimits(Long memoryBytes, Long cpuLimitMillicores, Long cpuRequestMillicores, Long pids,
                           Long memoryRequestBytes) {
    public static final CgroupLimits NONE = new CgroupLimits(null, null, null, null, null);

    public CgroupLimits(Long memoryBytes, Long cpuLimitMillicores, Long cpuRequestMillicores, Long pids) {
        this(memoryBytes, cpuLimitMillicores, cpuRequestMillicores, pids, null);
    }

    /**
     * The pids limit a pod should get when the user sets none: 2048 processes and threads, as
     * Podman's default. It stops a fork bomb at 1/16 of the kernel's default {@code pid_max}
     * (32768) and is far above what an app needs (a busy JVM runs a few hundred threads); a
     * pod that needs more is given more explicitly. Threads count: the kernel's pids
     * controller counts tasks.
     */
    public static final long DEFAULT_PIDS_MAX = 2048;

    /** The kernel's smallest CFS quota is 1 ms per 100 ms period: 10 millicores. */
    public static final long MIN_CPU_LIMIT_MILLICORES = 10;

    /**
     * The smallest memory limit a pod may ask for: 6 MiB, Docker's and Podman's floor. The stage1
     * and a busybox shell fit in 1 MiB, but under 512 KiB the stage1 is OOM-killed before its apps
     * start, and a real app needs more; a limit that cannot work is refused before the pod exists.
     */
    public static final long MIN_MEMORY_BYTES = 6L << 20;

    /**
     * Refuses, before any pod exists, limits that cannot work: a memory limit under
     * {@link #MIN_MEMORY_BYTES}, a CPU limit under {@link #MIN_CPU_LIMIT_MILLICORES}. Not part of the
     * record's own check, so that limits recorded by an older rkj still read back.
     *
     * @throws IllegalArgumentException naming the limit, the value and the minimum
     */
    public static void requireWorkable(Long memoryBytes, Long cpuLimitMillicores) {
        if (memoryBytes != null && memoryBytes < MIN_MEMORY_BYTES) {
            throw new IllegalArgumentException("memory limit of " + memoryBytes + " bytes is below the minimum of 6Mi"
                    + " (" + MIN_MEMORY_BYTES + " bytes) a pod needs: give at least --memory=6Mi");
        }
        if (cpuLimitMillicores != null && cpuLimitMillicores < MIN_CPU_LIMIT_MILLICORES) {
            throw new IllegalArgumentException("cpu limit " + cpuLimitMillicores + "m is below the kernel's minimum of "
                    + MIN_CPU_LIMIT_MILLICORES + "m (1 ms per 100 ms period): give at least --cpu=10m");
        }
    }

    public CgroupLimits {
        positive("memory limit", memoryBytes);
        positive("cpu limit", cpuLimitMillicores);
        positive("cpu request", cpuRequestMillicores);
        positive("pids limit", pids);
        positive("memory request", memoryRequestBytes);
        if (cpuLimitMillicores != null && cpuLimitMillicores < MIN_CPU_LIMIT_MILLICORES) {
            throw new IllegalArgumentException("cpu limit " + cpuLimitMillicores
                    + "m is below the kernel's minimum of 10m (1 ms per 100 ms period)");
        }
    }

    private static void positive(String what, Long value) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }

    public CgroupLimits withMemory(long bytes) {
        return new CgroupLimits(bytes, cpuLimitMillicores, cpuRequestMillicores, pids, memoryRequestBytes);
    }

    public CgroupLimits withMemoryRequest(long bytes) {
        return new CgroupLimits(memoryBytes, cpuLimitMillicores, cpuRequestMillicores, pids, bytes);
    }

    public CgroupLimits withCpuLimit(long millicores) {
        return new CgroupLimits(memoryBytes, millicores, cpuRequestMillicores, pids, memoryRequestBytes);
    }

    public CgroupLimits withCpuRequest(long millicores) {
        return new CgroupLimits(memoryBytes, cpuLimitMillicores, millicores, pids, memoryRequestBytes);
    }

    public CgroupLimits withPids(long max) {
        return new CgroupLimits(memoryBytes, cpuLimitMillicores, cpuRequestMillicores, max, memoryRequestBytes);
    }

    /** v1 cpu.shares for a request: 1024 per core, at least 2. */
    static long shares(long millicores) {
        return Math.max(2, millicores * 1024 / 1000);
    }

    /** v2 cpu.weight for the same request (the runc/systemd conversion from shares). */
    static long weight(long millicores) {
        long shares = Math.min(262144, shares(millicores));
        return 1 + ((shares - 2) * 9999) / 262142;
    }
}
