package dev.rkj.engine.pod;

import java.util.function.Predicate;

/**
 * A move on a pod that the lifecycle may refuse: one per {@link PodCommand}. Carries the words
 * for the refusal ("cannot start it (only a prepared pod can be started)") and the statuses that
 * allow it.
 */
public enum PodMove {
    /** {@link PodCommand.CreatePod}. */
    CREATE("create it", s -> false, "a pod id is used only once; create a new pod"),
    /** {@link PodCommand.ResolveImage}. */
    RESOLVE_IMAGE("record its resolved image", s -> s == PodStatus.EMBRYO,
            "its image is resolved once, while it is an embryo"),
    /** {@link PodCommand.RecordVerification}. */
    RECORD_VERIFICATION("record its image's verification", s -> s == PodStatus.PREPARING,
            "an image is verified only while its pod is preparing"),
    /** {@link PodCommand.RecordRendered}. */
    RECORD_RENDERED("record its rendered image", s -> s == PodStatus.PREPARING,
            "an image is rendered only while its pod is preparing"),
    /** {@link PodCommand.PreparePod}. */
    PREPARE("mark it prepared", s -> s == PodStatus.PREPARING, "only a preparing pod can become prepared"),
    /** {@link PodCommand.StartPod}. */
    START("start it", PodStatus::canStart, "only a prepared pod can be started"),
    /** {@link PodCommand.RecordAppExit}. */
    RECORD_APP_EXIT("record an app's exit", s -> s == PodStatus.RUNNING,
            "app exits are recorded only while the pod is running"),
    /** {@link PodCommand.RequestLaunch}. */
    REQUEST_LAUNCH("ask to launch it", s -> s.isBeingPrepared() || s == PodStatus.PREPARED,
            "only a pod being prepared or prepared can be launched"),
    /** {@link PodCommand.StopPod}. */
    STOP("stop it", PodStatus::canStop, "only a running pod can be stopped"),
    /** {@link PodCommand.RecordExit}. */
    RECORD_EXIT("record its exit", s -> s == PodStatus.RUNNING, "only a running pod can exit"),
    /** {@link PodCommand.MarkGarbage}. */
    MARK_GARBAGE("mark it garbage", PodStatus::canBeMarkedGarbage,
            "only a prepared, aborted or exited pod can become garbage"),
    /** {@link PodCommand.RemovePod}. */
    REMOVE("remove it", PodStatus::canBeRemoved,
            "only a prepared, aborted, exited or garbage pod can be removed"),
    /** {@link PodCommand.DeletePod}. */
    DELETE("delete it", PodStatus::canBeDeleted, "only a garbage pod can be deleted; mark it garbage first"),
    /** {@link PodCommand.RequestDelete}. */
    REQUEST_DELETE("ask to delete it", PodStatus::canBeDeleted, "only a garbage pod can be deleted; mark it garbage first"),
    /** {@link PodCommand.FailStage}. */
    FAIL_STAGE("record a stage failure", PodMove::someStageCanFailIn,
            "no stage works on a pod in this state"),
    /** {@link PodCommand.MarkLost}. */
    MARK_LOST("mark it lost", PodStatus::isActive, "only a pod being prepared or running can be lost"),
    /** {@link PodCommand.AdoptPod}. */
    ADOPT("adopt it", s -> s.isActive() || s == PodStatus.PREPARED,
            "only a pod being prepared, prepared or running is driven by an engine");

    private final String description;
    private final Predicate<PodStatus> allowedFrom;
    private final String rule;

    PodMove(String description, Predicate<PodStatus> allowedFrom, String rule) {
        this.description = description;
        this.allowedFrom = allowedFrom;
        this.rule = rule;
    }

    /** The move in words, after "cannot": {@code start it}. */
    public String description() {
        return description;
    }

    /** Whether a pod in {@code status} may make this move (further checks may still refuse it). */
    public boolean allowedFrom(PodStatus status) {
        return allowedFrom.test(status);
    }

    /** Why a pod in {@code from} cannot make this move, and what to do instead. */
    String refusal(PodStatus from, String podId) {
        if (this == MARK_GARBAGE || this == REMOVE) {
            if (from == PodStatus.RUNNING) {
                return "stop it first: rkj stop " + podId;
            }
            if (from.isBeingPrepared()) {
                return "it is being prepared; wait until it is prepared or its preparation is aborted";
            }
        }
        if ((this == START || this == REQUEST_LAUNCH) && from == PodStatus.RUNNING) {
            return "it is already running";
        }
        return rule;
    }

    private static boolean someStageCanFailIn(PodStatus status) {
        for (Stage stage : Stage.values()) {
            if (stage.canFailIn(status)) {
                return true;
            }
        }
        return false;
    }
}
