package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one rule for an engine's work on pods: <b>one piece of work per pod at a time</b>, whichever
 * stage does it. A {@link StageVerticle} claims the pod before it looks at it and releases the claim
 * when its work is recorded; a verticle told about a pod another stage is busy with does nothing,
 * and the pod is looked at again (a {@link PodEventDispatcher#poke}) when that work ends.
 *
 * <p>Holding the claim is what lets the stages of a pod's way to its launch run <b>back to back on
 * one worker thread</b> ({@link StageVerticle.Step}): when a stage's outcome is recorded, the next
 * stage that wants the pod's new state runs at once on the same thread, instead of the change
 * travelling through the dispatcher to the next verticle's event loop and from there to another
 * worker (two thread wake-ups per stage, each slow on a VM's idle vCPU). Every stage still decides
 * from the pod's state alone, and every outcome is still appended before the next stage runs, so the
 * journal, recovery and crash points see the same events in the same order.
 *
 * <p>Thread-safe.
 */
public final class PodWork {
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final List<StageVerticle> stages = new CopyOnWriteArrayList<>();

    /** Claims pod {@code podId} for one piece of work; false if some stage already works on it. */
    boolean claim(String podId) {
        return busy.add(podId);
    }

    /** Ends the claim taken by {@link #claim}. */
    void release(String podId) {
        busy.remove(podId);
    }

    /** Adds a stage, after those added before it (the engine's deploy order is the pipeline's order). */
    void join(StageVerticle stage) {
        stages.add(Objects.requireNonNull(stage, "stage"));
    }

    void leave(StageVerticle stage) {
        stages.remove(stage);
    }

    /**
     * The first stage that wants {@code pod} in its state, with its work for it if that work can run
     * from any thread; empty if no stage wants the pod or the first that does works on its own context.
     */
    Optional<Next> next(PodState pod) {
        for (StageVerticle stage : stages) {
            if (stage.wants(pod)) {
                StageVerticle.Step step = stage.step(pod);
                return step == null ? Optional.empty() : Optional.of(new Next(stage, step));
            }
        }
        return Optional.empty();
    }

    /** A stage and its step for a pod. */
    record Next(StageVerticle stage, StageVerticle.Step step) {
    }
}
