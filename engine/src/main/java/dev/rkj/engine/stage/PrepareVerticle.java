package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.PreparePod;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;

import java.util.Objects;

/**
 * Writes the pod directory, manifest and rootfs mount of each rendered pod this engine owns
 * through the {@link PodPreparerPort}, on a worker thread.
 */
public final class PrepareVerticle extends StageVerticle {
    private final PodPreparerPort preparer;

    public PrepareVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                           PodPreparerPort preparer) {
        super(dispatcher, recorder, owner, crashAt);
        this.preparer = Objects.requireNonNull(preparer, "preparer");
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.PREPARING && pod.treeId() != null && pod.manifestDigest() == null && mine(pod);
    }

    @Override
    protected Future<?> work(PodState pod) {
        return recordOutcome(pod, Stage.PREPARE, Blocking.run(vertx, () -> preparer.prepare(pod)),
                p -> new PreparePod(pod.podId(), p.manifestDigest()), CrashPoint.AFTER_PREPARED);
    }
}
