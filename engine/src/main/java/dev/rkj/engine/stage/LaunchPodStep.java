package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.PodRunnerPort.LaunchedPod;
import dev.rkj.engine.stage.PodRunnerPort.PodWatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Launch stage: starts a prepared pod through stage1 and waits until its apps run, or watches a
 * running pod this process adopted; both on a worker thread.
 */
public final class LaunchPodStep {
    private final Vertx vertx;
    private final PodRunnerPort runner;

    public LaunchPodStep(Vertx vertx, PodRunnerPort runner) {
        this.vertx = vertx;
        this.runner = runner;
    }

    /** Fails with a {@link StageException} naming the call that failed; nothing is left running. */
    public Future<LaunchedPod> launch(PodState pod) {
        return Blocking.run(vertx, () -> runner.launch(pod));
    }

    /** A watch on a pod launched by another (dead) engine. */
    public Future<PodWatch> watch(PodState pod) {
        return Blocking.run(vertx, () -> runner.watch(pod));
    }
}
