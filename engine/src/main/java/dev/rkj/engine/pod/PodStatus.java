package dev.rkj.engine.pod;

/**
 * Where a pod is in its life, with rkt's states and rkt's names for them.
 *
 * <pre>
 * embryo ──▶ preparing ──▶ prepared ──▶ running ──▶ exited ──▶ garbage ──▶ deleted
 *   │            │           │  │                    ▲         ▲   ▲
 *   │            │           │  └─── launch failed ──┘         │   │
 *   │            │           └────── expired, rkj rm ──────────┘   │
 *   └────────────┴──▶ aborted prepare ─────────────────────────────┘
 * </pre>
 *
 * <p>A lost pod (its engine died and left no exit status) ends in {@link #EXITED} with
 * {@link PodState#lost()} set when it was running, or in {@link #ABORTED_PREPARE} when it was
 * being prepared: there is no separate "lost" status, so every consumer that handles exited
 * pods handles lost ones too.
 *
 * <p>The moves between statuses, and every predicate below, are read from one table:
 * {@link PodTransitions}.
 *
 * <p>Status names (not {@link #name()}) are what users see: {@code rkj list} prints
 * {@link #displayName()}.
 */
public enum PodStatus {
    /** Created: the pod id is taken, no preparation stage has reported yet. */
    EMBRYO("embryo", 0),
    /** Its image is resolved; verification and rendering are under way. */
    PREPARING("preparing", 1),
    /** Ready to run: image rendered, pod directory and manifest written. */
    PREPARED("prepared", 2),
    /** A preparation stage failed or the preparing engine was lost; it will never run. */
    ABORTED_PREPARE("aborted prepare", 2),
    /** Its stage1 is running the apps. */
    RUNNING("running", 3),
    /** Its stage1 has exited (or was lost, or failed to launch). */
    EXITED("exited", 4),
    /** Waiting for its pod directory, mounts and cgroups to be cleaned up. */
    GARBAGE("garbage", 5),
    /** Its resources are gone; only its history remains in the journal. */
    DELETED("deleted", 6);

    private final String displayName;
    private final int progress;

    PodStatus(String displayName, int progress) {
        this.displayName = displayName;
        this.progress = progress;
    }

    /** The rkt-visible name, e.g. {@code aborted prepare}, as {@code rkj list} shows it. */
    public String displayName() {
        return displayName;
    }

    /** {@code rkj run-prepared} may launch it: {@link PodMove#START} is allowed (it is prepared). */
    public boolean canStart() {
        return PodTransitions.allows(PodMove.START, this);
    }

    /** {@code rkj stop} may stop it: {@link PodMove#STOP} is allowed (it is running). */
    public boolean canStop() {
        return PodTransitions.allows(PodMove.STOP, this);
    }

    /**
     * A preparation stage (fetch, verify, unpack, render, prepare) is working on it: such a stage
     * may fail in it (embryo, preparing).
     */
    public boolean isBeingPrepared() {
        for (Stage stage : Stage.values()) {
            if (stage.isPreparation() && PodTransitions.allowsFailure(stage, this)) {
                return true;
            }
        }
        return false;
    }

    /**
     * An engine is driving it right now (preparing or running it), so its owner must be alive;
     * recovery checks these pods and marks them lost when their owner is gone.
     */
    public boolean isActive() {
        return PodTransitions.allows(PodMove.MARK_LOST, this);
    }

    /**
     * It will never run (again): no allowed move leads from it to {@link #RUNNING} (aborted,
     * exited, garbage, deleted); {@code rkj status --wait} may return.
     */
    public boolean isFinished() {
        return !PodTransitions.reaches(this, RUNNING);
    }

    /** Nothing can happen to it any more: no move is allowed from it (deleted). */
    public boolean isFinal() {
        return !PodTransitions.anyMoveFrom(this);
    }

    /** It may be moved to {@link #GARBAGE}: it is prepared (expired), aborted or exited. */
    public boolean canBeMarkedGarbage() {
        return PodTransitions.allows(PodMove.MARK_GARBAGE, this);
    }

    /** {@code rkj rm} accepts it: a pod that may be marked garbage, or already is. */
    public boolean canBeRemoved() {
        return PodTransitions.allows(PodMove.REMOVE, this);
    }

    /**
     * {@code rkj gc} considers it. Today the same pods as {@link #canBeRemoved()}; gc applies
     * its time policy on top (expire-prepared for prepared pods, the grace period for exited).
     */
    public boolean canBeGarbageCollected() {
        return canBeRemoved();
    }

    /** Its resources may be deleted now: it is garbage. */
    public boolean canBeDeleted() {
        return PodTransitions.allows(PodMove.DELETE, this);
    }

    /** {@code rkj list} shows it: every pod that is not deleted (not final). */
    public boolean isListed() {
        return !isFinal();
    }

    /**
     * The status whose display name is {@code name} ({@code "aborted prepare"}), for filters.
     *
     * @throws IllegalArgumentException naming the valid names
     */
    public static PodStatus fromDisplayName(String name) {
        for (PodStatus status : values()) {
            if (status.displayName.equals(name)) {
                return status;
            }
        }
        StringBuilder valid = new StringBuilder();
        for (PodStatus status : values()) {
            valid.append(valid.length() == 0 ? "" : ", ").append(status.displayName);
        }
        throw new IllegalArgumentException("unknown pod status \"" + name + "\": use one of " + valid);
    }

    /**
     * Whether {@code next} lies further along the lifecycle than this status. Statuses at the
     * same step ({@code prepared}, {@code aborted prepare}) are not ahead of each other.
     */
    boolean isBehind(PodStatus next) {
        return next.progress > progress;
    }
}
