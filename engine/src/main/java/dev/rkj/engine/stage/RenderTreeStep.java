package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;

/** Render stage: makes (or finds) the image's read-only tree, on a worker thread. */
public final class RenderTreeStep {
    private final Vertx vertx;
    private final TreeRendererPort renderer;

    public RenderTreeStep(Vertx vertx, TreeRendererPort renderer) {
        this.vertx = vertx;
        this.renderer = renderer;
    }

    /** The rendered root filesystem; fails with a {@link StageException} naming what failed. */
    public Future<Path> render(PodState pod) {
        return Blocking.run(vertx, () -> {
            Path tree = renderer.render(pod.podId(), pod.image().id());
            if (tree == null || !tree.isAbsolute()) {
                throw new StageException("the renderer gave `" + tree + "` for image " + pod.image().id()
                        + ", not an absolute directory: this is a bug in rkj's image renderer", false);
            }
            return tree;
        });
    }
}
