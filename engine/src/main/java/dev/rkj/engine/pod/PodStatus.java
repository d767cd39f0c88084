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

    /** {@code rkj run-prepared} may launch it: it is prepared. */
    public boolean canStart() {
        return this == PREPARED;
    }

    /** {@code rkj stop} may stop it: it is running. */
    public boolean canStop() {
        return this == RUNNING;
    }

    /** A preparation stage (fetch, verify, unpack, render, prepare) is working on it. */
    public boolean isBeingPrepared() {
        return this == EMBRYO || this == PREPARING;
    }

    /**
     * An engine is driving it right now (preparing or running it), so its owner must be alive;
     * recovery checks these pods and marks them lost when their owner is gone.
     */
    public boolean isActive() {
        return isBeingPrepared() || this == RUNNING;
    }

    /** It will never run (again): {@code rkj status --wait} may return. */
    public boolean isFinished() {
        return this == ABORTED_PREPARE || this == EXITED || this == GARBAGE || this == DELETED;
    }

    /** Nothing can happen to it any more. */
    public boolean isFinal() {
        return this == DELETED;
    }

    /** It may be moved to {@link #GARBAGE}: it is prepared (expired), aborted or exited. */
    public boolean canBeMarkedGarbage() {
        return this == PREPARED || this == ABORTED_PREPARE || this == EXITED;
    }

    /** {@code rkj rm} accepts it: a pod that may be marked garbage, or already is. */
    public boolean canBeRemoved() {
        return canBeMarkedGarbage() || this == GARBAGE;
    }

    /**
     * {@code rkj gc} considers it. Today the same pods as {@link #canBeRemoved()}; gc applies
     * its time policy on top (expire-prepared for prepared pods, the grace period for exited).
     */
    public boolean canBeGarbageCollected() {
        return canBeMarkedGarbage() || this == GARBAGE;
    }

    /** Its resources may be deleted now: it is garbage. */
    public boolean canBeDeleted() {
        return this == GARBAGE;
    }

    /** {@code rkj list} shows it: every pod that is not deleted. */
    public boolean isListed() {
        return this != DELETED;
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
