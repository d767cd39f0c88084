package dev.rkj.engine.pod;

import java.util.Locale;

/**
 * The stage of the engine that failed, in {@link PodEvent.StageFailed}. The constant names are
 * part of the journal's wire format: never rename them.
 */
public enum Stage {
    /** Fetching the image (discovery, download, import). */
    FETCH,
    /** Verifying the image's signature. */
    VERIFY,
    /** Unpacking the image into the store's tree. */
    UNPACK,
    /** Rendering the image's tree (with its dependencies) for the pod. */
    RENDER,
    /** Writing the pod directory and pod manifest. */
    PREPARE,
    /** Launching stage1 and the apps. */
    LAUNCH,
    /** Stopping the pod's stage1 on request. */
    STOP,
    /** Releasing what an ended pod held (its rootfs mount, its cgroups); gc releases again. */
    RELEASE,
    /** Cleaning up the pod's mounts, cgroups and directory. */
    GC;

    /** The lowercase stage name users see, e.g. {@code fetch}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A failure of this stage aborts the pod's preparation. */
    public boolean isPreparation() {
        return this == FETCH || this == VERIFY || this == UNPACK || this == RENDER || this == PREPARE;
    }

    /** Whether a failure of this stage can happen to a pod in {@code status}: its row in {@link PodTransitions}. */
    public boolean canFailIn(PodStatus status) {
        return PodTransitions.allowsFailure(this, status);
    }

    /** When this stage can fail, as words for a message. */
    String whenItCanFail() {
        return switch (this) {
            case LAUNCH -> "while the pod is prepared and being launched, or refused before it is prepared";
            case STOP -> "while the pod is running";
            case RELEASE -> "while the pod is running and its end is being recorded";
            case GC -> "while the pod is garbage";
            case FETCH, VERIFY, UNPACK, RENDER, PREPARE -> "while the pod is being prepared (embryo or preparing)";
        };
    }
}
