package dev.rkj.engine.recovery;

import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.NetworkAttachment;
import dev.rkj.engine.pod.PodCommand.AdoptPod;
import dev.rkj.engine.pod.PodCommand.FailStage;
import dev.rkj.engine.pod.PodCommand.RequestDelete;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.stage.PodEventDispatcher;
import dev.rkj.engine.stage.PodJanitorPort;
import dev.rkj.engine.stage.PodRecorder;
import dev.rkj.engine.stage.PodRecorder.Recorded;
import dev.rkj.engine.stage.PodRuntime;
import dev.rkj.engine.stage.PodRuntime.PodProbe;
import dev.rkj.engine.stage.StageException;
import dev.rkj.eventlog.JournalException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Brings the journal and the host back in line after a restart, and whenever a pod's owner may
 * have died. The journal records facts and intents; liveness comes from the kernel.
 *
 * <p>Only pods an engine drives are looked at: being prepared (embryo, preparing), prepared (when
 * a launch was requested, or a stage1 holds its lock), running, and garbage pods whose deletion
 * was requested. A pod owned by a live engine is left to it. A pod whose owner is gone is first
 * <em>adopted</em> ({@code pod.adopted}, compare-and-set: of several engines recovering at once,
 * exactly one wins), and then:
 * <pre>
 * embryo, preparing        if a launch was requested (rkj run): the launch is refused, not adopted
 *                          (below); otherwise resumed by an engine that watches orphans: the stage
 *                          verticles are poked and redo the missing stage (every stage is
 *                          idempotent), or fail it cleanly; a short-lived engine leaves it
 *                          abandoned, for gc to collect (the rule is written in PodLifecycle)
 * prepared, launched       its launcher died between starting stage1 and recording it (stage1's
 *                          lock is held, or its lock file is there): the pod's processes are
 *                          killed if still running, it is released, StageFailed(launch) is recorded
 * prepared, launch         the requesting engine died before the launch: the launch is refused
 *   requested              (the pod is not adopted), see the rule below
 * running                  watched again: the launch verticle watches its stage1 (lock probe and
 *                          pidfd); if stage1 is already gone, its exit is recorded at once from the
 *                          status files it wrote (AppExited..., PodExited), or PodLost if none
 * garbage, delete          the requesting engine died before recording the deletion: this engine
 *   requested              asks again (pod.delete-requested by itself) and its gc verticle deletes
 *                          the pod (deletion is idempotent)
 * </pre>
 *
 * <h2>The rule for a launch whose requester died</h2>
 * A {@code pod.launch-requested} pod whose requesting engine is gone and that never started is
 * <em>not</em> launched by the recovering engine: recovery records {@code StageFailed(launch)} with
 * the reason "requesting engine died before launch" (a prepared pod becomes exited, with its rootfs
 * released; a pod still being prepared becomes aborted), and gc collects it. Why: the requester
 * was the one waiting for the pod ({@code rkj run} attaches to it and returns its exit status), so
 * starting it later, perhaps hours later from an unrelated command, would run a program no one is
 * waiting for. {@code rkj run} again, or {@code rkj prepare} plus {@code run-prepared}, is the way
 * to ask anew.
 *
 * <p>With {@code watchOrphans} off (a short-lived CLI engine that only looks), running pods whose
 * stage1 is alive are left alone (not adopted); dead ones are still recorded.
 *
 * <p>Blocking: every method runs its work on a worker thread.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final long ADOPTION_TIMEOUT_SECONDS = 30;
    /** The words a refused launch's failure starts with (see the class comment). */
    public static final String LAUNCH_REFUSED = "requesting engine died before launch";

    private final Vertx vertx;
    private final PodOwner me;
    private final Liveness liveness;
    private final PodRecorder recorder;
    private final PodEventDispatcher dispatcher;
    private final PodRuntime runner;
    private final PodJanitorPort janitor;
    private final boolean watchOrphans;

    public Reconciler(Vertx vertx, PodOwner me, Liveness liveness, PodRecorder recorder, PodEventDispatcher dispatcher,
                      PodRuntime runner, PodJanitorPort janitor, boolean watchOrphans) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.me = Objects.requireNonNull(me, "me");
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.janitor = Objects.requireNonNull(janitor, "janitor");
        this.watchOrphans = watchOrphans;
    }

    /** What recovery did with one pod. */
    public enum Action {
        /** Nothing to do: the pod is not driven by an engine, or is prepared and idle. */
        NONE,
        /** Its owner is alive (another engine, or this one): left to it. */
        OWNED_BY_LIVE_ENGINE,
        /** Another engine adopted it first. */
        ADOPTED_BY_OTHER,
        /** Adopted; its preparation resumes. */
        RESUMED,
        /** Adopted; a stage1 that was started but never recorded was killed, the launch failed. */
        LAUNCH_ABORTED,
        /** Its launch was requested by an engine that died before launching it: refused (not adopted). */
        LAUNCH_REFUSED,
        /** Its deletion was requested by an engine that died first: asked again, by this engine. */
        DELETE_RESUMED,
        /** Adopted; watched until it ends (or its end recorded at once if stage1 is gone). */
        WATCHED,
        /** Running with a live stage1 and left unadopted (watchOrphans off). */
        LEFT_RUNNING,
        /** It could not be reconciled now (its pod directory cannot be read...); see the log. */
        FAILED
    }

    /**
     * One pod's outcome.
     *
     * @param podId  the pod
     * @param action what was done
     */
    public record Outcome(String podId, Action action) {
    }

    /** Reconciles every pod the projection knows. */
    public Future<List<Outcome>> reconcileAll() {
        return vertx.executeBlocking(() -> {
            List<Outcome> outcomes = new ArrayList<>();
            for (PodState pod : recorder.projection().all()) {
                Action action = reconcileNow(pod.podId(), watchOrphans);
                if (action != Action.NONE) {
                    outcomes.add(new Outcome(pod.podId(), action));
                }
            }
            return outcomes;
        }, false);
    }

    /**
     * Reconciles one pod that a user acts on (e.g. stops) and whose owner may be dead: a running
     * orphan is adopted and watched even with {@code watchOrphans} off.
     */
    public Future<Action> reconcile(String podId) {
        return vertx.executeBlocking(() -> reconcileNow(podId, true), false);
    }

    private Action reconcileNow(String podId, boolean watchLive) {
        PodState pod = recorder.current(podId);
        PodStatus status = pod.status();
        if (pod.exists() && status == PodStatus.GARBAGE && pod.deleteRequestedBy() != null) {
            return resumeDelete(pod);
        }
        if (!pod.exists() || !(status.isActive() || status == PodStatus.PREPARED)) {
            return Action.NONE;
        }
        try {
            if (me.equals(pod.owner())) {
                dispatcher.poke(podId);
                return status == PodStatus.PREPARED ? Action.NONE : Action.OWNED_BY_LIVE_ENGINE;
            }
            String gone = whyGone(pod.owner());
            if (gone == null) {
                return Action.OWNED_BY_LIVE_ENGINE;
            }
            return switch (status) {
                case EMBRYO, PREPARING -> watchOrphans ? resume(pod, gone) : Action.NONE; // else gc collects it
                case PREPARED -> abortUnrecordedLaunch(pod, gone);
                case RUNNING -> watch(pod, gone, watchLive);
                default -> Action.NONE;
            };
        } catch (StageException | JournalException | RuntimeException e) {
            LOG.error("recovery could not reconcile pod {} ({}): {}", podId, status.displayName(), e.getMessage(), e);
            return Action.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Action.FAILED;
        }
    }

    private Action resume(PodState pod, String gone) throws StageException, JournalException, InterruptedException {
        if (pod.launchRequestedBy() != null) {
            return refuseLaunch(pod, gone);
        }
        if (!adopt(pod, gone + "; resuming its preparation")) {
            return Action.ADOPTED_BY_OTHER;
        }
        dispatcher.poke(pod.podId());
        return Action.RESUMED;
    }

    private Action abortUnrecordedLaunch(PodState pod, String gone)
            throws StageException, JournalException, InterruptedException {
        PodProbe probe = runner.probe(pod);
        if (!probe.launched()) {
            // prepared and idle: anyone may run it, unless its requester was waiting for it
            return pod.launchRequestedBy() == null ? Action.NONE : refuseLaunch(pod, gone);
        }
        if (!adopt(pod, gone + " while launching it")) {
            return Action.ADOPTED_BY_OTHER;
        }
        String released = " and released it";
        try {
            List<NetworkAttachment> left = janitor.release(recorder.current(pod.podId()));
            if (!left.isEmpty()) {
                released += " (it left networks " + NetworkAttachment.describe(left) + ")";
            }
        } catch (StageException e) { // the launch's end is recorded all the same; gc releases again
            released = ", but releasing it failed (" + e.getMessage() + "; rkj gc releases it again)";
        }
        String what = probe.lockHeld() ? "recovery killed the pod's processes"
                : "the pod ran unwatched and ended" + (probe.written().isEmpty() ? "" : " ("
                + probe.written().values().stream().map(a -> "app " + a.app() + " exited with " + a.exitCode())
                .collect(java.util.stream.Collectors.joining(", ")) + ")");
        record(new FailStage(pod.podId(), Stage.LAUNCH, "the engine launching the pod (" + pod.owner()
                + ") died before it recorded the start; " + what + released + "; run the image again with rkj run",
                true));
        return Action.LAUNCH_ABORTED;
    }

    /**
     * The rule for a launch whose requester died (see the class comment): refused, recorded as a
     * launch failure; a prepared pod's rootfs is released first. Not adopted: no stage may start on
     * the pod meanwhile (an adopted embryo would be fetched), and every recovering engine applies the
     * same rule, so several doing it at once release twice (idempotent) and record the refusal once
     * (the same failure is recorded once).
     */
    private Action refuseLaunch(PodState pod, String gone) throws StageException, JournalException {
        LOG.info("refusing the launch of pod {}: {}", pod.podId(), gone);
        if (pod.status() == PodStatus.PREPARED) {
            janitor.release(pod);
        }
        record(new FailStage(pod.podId(), Stage.LAUNCH, LAUNCH_REFUSED + ": " + pod.launchRequestedBy()
                + " asked to launch the pod and is gone, so no one is waiting for it; nothing was started."
                + " Run the image again with rkj run", false));
        return Action.LAUNCH_REFUSED;
    }

    /**
     * A garbage pod whose deletion was requested: if the requester is gone (or an earlier run of
     * this engine), this engine asks again and its gc verticle deletes it.
     */
    private Action resumeDelete(PodState pod) {
        PodOwner requester = pod.deleteRequestedBy();
        if (me.equals(requester)) {
            dispatcher.poke(pod.podId());
            return Action.NONE;
        }
        String gone = whyGone(requester);
        if (gone == null) {
            return Action.OWNED_BY_LIVE_ENGINE;
        }
        try {
            recorder.record(new RequestDelete(pod.podId(), me));
            return Action.DELETE_RESUMED;
        } catch (IllegalPodTransition e) {
            LOG.info("not taking over the deletion of pod {}: {}", pod.podId(), e.getMessage());
            return Action.NONE;
        } catch (JournalException e) {
            LOG.error("recovery could not ask to delete pod {}: {}", pod.podId(), e.getMessage(), e);
            return Action.FAILED;
        }
    }

    private Action watch(PodState pod, String gone, boolean watchLive)
            throws StageException, JournalException, InterruptedException {
        if (!watchLive && runner.probe(pod).lockHeld()) {
            return Action.LEFT_RUNNING;
        }
        if (!adopt(pod, gone + "; watching its stage1")) {
            return Action.ADOPTED_BY_OTHER;
        }
        dispatcher.poke(pod.podId());
        return Action.WATCHED;
    }

    /**
     * Why {@code owner} is gone (its engine lock is free, or it was an earlier run of this engine),
     * or null if it is alive or that cannot be told. Blocking (a lock probe).
     */
    public String whyGone(PodOwner owner) {
        if (owner == null) {
            return "it has no owner";
        }
        if (owner.engineId().equals(me.engineId()) && owner.hostPid() != me.hostPid()) {
            return owner + " was an earlier run of this engine";
        }
        try {
            return liveness.isAlive(owner) ? null : owner + " is gone (its engine lock is free)";
        } catch (IOException e) {
            LOG.warn("cannot tell whether {} is alive, leaving its pods to it: {}", owner, e.getMessage());
            return null;
        }
    }

    /** Adopts the pod and waits until the journal says who won; true if this engine did. */
    private boolean adopt(PodState pod, String reason) throws JournalException, InterruptedException {
        Recorded recorded;
        try {
            recorded = recorder.record(new AdoptPod(pod.podId(), pod.owner(), me, reason));
        } catch (IllegalPodTransition e) {
            LOG.info("not adopting pod {}: {}", pod.podId(), e.getMessage());
            return false;
        }
        if (!recorded.isEmpty()) {
            try {
                dispatcher.applied(recorded.lastIndex()).toCompletionStage().toCompletableFuture()
                        .get(ADOPTION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the journal's tail did not fold in this engine's adoption of pod "
                        + pod.podId() + " (index " + recorded.lastIndex() + ") within " + ADOPTION_TIMEOUT_SECONDS
                        + "s; is the journal damaged? run rkj journal verify", e);
            }
        }
        return me.equals(recorder.current(pod.podId()).owner());
    }

    private void record(FailStage failure) throws JournalException {
        try {
            recorder.record(failure);
        } catch (IllegalPodTransition e) {
            LOG.info("not recording the launch failure of pod {}: {}", failure.podId(), e.getMessage());
        }
    }
}
