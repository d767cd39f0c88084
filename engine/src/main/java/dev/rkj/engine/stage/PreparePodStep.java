package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.PodPreparerPort.PreparedPod;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Prepare stage: writes the pod directory and manifest and mounts its rootfs, on a worker thread. */
public final class PreparePodStep {
    private final Vertx vertx;
    private final PodPreparerPort preparer;

    public PreparePodStep(Vertx vertx, PodPreparerPort preparer) {
        this.vertx = vertx;
        this.preparer = preparer;
    }

    /** Fails with a {@link StageException} naming the path or field that failed. */
    public Future<PreparedPod> prepare(PodState pod) {
        return Blocking.run(vertx, () -> preparer.prepare(pod));
    }
}
