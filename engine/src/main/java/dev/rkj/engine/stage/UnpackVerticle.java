package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.RecordRendered;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;

import java.util.Objects;

/**
 * Renders the verified images, one at a time, of each preparing pod this engine owns into its read-only tree
 * through the {@link TreeRendererPort} (unpacking it into the store first if the renderer needs
 * to), on a worker thread.
 */
public final class UnpackVerticle extends StageVerticle {
    private final TreeRendererPort renderer;

    public UnpackVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                          PodWork podWork, TreeRendererPort renderer) {
        super(dispatcher, recorder, owner, crashAt, podWork);
        this.renderer = Objects.requireNonNull(renderer, "renderer");
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.PREPARING && pod.verification() != null && pod.nextUnrendered().isPresent()
                && mine(pod);
    }

    @Override
    protected Step step(PodState pod) {
        String imageId = pod.nextUnrendered().orElseThrow().id();
        return Step.of(Stage.RENDER, CrashPoint.AFTER_RENDERED,
                () -> new RecordRendered(pod.podId(), imageId, render(pod, imageId)));
    }

    /** The rendered tree's id; fails with a {@link StageException} naming what failed. */
    private String render(PodState pod, String imageId) throws StageException {
        String tree = renderer.render(pod.podId(), imageId);
        if (tree == null || tree.isEmpty() || tree.contains("/")) {
            throw new StageException("the renderer gave `" + tree + "` for image " + imageId
                    + ", not a tree id: this is a bug in rkj's image renderer", false);
        }
        return tree;
    }
}
