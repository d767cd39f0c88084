package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;

/**
 * A stage verticle as the {@link PodEventDispatcher} sees it: something that may have work to do
 * for a pod whenever the pod's state changes.
 *
 * <p>Delivery is level-triggered: the subscriber is told "pod P changed", not which event did
 * it, and looks at P's current state. So a redelivered event, a replay and a recovery poke are all
 * the same call, and handling them twice is harmless as long as {@link #onPod} checks the state
 * (and its own work in flight) before acting.
 */
public interface PodSubscriber {

    /**
     * Whether the subscriber may have work for a pod in {@code state}. Called on the dispatcher's
     * thread for every change: must be quick, must not block, and must be thread-safe. It only
     * filters: {@link #onPod} checks again.
     */
    boolean wants(PodState state);

    /** Looks at pod {@code podId} and does what is due. Called on the subscriber's own context. */
    void onPod(String podId);
}
