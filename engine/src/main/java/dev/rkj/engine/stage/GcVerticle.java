package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.DeletePod;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Deletes garbage pods this engine was asked to delete ({@code rkj rm}, {@code rkj gc}): their
 * mounts, cgroups and directory, then records {@code PodDeleted}, or {@code StageFailed(gc)} (the
 * pod stays garbage, and the next gc tries again). Garbage pods belong to no engine; the janitor is
 * idempotent, so two engines deleting the same pod at once is harmless.
 */
public final class GcVerticle extends StageVerticle {
    private final DeletePodStep step;
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Promise<Void>>> waiters = new ConcurrentHashMap<>();

    public GcVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, DeletePodStep step) {
        super(dispatcher, recorder, owner);
        this.step = step;
    }

    /**
     * Deletes pod {@code podId} once it is garbage (now, if it is). Thread-safe.
     *
     * @return completes when its deletion is recorded; fails with the janitor's
     *         {@link StageException} (also recorded), or an {@link IllegalStateException} if the
     *         pod is not garbage
     */
    public Future<Void> requestDelete(String podId) {
        Promise<Void> promise = Promise.promise();
        requested.add(podId);
        context.runOnContext(v -> {
            waiters.computeIfAbsent(podId, id -> new CopyOnWriteArrayList<>()).add(promise);
            onPod(podId);
            if (!isWorking(podId)) {
                PodState pod = recorder.current(podId);
                if (pod.status() == PodStatus.DELETED) {
                    settle(podId, null);
                } else {
                    settle(podId, new IllegalStateException("pod " + podId + " is " + pod.status().displayName()
                            + ", not garbage: mark it garbage (rkj rm) before deleting it"));
                }
            }
        });
        return promise.future();
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.status() == PodStatus.GARBAGE && requested.contains(pod.podId());
    }

    @Override
    protected Future<?> work(PodState pod) {
        String podId = pod.podId();
        return step.delete(pod).transform(ar -> {
            requested.remove(podId);
            if (ar.failed()) {
                return record(StageFailures.command(podId, Stage.GC, ar.cause()))
                        .onComplete(r -> settle(podId, ar.cause()));
            }
            CrashPoint.BEFORE_DELETED_RECORDED.reached();
            return record(new DeletePod(podId)).onComplete(r -> settle(podId, r.failed() ? r.cause() : null));
        });
    }

    private void settle(String podId, Throwable failure) {
        List<Promise<Void>> due = waiters.remove(podId);
        if (due == null) {
            return;
        }
        for (Promise<Void> p : due) {
            if (failure == null) {
                p.tryComplete();
            } else {
                p.tryFail(failure);
            }
        }
    }
}
