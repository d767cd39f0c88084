package dev.rkj.engine.stage;

/**
 * A stage could not do its work for a pod. Its message is the reason recorded in
 * {@link dev.rkj.engine.pod.PodEvent.StageFailed}: it says what went wrong (naming the image,
 * path, call or errno) and what the user can do about it.
 */
public class StageException extends Exception {
    private final boolean retryable;

    /**
     * @param reason    what went wrong and what to do about it
     * @param retryable whether running the pod again may work (a network error, a busy mount)
     *                  or not (a bad signature, an image without an app)
     */
    public StageException(String reason, boolean retryable) {
        super(reason);
        this.retryable = retryable;
    }

    public StageException(String reason, boolean retryable, Throwable cause) {
        super(reason, cause);
        this.retryable = retryable;
    }

    /** A failure that trying again will not fix. */
    public static StageException permanent(String reason) {
        return new StageException(reason, false);
    }

    /** A failure that trying again may fix. */
    public static StageException retryable(String reason, Throwable cause) {
        return new StageException(reason, true, cause);
    }

    /** Whether trying again can help. */
    public boolean retryable() {
        return retryable;
    }
}
