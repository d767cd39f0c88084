package dev.rkj.engine.pod;

/**
 * A move on a pod that the lifecycle may refuse: one per {@link PodCommand}. Carries the words
 * for the refusal ("cannot start it (only a prepared pod can be started)"); the statuses that
 * allow it are its row in {@link PodTransitions}.
 */
public enum PodMove {
    /** {@link PodCommand.CreatePod}. */
    CREATE("create it", "a pod id is used only once; create a new pod"),
    /** {@link PodCommand.ResolveImage}. */
    RESOLVE_IMAGE("record its resolved image", "its image is resolved once, while it is an embryo"),
    /** {@link PodCommand.RecordVerification}. */
    RECORD_VERIFICATION("record its image's verification", "an image is verified only while its pod is preparing"),
    /** {@link PodCommand.RecordRendered}. */
    RECORD_RENDERED("record its rendered image", "an image is rendered only while its pod is preparing"),
    /** {@link PodCommand.PreparePod}. */
    PREPARE("mark it prepared", "only a preparing pod can become prepared"),
    /** {@link PodCommand.StartPod}. */
    START("start it", "only a prepared pod can be started"),
    /** {@link PodCommand.RecordAppExit}. */
    RECORD_APP_EXIT("record an app's exit", "app exits are recorded only while the pod is running"),
    /** {@link PodCommand.RequestLaunch}. */
    REQUEST_LAUNCH("ask to launch it", "only a pod being prepared or prepared can be launched"),
    /** {@link PodCommand.StopPod}. */
    STOP("stop it", "only a running pod can be stopped"),
    /** {@link PodCommand.RecordExit}. */
    RECORD_EXIT("record its exit", "only a running pod can exit"),
    /** {@link PodCommand.MarkGarbage}. */
    MARK_GARBAGE("mark it garbage", "only a prepared, aborted or exited pod can become garbage"),
    /** {@link PodCommand.RemovePod}. */
    REMOVE("remove it", "only a prepared, aborted, exited or garbage pod can be removed"),
    /** {@link PodCommand.DeletePod}. */
    DELETE("delete it", "only a garbage pod can be deleted; mark it garbage first"),
    /** {@link PodCommand.RequestDelete}. */
    REQUEST_DELETE("ask to delete it", "only a garbage pod can be deleted; mark it garbage first"),
    /** {@link PodCommand.FailStage}. */
    FAIL_STAGE("record a stage failure", "no stage works on a pod in this state"),
    /** {@link PodCommand.MarkLost}. */
    MARK_LOST("mark it lost", "only a pod being prepared or running can be lost"),
    /** {@link PodCommand.AdoptPod}. */
    ADOPT("adopt it", "only a pod being prepared, prepared or running is driven by an engine");

    private final String description;
    private final String rule;

    PodMove(String description, String rule) {
        this.description = description;
        this.rule = rule;
    }

    /** The move in words, after "cannot": {@code start it}. */
    public String description() {
        return description;
    }

    /** Whether a pod in {@code status} may make this move (further checks may still refuse it). */
    public boolean allowedFrom(PodStatus status) {
        return PodTransitions.allows(this, status);
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
}
