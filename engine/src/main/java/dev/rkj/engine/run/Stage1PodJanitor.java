package dev.rkj.engine.run;

import dev.rkj.engine.net.PodNetworks;
import dev.rkj.engine.pod.NetworkAttachment;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.PodJanitorPort;
import dev.rkj.engine.stage.StageException;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.PodStarter;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.stage1.kernel.MountSafeDelete;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Cleans pods off the host. {@link #release} removes the pod's cgroups (killing what is left in
 * them), unmounts its rootfs and takes it off its CNI networks (DEL, then its network namespace); {@link #delete} then removes {@code <pods>/<uuid>/}, never
 * crossing into a mount (it refuses while anything is mounted under the pod directory). Both
 * count what is already gone as done.
 */
public final class Stage1PodJanitor implements PodJanitorPort {
    private final Path podsDir;
    private final PodStarter starter;
    private final PodLock lock;
    private final PodNetworks networks;

    /** @param networks takes pods off their CNI networks, or null when this host has none */
    public Stage1PodJanitor(Path podsDir, PodStarter starter, PodLock lock, PodNetworks networks) {
        this.networks = networks;
        this.podsDir = podsDir;
        this.starter = starter;
        this.lock = lock;
    }

    @Override
    public List<NetworkAttachment> release(PodState pod) throws StageException {
        PodDir dir = PodDir.of(podsDir, pod.podId());
        try {
            starter.tearDown(pod.podId(), dir.rootfs());
            // after the pod's processes are gone: nothing holds its netns
            return networks == null ? List.of() : networks.leave(pod.podId(), dir);
        } catch (IOException e) {
            throw StageException.retryable("cannot release pod " + pod.podId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<NetworkAttachment> delete(PodState pod) throws StageException {
        Path podDir = podsDir.resolve(pod.podId());
        try {
            if (lock.held(podDir)) {
                throw StageException.permanent("pod " + pod.podId() + " still runs (its stage1 holds "
                        + new PodDir(podDir).lock() + "): stop it with rkj stop " + pod.podId() + " first");
            }
        } catch (IOException e) {
            throw StageException.retryable("cannot tell whether pod " + pod.podId() + " still runs: " + e.getMessage(), e);
        }
        List<NetworkAttachment> removed = release(pod);
        try {
            List<Path> mounted = MountInfo.read().mounts().stream().map(MountInfo.Mount::mountPoint)
                    .filter(m -> m.startsWith(podDir)).toList();
            if (!mounted.isEmpty()) {
                throw StageException.retryable("pod " + pod.podId() + " still has mounts under its directory: "
                        + mounted + "; unmount them (umount -R) and run rkj gc again", null);
            }
            MountSafeDelete.deleteTree(podDir);
            return removed;
        } catch (IOException e) {
            throw StageException.retryable("cannot delete " + podDir + ": " + e, e);
        }
    }

    @Override
    public List<Entry> entries() throws StageException {
        List<Entry> entries = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> stream = java.nio.file.Files.newDirectoryStream(podsDir)) {
            for (Path entry : stream) {
                entries.add(new Entry(entry.getFileName().toString(),
                        java.nio.file.Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw StageException.retryable("cannot list " + podsDir + ": " + e.getMessage(), e);
        }
        entries.sort(java.util.Comparator.comparing(Entry::name));
        return entries;
    }
}
