package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.PreparePod;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;

import java.util.Objects;

/**
 * Writes the pod directory, manifest and rootfs mount of each rendered pod this engine owns
 * through the {@link PodPreparerPort}, on a worker thread.
 */
public final class PrepareVerticle extends StageVerticle {
    private final PodPreparerPort preparer;

    public PrepareVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                           PodWork podWork, PodPreparerPort preparer) {
        super(dispatcher, recorder, owner, crashAt, podWork);
        this.preparer = Objects.requireNonNull(preparer, "preparer");
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.PREPARING && pod.treeId() != null && pod.manifestDigest() == null && mine(pod);
    }

    @Override
    protected Step step(PodState pod) {
        return Step.of(Stage.PREPARE, CrashPoint.AFTER_PREPARED,
                () -> new PreparePod(pod.podId(), preparer.prepare(pod).manifestDigest()));
    }
}
