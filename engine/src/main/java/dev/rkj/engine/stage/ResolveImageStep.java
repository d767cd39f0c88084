package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.ImageSourcePort.ResolvedImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Fetch stage: resolves a pod's image reference to an image in the store, on a worker thread. */
public final class ResolveImageStep {
    private final Vertx vertx;
    private final ImageSourcePort source;

    public ResolveImageStep(Vertx vertx, ImageSourcePort source) {
        this.vertx = vertx;
        this.source = source;
    }

    /** Fails with a {@link StageException} saying why the reference resolves to no image. */
    public Future<ResolvedImage> resolve(PodState pod) {
        return Blocking.run(vertx, () -> source.resolve(pod.podId(), pod.spec()));
    }
}
