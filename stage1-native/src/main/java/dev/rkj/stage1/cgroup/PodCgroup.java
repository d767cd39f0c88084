package dev.rkj.stage1.cgroup;

import dev.rkj.stage1.kernel.Backoff;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One pod's (or app's) cgroup: a directory per hierarchy. Processes join it by writing their
 * pid to {@link #procsFiles()} (rkj-stage1 does, before it clones the pod).
 */
public final class PodCgroup {
    private static final long CFS_PERIOD_US = 100_000;

    private final Kernel kernel;
    private final CgroupLayout layout;
    private final List<Path> dirs;
    private final Backoff backoff;
    private final int removeAttempts;

    PodCgroup(Kernel kernel, CgroupLayout layout, List<Path> dirs, Backoff backoff, int removeAttempts) {
        this.kernel = kernel;
        this.layout = layout;
        this.dirs = List.copyOf(dirs);
        this.backoff = backoff;
        this.removeAttempts = removeAttempts;
    }

    /** The cgroup's directories, one per hierarchy. */
    public List<Path> dirs() {
        return dirs;
    }

    /** The {@code cgroup.procs} files a process writes its pid to, to join. */
    public List<Path> procsFiles() {
        return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    public boolean exists() {
        return dirs.stream().anyMatch(Files::isDirectory);
    }

    /** A child cgroup (an app's) with its own limits, bounded by this one's. */
    public PodCgroup child(String name, CgroupLimits limits) throws IOException {
        Cgroups.checkName("app cgroup", name);
        List<Path> children = new ArrayList<>();
        for (Path dir : dirs) {
            if (!layout.mode().usesV1Controllers()) {
                write(dir.resolve("cgroup.subtree_control"), v2Controllers(dir));
            }
            kernel.mkdir(dir.resolve(name), 0755);
            children.add(dir.resolve(name));
        }
        PodCgroup child = new PodCgroup(kernel, layout, children, backoff, removeAttempts);
        child.apply(limits);
        return child;
    }

    private static String v2Controllers(Path dir) throws IOException {
        List<String> have = List.of(read(dir.resolve("cgroup.controllers")).trim().split("\\s+"));
        return String.join(" ", Cgroups.CONTROLLERS.stream().filter(have::contains).map(c -> "+" + c).toList());
    }

    /**
     * Refuses every device node but those {@code rules} allow, to the processes of this cgroup
     * and of the cgroups below it: on v1 with {@code devices.deny a}, then one
     * {@code devices.allow} line per rule; in a cgroup2 directory (v2, and on a hybrid host too)
     * with a BPF device program, attached for the life of the cgroup.
     *
     * @throws IOException neither the v1 devices controller nor cgroup2 is there to confine it,
     *                     or the kernel refused a rule or the program
     */
    void confineDevices(List<DeviceRule> rules) throws IOException {
        boolean confined = false;
        if (layout.mode().usesV1Controllers() && layout.controller("devices").isPresent()) {
            Path dir = v1("devices");
            write(dir.resolve("devices.deny"), "a");
            for (DeviceRule rule : rules) {
                write(dir.resolve("devices.allow"), rule.v1Line()); // the kernel reads one rule per write
            }
            confined = true;
        }
        Path unified = layout.unified();
        for (Path dir : dirs) {
            if (unified != null && dir.startsWith(unified)) {
                int program = kernel.bpfLoadDeviceProgram(DeviceProgram.compile(rules));
                try {
                    kernel.bpfAttachDeviceProgram(program, dir);
                } catch (KernelException e) {
                    closeAfter(e, program);
                    throw e;
                }
                kernel.close(program); // the attachment holds it until the cgroup is removed
                confined = true;
            }
        }
        if (!confined) {
            throw new IOException("cannot confine the devices of cgroup " + dirs
                    + ": neither the v1 devices controller nor cgroup2 is mounted; mount one of them");
        }
    }

    private void closeAfter(KernelException failure, int fd) {
        try {
            kernel.close(fd);
        } catch (KernelException e) {
            failure.addSuppressed(e);
        }
    }

    void apply(CgroupLimits limits) throws IOException {
        if (layout.mode().usesV1Controllers()) {
            applyV1(limits);
        } else {
            applyV2(limits);
        }
    }

    private Path v1(String controller) throws IOException {
        Path root = layout.controller(controller).orElseThrow(() -> new IOException(
                "the " + controller + " cgroup controller is not mounted: cannot apply a " + controller + " limit"));
        for (Path dir : dirs) {
            if (dir.startsWith(root)) {
                return dir;
            }
        }
        throw new IOException("no " + controller + " directory among " + dirs);
    }

    private void applyV1(CgroupLimits limits) throws IOException {
        if (limits.memoryBytes() != null) {
            Path dir = v1("memory");
            write(dir.resolve("memory.limit_in_bytes"), limits.memoryBytes().toString());
            if (Files.exists(dir.resolve("memory.memsw.limit_in_bytes"))) { // no escape into swap
                write(dir.resolve("memory.memsw.limit_in_bytes"), limits.memoryBytes().toString());
            }
        }
        if (limits.memoryRequestBytes() != null) {
            write(v1("memory").resolve("memory.soft_limit_in_bytes"), limits.memoryRequestBytes().toString());
        }
        if (limits.cpuLimitMillicores() != null) {
            Path dir = v1("cpu");
            write(dir.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
            write(dir.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuLimitMillicores() * CFS_PERIOD_US / 1000));
        }
        if (limits.cpuRequestMillicores() != null) {
            write(v1("cpu").resolve("cpu.shares"), Long.toString(CgroupLimits.shares(limits.cpuRequestMillicores())));
        }
        if (limits.pids() != null) {
            write(v1("pids").resolve("pids.max"), limits.pids().toString());
        }
    }

    private void applyV2(CgroupLimits limits) throws IOException {
        Path dir = dirs.get(0);
        if (limits.memoryBytes() != null) {
            write(dir.resolve("memory.max"), limits.memoryBytes().toString());
            if (Files.exists(dir.resolve("memory.swap.max"))) {
                write(dir.resolve("memory.swap.max"), "0");
            }
        }
        if (limits.memoryRequestBytes() != null) {
            write(dir.resolve("memory.low"), limits.memoryRequestBytes().toString());
        }
        if (limits.cpuLimitMillicores() != null) {
            write(dir.resolve("cpu.max"), limits.cpuLimitMillicores() * CFS_PERIOD_US / 1000 + " " + CFS_PERIOD_US);
        }
        if (limits.cpuRequestMillicores() != null) {
            write(dir.resolve("cpu.weight"), Long.toString(CgroupLimits.weight(limits.cpuRequestMillicores())));
        }
        if (limits.pids() != null) {
            write(dir.resolve("pids.max"), limits.pids().toString());
        }
    }

    /**
     * True when the kernel's OOM killer killed a process of this cgroup (v1: {@code oom_kill}
     * in memory.oom_control, or on kernels without it a non-zero memory.failcnt; v2:
     * {@code oom_kill} in memory.events).
     */
    public boolean oomKilled() throws IOException {
        if (!layout.mode().usesV1Controllers()) {
            return counter(dirs.get(0).resolve("memory.events"), "oom_kill") > 0;
        }
        Path dir = v1("memory");
        long kills = counter(dir.resolve("memory.oom_control"), "oom_kill");
        if (kills >= 0) {
            return kills > 0;
        }
        return Long.parseLong(read(dir.resolve("memory.failcnt")).trim()) > 0;
    }

    /** The value of {@code key} in a "key value" per line file, or -1 if absent. */
    private static long counter(Path file, String key) throws IOException {
        for (String line : read(file).split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                return Long.parseLong(kv[1]);
            }
        }
        return -1;
    }

    /** The pids in the cgroup (in every hierarchy, without duplicates). */
    public List<Integer> pids() throws IOException {
        List<Integer> pids = new ArrayList<>();
        for (Path dir : dirs) {
            if (Files.isDirectory(dir)) {
                for (String line : read(dir.resolve("cgroup.procs")).split("\n")) {
                    if (!line.isBlank() && !pids.contains(Integer.valueOf(line.trim()))) {
                        pids.add(Integer.valueOf(line.trim()));
                    }
                }
            }
        }
        return pids;
    }

    /**
     * Removes the cgroup and its children in every hierarchy; gone already is success. Retries
     * while processes drain out of it.
     *
     * @param killFirst SIGKILL the processes still in it (v2: via cgroup.kill); otherwise a
     *                  cgroup with processes is an error
     */
    public void remove(boolean killFirst) throws IOException {
        for (Path dir : dirs) {
            removeTree(dir, killFirst);
        }
    }

    private void removeTree(Path dir, boolean killFirst) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        for (Path child : children(dir)) {
            removeTree(child, killFirst);
        }
        for (int attempt = 1; ; attempt++) {
            List<Integer> pids = procs(dir);
            if (!pids.isEmpty() && !killFirst) {
                throw new KernelException("rmdir", dir.toString(), Errno.EBUSY,
                        "processes " + pids + " are still in the cgroup: stop the pod first");
            }
            if (!pids.isEmpty()) {
                kill(dir, pids);
            }
            try {
                kernel.rmdir(dir);
                return;
            } catch (KernelException e) {
                if (e.errno() == Errno.ENOENT) {
                    return;
                }
                if (e.errno() != Errno.EBUSY || attempt >= removeAttempts) {
                    throw new KernelException("rmdir", dir.toString(), e.errno(),
                            "processes " + procs(dir) + " are still in the cgroup after " + attempt + " attempts");
                }
            }
            pause(attempt);
        }
    }

    private void kill(Path dir, List<Integer> pids) throws IOException {
        Path cgroupKill = dir.resolve("cgroup.kill");
        if (!layout.mode().usesV1Controllers() && Files.exists(cgroupKill)) {
            write(cgroupKill, "1");
            return;
        }
        for (int pid : pids) {
            try {
                kernel.kill(pid, Kernel.SIGKILL);
            } catch (KernelException e) {
                if (e.errno() != Errno.ESRCH) {
                    throw e;
                }
            }
        }
    }

    private static List<Integer> procs(Path dir) throws IOException {
        List<Integer> pids = new ArrayList<>();
        try {
            for (String line : read(dir.resolve("cgroup.procs")).split("\n")) {
                if (!line.isBlank()) {
                    pids.add(Integer.valueOf(line.trim()));
                }
            }
        } catch (NoSuchFileException e) {
            return pids;
        }
        return pids;
    }

    static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).toList();
        }
    }

    private void pause(int attempt) throws InterruptedIOException {
        try {
            backoff.pause(attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while removing a cgroup");
        }
    }

    static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new CgroupException(file, "read `" + file + "`: " + e.getMessage(), e);
        }
    }

    /** Writes to an existing control file (never creates one: a missing file is an error). */
    static void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (NoSuchFileException e) {
            throw new CgroupException(file, "write `" + file + "` = " + value
                    + ": no such control file (is the controller enabled for this cgroup?)", e);
        } catch (IOException e) {
            throw new CgroupException(file, "write `" + file + "` = " + value + ": " + e.getMessage(), e);
        }
    }
}
