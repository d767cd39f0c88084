package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.RecordRendered;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;

/**
 * Renders the verified image of each preparing pod this engine owns into its read-only tree
 * (unpacking it into the store first if the renderer needs to).
 */
public final class UnpackVerticle extends StageVerticle {
    private final RenderTreeStep step;

    public UnpackVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, RenderTreeStep step) {
        super(dispatcher, recorder, owner);
        this.step = step;
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.PREPARING && pod.verification() != null && pod.treeId() == null
                && mine(pod);
    }

    @Override
    protected Future<?> work(PodState pod) {
        return recordOutcome(pod, Stage.RENDER, step.render(pod),
                tree -> new RecordRendered(pod.podId(), pod.image().id(), tree), CrashPoint.AFTER_RENDERED);
    }
}
