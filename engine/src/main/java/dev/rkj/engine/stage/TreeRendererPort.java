package dev.rkj.engine.stage;

import java.nio.file.Path;

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
     * @return the rendered root filesystem: an absolute directory, the overlay's lower dir
     * @throws StageException naming the image and what failed (a missing dependency, a full disk)
     */
    Path render(String podId, String imageId) throws StageException;
}
