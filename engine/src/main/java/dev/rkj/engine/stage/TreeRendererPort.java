package dev.rkj.engine.stage;

/**
 * The render stage's port: makes the read-only tree of an image (with its dependencies) that pods
 * of that image use as their overlay lower directory. An image already rendered is done at once.
 *
 * <p>Called on a worker thread; may block. Must be idempotent and crash-safe (render into a temp
 * directory, then rename).
 */
public interface TreeRendererPort {

    /**
     * Renders image {@code imageId} for pod {@code podId}.
     *
     * @return the rendered tree's id, its name in the image store's trees directory: the engine
     *         records the id, never the path, and the runtime finds the tree's {@code rootfs} (the
     *         overlay's lower dir) under its own data directory
     * @throws StageException naming the image and what failed (a missing dependency, a full disk)
     */
    String render(String podId, String imageId) throws StageException;
}
