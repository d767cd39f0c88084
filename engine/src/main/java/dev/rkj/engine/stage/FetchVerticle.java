package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.ResolveImage;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;

import java.util.Objects;

/**
 * Resolves the image of each new pod this engine owns through the {@link ImageSourcePort}, on a
 * worker thread: embryo → preparing, or aborted (the port's {@link StageException} says why the
 * reference resolves to no image).
 */
public final class FetchVerticle extends StageVerticle {
    private final ImageSourcePort source;

    public FetchVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                         ImageSourcePort source) {
        super(dispatcher, recorder, owner, crashAt);
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.exists() && pod.status() == PodStatus.EMBRYO && mine(pod);
    }

    @Override
    protected Future<?> work(PodState pod) {
        return recordOutcome(pod, Stage.FETCH, Blocking.run(vertx, () -> source.resolve(pod.podId(), pod.spec())),
                r -> new ResolveImage(pod.podId(), r.imageId(), r.imageName(), r.source()), CrashPoint.AFTER_RESOLVED);
    }
}
