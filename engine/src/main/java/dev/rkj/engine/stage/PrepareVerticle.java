package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.PreparePod;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;

/** Writes the pod directory, manifest and rootfs mount of each rendered pod this engine owns. */
public final class PrepareVerticle extends StageVerticle {
    private final PreparePodStep step;

    public PrepareVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, PreparePodStep step) {
        super(dispatcher, recorder, owner);
        this.step = step;
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.PREPARING && pod.treeId() != null && pod.manifestDigest() == null && mine(pod);
    }

    @Override
    protected Future<?> work(PodState pod) {
        return recordOutcome(pod, Stage.PREPARE, step.prepare(pod),
                p -> new PreparePod(pod.podId(), p.manifestDigest()), CrashPoint.AFTER_PREPARED);
    }
}
