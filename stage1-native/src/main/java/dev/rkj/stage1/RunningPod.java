package dev.rkj.stage1;

import dev.rkj.stage1.cgroup.PodCgroup;
import dev.rkj.stage1.overlay.Overlay;
import java.io.IOException;
import java.nio.file.Path;

/** A pod started by {@link PodStarter}: its stage1, its cgroup and its mounted rootfs. */
public final class RunningPod {
    private final Stage1Process process;
    private final PodCgroup cgroup;
    private final Overlay overlay;
    private final Path rootfs;

    RunningPod(Stage1Process process, PodCgroup cgroup, Overlay overlay, Path rootfs) {
        this.process = process;
        this.cgroup = cgroup;
        this.overlay = overlay;
        this.rootfs = rootfs;
    }

    public Stage1Process process() {
        return process;
    }

    public PodCgroup cgroup() {
        return cgroup;
    }

    public Path rootfs() {
        return rootfs;
    }

    /**
     * After the pod has ended: removes its cgroup (killing stragglers) and unmounts its rootfs
     * (and every app's overlay below it).
     * The pod dir (upper dir, status, logs) stays until the pod is garbage-collected.
     *
     * @throws IOException the first cleanup failure, with later ones suppressed
     */
    public void tearDown() throws IOException {
        IOException failure = new IOException("tearing down pod " + process.plan().uuid() + " failed");
        tearDown(failure, cgroup, overlay, rootfs);
        throwFirst(failure);
    }

    /** Throws the first exception suppressed in {@code collector}, with the others suppressed in it. */
    static void throwFirst(IOException collector) throws IOException {
        Throwable[] all = collector.getSuppressed();
        if (all.length > 0) {
            IOException first = (IOException) all[0];
            for (int i = 1; i < all.length; i++) {
                first.addSuppressed(all[i]);
            }
            throw first;
        }
    }

    /** Removes the cgroup and unmounts; each failure is added to {@code failure} as suppressed. */
    static void tearDown(Exception failure, PodCgroup cgroup, Overlay overlay, Path rootfs) {
        if (cgroup != null) {
            try {
                cgroup.remove(true);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
        try {
            overlay.unmountAll(rootfs);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
