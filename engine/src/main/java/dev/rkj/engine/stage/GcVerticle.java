package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.DeletePod;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;

import java.util.Objects;

/**
 * Deletes the garbage pods this engine asked to delete ({@code pod.delete-requested} by this
 * engine: {@code rkj rm}, {@code rkj gc}, or recovery taking over a dead engine's request): their
 * mounts, cgroups and directory through the {@link PodJanitorPort}, on a worker thread; then
 * records {@code PodDeleted}, or {@code StageFailed(gc)}, which clears the request (the pod stays
 * garbage, and the next gc asks again). The janitor is idempotent, so two engines deleting the same
 * pod at once is harmless. The intent is in the journal, not here: this verticle holds no state.
 */
public final class GcVerticle extends StageVerticle {
    private final PodJanitorPort janitor;

    public GcVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                      PodWork podWork, PodJanitorPort janitor) {
        super(dispatcher, recorder, owner, crashAt, podWork);
        this.janitor = Objects.requireNonNull(janitor, "janitor");
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.GARBAGE && owner.equals(pod.deleteRequestedBy());
    }

    @Override
    protected Future<?> work(PodState pod) {
        String podId = pod.podId();
        return Blocking.run(vertx, () -> janitor.delete(pod)).transform(ar -> {
            if (ar.failed()) {
                return record(StageFailures.command(podId, Stage.GC, ar.cause()));
            }
            CrashPoint.BEFORE_DELETED_RECORDED.reached(crashAt);
            return record(new DeletePod(podId, ar.result()));
        });
    }
}
