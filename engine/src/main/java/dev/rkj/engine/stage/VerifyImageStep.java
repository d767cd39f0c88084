package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.ImageVerifierPort.Verification;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Verify stage: checks the resolved image's signature (or records why not), on a worker thread. */
public final class VerifyImageStep {
    private final Vertx vertx;
    private final ImageVerifierPort verifier;

    public VerifyImageStep(Vertx vertx, ImageVerifierPort verifier) {
        this.vertx = vertx;
        this.verifier = verifier;
    }

    /** Fails with a {@link StageException} when the image may not be used. */
    public Future<Verification> verify(PodState pod) {
        return Blocking.run(vertx,
                () -> verifier.verify(pod.podId(), pod.spec(), pod.image().id(), pod.image().name()));
    }
}
