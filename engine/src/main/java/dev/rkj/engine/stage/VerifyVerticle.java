package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.RecordVerification;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;

import java.util.Objects;

/**
 * Verifies the resolved image of each preparing pod this engine owns through the
 * {@link ImageVerifierPort}, on a worker thread (its {@link StageException} says why the image may
 * not be used).
 */
public final class VerifyVerticle extends StageVerticle {
    private final ImageVerifierPort verifier;

    public VerifyVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                          ImageVerifierPort verifier) {
        super(dispatcher, recorder, owner, crashAt);
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.PREPARING && pod.image() != null && pod.verification() == null && mine(pod);
    }

    @Override
    protected Future<?> work(PodState pod) {
        return recordOutcome(pod, Stage.VERIFY, Blocking.run(vertx,
                        () -> verifier.verify(pod.podId(), pod.spec(), pod.image().id(), pod.image().name())),
                v -> new RecordVerification(pod.podId(), pod.image().id(), v.verified(), v.reason()),
                CrashPoint.AFTER_VERIFIED);
    }
}
