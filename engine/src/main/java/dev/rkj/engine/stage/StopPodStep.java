package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Stop stage: signals a running pod to stop (SIGTERM to its apps, or SIGKILL), on a worker thread. */
public final class StopPodStep {
    private final Vertx vertx;
    private final PodRunnerPort runner;

    public StopPodStep(Vertx vertx, PodRunnerPort runner) {
        this.vertx = vertx;
        this.runner = runner;
    }

    /** Succeeds once the signal is sent; the pod's exit is recorded by its watch. */
    public Future<Void> stop(PodState pod, boolean force) {
        return Blocking.run(vertx, () -> {
            runner.stop(pod, force);
            return null;
        });
    }
}
