package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.RecordRendered;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Renders the verified image of each preparing pod this engine owns into its read-only tree
 * through the {@link TreeRendererPort} (unpacking it into the store first if the renderer needs
 * to), on a worker thread.
 */
public final class UnpackVerticle extends StageVerticle {
    private final TreeRendererPort renderer;

    public UnpackVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                          TreeRendererPort renderer) {
        super(dispatcher, recorder, owner, crashAt);
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.PREPARING && pod.verification() != null && pod.treePath() == null
                && mine(pod);
    }

    @Override
    protected Future<?> work(PodState pod) {
        return recordOutcome(pod, Stage.RENDER, Blocking.run(vertx, () -> render(pod)),
                tree -> new RecordRendered(pod.podId(), pod.image().id(), tree.toString()), CrashPoint.AFTER_RENDERED);
    }

    /** The rendered root filesystem; fails with a {@link StageException} naming what failed. */
    private Path render(PodState pod) throws StageException {
        Path tree = renderer.render(pod.podId(), pod.image().id());
        if (tree == null || !tree.isAbsolute()) {
            throw new StageException("the renderer gave `" + tree + "` for image " + pod.image().id()
                    + ", not an absolute directory: this is a bug in rkj's image renderer", false);
        }
        return tree;
    }
}
