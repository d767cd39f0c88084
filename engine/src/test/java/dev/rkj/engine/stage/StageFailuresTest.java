package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.FailStage;
import dev.rkj.engine.pod.Stage;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a stage threw becomes the failure recorded: its reason, and whether retrying helps. */
class StageFailuresTest {
    private static final String POD = "6f1c2a3b-0c4d-4e5f-8a9b-0c1d2e3f4a5b";

    @Test
    void aStageExceptionKeepsItsReasonAndRetryability() {
        FailStage f = StageFailures.command(POD, Stage.FETCH,
                new CompletionException(StageException.retryable("example.com unreachable: check the network", null)));
        assertEquals(new FailStage(POD, Stage.FETCH, "example.com unreachable: check the network", true), f);
    }

    @Test
    void anythingElseIsABugThatNamesWhatWasThrownAndIsNotRetryable() {
        FailStage f = StageFailures.command(POD, Stage.RENDER, new NullPointerException("tree"));
        assertFalse(f.retryable());
        assertTrue(f.reason().startsWith("render failed unexpectedly: java.lang.NullPointerException: tree"), f.reason());
        assertTrue(f.reason().contains("rkj journal show " + POD), f.reason());
    }
}
