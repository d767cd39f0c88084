package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** GC stage: removes a garbage pod's mounts, cgroups and directory, on a worker thread. */
public final class DeletePodStep {
    private final Vertx vertx;
    private final PodJanitorPort janitor;

    public DeletePodStep(Vertx vertx, PodJanitorPort janitor) {
        this.vertx = vertx;
        this.janitor = janitor;
    }

    /** Fails with a {@link StageException} naming what could not be removed. */
    public Future<Void> delete(PodState pod) {
        return Blocking.run(vertx, () -> {
            janitor.delete(pod);
            return null;
        });
    }
}
