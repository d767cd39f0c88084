package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Render stage: makes (or finds) the image's read-only tree, on a worker thread. */
public final class RenderTreeStep {
    private final Vertx vertx;
    private final TreeRendererPort renderer;

    public RenderTreeStep(Vertx vertx, TreeRendererPort renderer) {
        this.vertx = vertx;
        this.renderer = renderer;
    }

    /** The rendered tree's id; fails with a {@link StageException} naming what failed. */
    public Future<String> render(PodState pod) {
        return Blocking.run(vertx, () -> {
            String tree = renderer.render(pod.podId(), pod.image().id());
            if (tree == null || tree.isEmpty() || tree.contains("/")) {
                throw new StageException("the renderer gave `" + tree + "` for image " + pod.image().id()
                        + ", not a tree id: this is a bug in rkj's image renderer", false);
            }
            return tree;
        });
    }
}
