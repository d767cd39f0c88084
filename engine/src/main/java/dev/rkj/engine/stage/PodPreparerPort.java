package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The prepare stage's port: writes the pod directory ({@code <data dir>/pods/<uuid>/}) and the
 * reified appc pod manifest in it. It mounts nothing: {@link PodRuntime#start} mounts the pod's
 * root filesystem. Idempotent: what is already there and right is kept, so preparing again after
 * a crash gives the same directory and the same manifest digest.
 *
 * <p>Called on a worker thread; may block.
 */
public interface PodPreparerPort {

    /**
     * Prepares the pod from its state (spec, resolved image, rendered tree).
     *
     * @throws StageException naming the path or the manifest field that failed
     */
    PreparedPod prepare(PodState pod) throws StageException;

    /**
     * A prepared pod.
     *
     * @param podDir         the pod's directory
     * @param manifestDigest {@code sha512-<hex>} of the pod manifest written there
     */
    record PreparedPod(Path podDir, String manifestDigest) {
        public PreparedPod {
            Objects.requireNonNull(podDir, "podDir");
            Objects.requireNonNull(manifestDigest, "manifestDigest");
        }
    }
}
