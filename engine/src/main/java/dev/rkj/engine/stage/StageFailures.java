package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.FailStage;
import dev.rkj.engine.pod.Stage;

import java.util.concurrent.CompletionException;

/** Turns what a stage threw into the failure to record: its reason and whether retrying helps. */
public final class StageFailures {
    private StageFailures() {
    }

    /**
     * The {@link FailStage} command for {@code failure} of {@code stage} on pod {@code podId}: a
     * {@link StageException}'s own reason and retryability; anything else is a bug, recorded as
     * not retryable with what was thrown.
     */
    public static FailStage command(String podId, Stage stage, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof StageException e) {
            return new FailStage(podId, stage, reasonOf(e), e.retryable());
        }
        return new FailStage(podId, stage, stage.displayName() + " failed unexpectedly: " + cause
                + " (a bug in rkj: please report it with the output of rkj journal show " + podId + ")", false);
    }

    private static String reasonOf(StageException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
