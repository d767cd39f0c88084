package dev.rkj.stage1.cgroup;

import dev.rkj.stage1.kernel.Backoff;
import dev.rkj.stage1.kernel.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Creates and finds pod cgroups: one per pod under a parent ({@code rkj} by default) in each
 * hierarchy that carries a controller rkj limits, in the v1 {@code devices} hierarchy, and in
 * the cgroup2 hierarchy ({@code /sys/fs/cgroup/memory/rkj/<pod>} on v1,
 * {@code /sys/fs/cgroup/unified/rkj/<pod>} too on a hybrid host, {@code /sys/fs/cgroup/rkj/<pod>}
 * on v2). Every pod cgroup is confined to {@link DeviceRule#STANDARD}. Takes its roots from a
 * {@link CgroupLayout}, so a fake cgroupfs tree in a temp dir can stand in for the real one.
 */
public final class Cgroups {
    /** The controllers rkj limits and accounts. */
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids");
    /** The v1 hierarchies a pod gets a cgroup in: the limited ones, and devices. */
    private static final List<String> V1_HIERARCHIES = List.of("memory", "cpu", "pids", "devices");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

    private final Kernel kernel;
    private final CgroupLayout layout;
    private final String parent;
    private final Backoff backoff;
    private final int removeAttempts;

    public Cgroups(Kernel kernel, CgroupLayout layout, String parent) {
        this(kernel, layout, parent, Backoff.exponential(), 12);
    }

    public Cgroups(Kernel kernel, CgroupLayout layout, String parent, Backoff backoff, int removeAttempts) {
        this.kernel = kernel;
        this.layout = layout;
        this.parent = checkName("cgroup parent", parent);
        this.backoff = backoff;
        this.removeAttempts = removeAttempts;
    }

    /** With the live layout (read from /proc/self/mountinfo) and the parent {@code rkj}. */
    public static Cgroups detect(Kernel kernel) throws IOException {
        return new Cgroups(kernel, CgroupLayout.detect(), "rkj");
    }

    static String checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " `" + name
                    + "` is not a valid cgroup name: use letters, digits, '.', '_' and '-'");
        }
        return name;
    }

    public CgroupLayout layout() {
        return layout;
    }

    /** The parent directories, one per hierarchy: {@code <mount>/<parent>}. */
    public List<Path> parentDirs() {
        return roots().stream().map(r -> r.resolve(parent)).toList();
    }

    private List<Path> roots() {
        if (!layout.mode().usesV1Controllers()) {
            return List.of(layout.unified());
        }
        Set<Path> roots = new LinkedHashSet<>(); // cpu and cpuacct may share one mount
        for (String c : V1_HIERARCHIES) {
            layout.controller(c).ifPresent(roots::add);
        }
        if (layout.unified() != null) { // hybrid: the place of a device program, as on v2
            roots.add(layout.unified());
        }
        return List.copyOf(roots);
    }

    /**
     * Creates the pod's cgroup (idempotent), confines it to {@link DeviceRule#STANDARD} and writes
     * its limits; if that fails, the cgroup is removed again. App cgroups made below it with
     * {@link PodCgroup#child} inherit the devices.
     *
     * @throws IOException naming the directory or file and the value the kernel refused
     */
    public PodCgroup create(String pod, CgroupLimits limits) throws IOException {
        checkName("pod cgroup", pod);
        List<Path> dirs = new ArrayList<>();
        for (Path root : roots()) {
            if (!layout.mode().usesV1Controllers()) {
                enableControllers(root);
                kernel.mkdir(root.resolve(parent), 0755);
                enableControllers(root.resolve(parent));
            } else {
                kernel.mkdir(root.resolve(parent), 0755);
            }
            Path dir = root.resolve(parent).resolve(pod);
            kernel.mkdir(dir, 0755);
            dirs.add(dir);
        }
        PodCgroup cgroup = new PodCgroup(kernel, layout, dirs, backoff, removeAttempts);
        try {
            cgroup.confineDevices(DeviceRule.STANDARD);
            cgroup.apply(limits);
        } catch (IOException | RuntimeException e) {
            try {
                cgroup.remove(false); // nothing joined it yet: no half-made cgroup is left
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return cgroup;
    }

    /** The cgroup of a pod created earlier (by this or another process); it may be gone. */
    public PodCgroup open(String pod) {
        checkName("pod cgroup", pod);
        return new PodCgroup(kernel, layout, parentDirs().stream().map(d -> d.resolve(pod)).toList(),
                backoff, removeAttempts);
    }

    /** Removes the parent directories if no pod cgroup is left in them (for test runs). */
    public void removeParentIfEmpty() throws IOException {
        for (Path dir : parentDirs()) {
            if (Files.isDirectory(dir) && PodCgroup.children(dir).isEmpty()) {
                try {
                    kernel.rmdir(dir);
                } catch (dev.rkj.stage1.kernel.KernelException e) {
                    // another engine removed it (ENOENT) or started a pod in it (EBUSY) since we looked: both fine
                    if (e.errno() != dev.rkj.stage1.kernel.Errno.ENOENT && e.errno() != dev.rkj.stage1.kernel.Errno.EBUSY) {
                        throw e;
                    }
                }
            }
        }
    }

    /** v2: lets the children of {@code dir} use the controllers rkj limits. */
    private void enableControllers(Path dir) throws IOException {
        Path available = dir.resolve("cgroup.controllers");
        Path subtree = dir.resolve("cgroup.subtree_control");
        List<String> have = List.of(PodCgroup.read(available).trim().split("\\s+"));
        List<String> enabled = List.of(PodCgroup.read(subtree).trim().split("\\s+"));
        StringBuilder add = new StringBuilder();
        for (String c : CONTROLLERS) {
            if (have.contains(c) && !enabled.contains(c)) {
                add.append(add.length() == 0 ? "" : " ").append('+').append(c);
            }
        }
        if (add.length() > 0) {
            PodCgroup.write(subtree, add.toString());
        }
    }
}
