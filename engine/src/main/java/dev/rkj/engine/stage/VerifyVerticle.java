package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.RecordVerification;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;

import java.util.Objects;

/**
 * Verifies the resolved images, one at a time, of each preparing pod this engine owns through the
 * {@link ImageVerifierPort}, on a worker thread (its {@link StageException} says why the image may
 * not be used).
 */
public final class VerifyVerticle extends StageVerticle {
    private final ImageVerifierPort verifier;

    public VerifyVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                          PodWork podWork, ImageVerifierPort verifier) {
        super(dispatcher, recorder, owner, crashAt, podWork);
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.PREPARING && pod.image() != null && pod.nextUnverified().isPresent() && mine(pod);
    }

    @Override
    protected Step step(PodState pod) {
        PodState.PodImage image = pod.nextUnverified().orElseThrow();
        return Step.of(Stage.VERIFY, CrashPoint.AFTER_VERIFIED, () -> {
            ImageVerifierPort.Verification v = verifier.verify(pod.podId(), pod.spec(), image.id(), image.name());
            return new RecordVerification(pod.podId(), image.id(), v.verified(), v.reason(), v.keyFingerprint(),
                    v.trustedPrefix());
        });
    }
}
