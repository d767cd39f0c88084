package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.RecordVerification;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;

/** Verifies the resolved image of each preparing pod this engine owns. */
public final class VerifyVerticle extends StageVerticle {
    private final VerifyImageStep step;

    public VerifyVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, VerifyImageStep step) {
        super(dispatcher, recorder, owner);
        this.step = step;
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.PREPARING && pod.image() != null && pod.verification() == null && mine(pod);
    }

    @Override
    protected Future<?> work(PodState pod) {
        return recordOutcome(pod, Stage.VERIFY, step.verify(pod),
                v -> new RecordVerification(pod.podId(), pod.image().id(), v.verified(), v.reason()),
                CrashPoint.AFTER_VERIFIED);
    }
}
