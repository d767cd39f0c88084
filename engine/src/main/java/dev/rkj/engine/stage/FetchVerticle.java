package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.ResolveImage;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;

/** Resolves the image of each new pod this engine owns: embryo → preparing, or aborted. */
public final class FetchVerticle extends StageVerticle {
    private final ResolveImageStep step;

    public FetchVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, ResolveImageStep step) {
        super(dispatcher, recorder, owner);
        this.step = step;
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.exists() && pod.status() == PodStatus.EMBRYO && mine(pod);
    }

    @Override
    protected Future<?> work(PodState pod) {
        return recordOutcome(pod, Stage.FETCH, step.resolve(pod),
                r -> new ResolveImage(pod.podId(), r.imageId(), r.imageName(), r.source()), CrashPoint.AFTER_RESOLVED);
    }
}
