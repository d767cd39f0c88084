package dev.rkj.engine.stage;

import dev.rkj.engine.pod.NetworkAttachment;
import dev.rkj.engine.pod.PodState;
import java.util.List;

/**
 * Cleans up what pods hold on the host. Both methods are idempotent: what is already gone counts
 * as done, so they can be called again after a crash or a failure.
 *
 * <p>Called on a worker thread; may block (unmount retries while a mount is busy).
 */
public interface PodJanitorPort {

    /**
     * Releases what a pod holds while it runs: unmounts its root filesystem and removes its
     * cgroups, killing any process left in them, and takes it off its CNI networks. Keeps the pod
     * directory (status files, logs).
     *
     * @return the networks this call took the pod off (none if it had none, or an earlier call did)
     * @throws StageException naming the mount or cgroup that could not be released
     */
    List<NetworkAttachment> release(PodState pod) throws StageException;

    /**
     * Deletes the pod from the host: {@link #release} and then removes its directory.
     *
     * @return the networks its release took the pod off
     * @throws StageException naming what could not be removed
     */
    List<NetworkAttachment> delete(PodState pod) throws StageException;

    /** An entry of the host's pods directory: its name, and whether it is a real directory (not a link). */
    record Entry(String name, boolean directory) {}

    /**
     * What the host's pods directory holds, pod or not ({@code rkj gc --unknown-pods} compares it
     * with the journal). None by default: a host without pod directories.
     *
     * @throws StageException if the directory cannot be listed
     */
    default java.util.List<Entry> entries() throws StageException {
        return java.util.List.of();
    }
}
