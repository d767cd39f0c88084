package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * After a pod ends: unmounts its rootfs and removes its cgroups, keeping its directory; on a
 * worker thread.
 */
public final class ReleasePodStep {
    private final Vertx vertx;
    private final PodJanitorPort janitor;

    public ReleasePodStep(Vertx vertx, PodJanitorPort janitor) {
        this.vertx = vertx;
        this.janitor = janitor;
    }

    public Future<Void> release(PodState pod) {
        return Blocking.run(vertx, () -> {
            janitor.release(pod);
            return null;
        });
    }
}
