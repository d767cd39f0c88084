package dev.rkj.engine.pod;

import dev.rkj.engine.pod.PodEvent.AppExited;
import dev.rkj.engine.pod.PodEvent.PodStarted;
import dev.rkj.engine.pod.PodEvent.StageFailed;
import dev.rkj.engine.pod.PodHistory.Entry;
import dev.rkj.engine.pod.PodHistory.Phase;
import dev.rkj.engine.pod.PodHistory.Step;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.rkj.engine.pod.PodFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link PodHistory}: a pod's story, step by step, with the time between steps and in each status. */
class PodHistoryTest {
    private static final Instant T0 = PodScenario.T0;

    private static Instant ms(long millis) {
        return T0.plusMillis(millis);
    }

    /** A run: created at 0, resolved at 120 ms, verified 150, rendered 400, prepared 430, started 450, exited 5450. */
    private static List<Entry> run() {
        return List.of(
                new Entry(10, ms(0), created()),
                new Entry(11, ms(120), resolved()),
                new Entry(14, ms(150), verified()),
                new Entry(15, ms(400), rendered()),
                new Entry(16, ms(430), prepared()),
                new Entry(17, ms(450), started()),
                new Entry(20, ms(5440), appExited()),
                new Entry(21, ms(5450), exited()));
    }

    @Test
    void stepsTellWhatHappenedWithTimeSinceStartAndSincePrevious() {
        PodHistory history = PodHistory.of(POD, run());
        List<Step> steps = history.steps();
        assertEquals(8, steps.size());
        assertEquals(new Step(10, ms(0), "created for image example.com/busybox:1.36 by engine engine-a (pid 100)",
                PodStatus.EMBRYO, Duration.ZERO, Duration.ZERO), steps.get(0));
        assertEquals(new Step(11, ms(120), "image resolved to " + IMAGE + " (example.com/busybox, fetched)",
                PodStatus.PREPARING, Duration.ofMillis(120), Duration.ofMillis(120)), steps.get(1));
        assertEquals(new Step(15, ms(400), "image rendered as tree " + TREE, PodStatus.PREPARING,
                Duration.ofMillis(400), Duration.ofMillis(250)), steps.get(3));
        assertEquals("started: stage1 pid 4242, apps busybox pid 4243, driven by engine engine-b (pid 200)",
                steps.get(5).summary());
        assertEquals(new Step(21, ms(5450), "exited with code 0: all apps exited", PodStatus.EXITED,
                Duration.ofMillis(5450), Duration.ofMillis(10)), steps.get(7));
    }

    @Test
    void phasesGiveTheTimeSpentInEachStatus() {
        PodHistory history = PodHistory.of(POD, run());
        assertEquals(List.of(
                new Phase(PodStatus.EMBRYO, ms(0), ms(120)),
                new Phase(PodStatus.PREPARING, ms(120), ms(430)),
                new Phase(PodStatus.PREPARED, ms(430), ms(450)),
                new Phase(PodStatus.RUNNING, ms(450), ms(5450)),
                new Phase(PodStatus.EXITED, ms(5450), null)), history.phases());
        assertEquals(Optional.of(Duration.ofMillis(310)), history.timeIn(PodStatus.PREPARING));
        assertEquals(Optional.of(Duration.ofMillis(5000)), history.timeIn(PodStatus.RUNNING));
        assertEquals(Optional.empty(), history.timeIn(PodStatus.EXITED));
        assertEquals(Optional.empty(), history.timeIn(PodStatus.GARBAGE));
        assertEquals(PodStatus.EXITED, history.state().status());
        assertEquals(Optional.of(Duration.ofMillis(5000)), history.state().runTime());
    }

    @Test
    void entriesAreOrderedByIndexAndARepeatedIndexCountsOnce() {
        List<Entry> shuffled = new ArrayList<>(run());
        java.util.Collections.reverse(shuffled);
        shuffled.add(run().get(2));
        PodHistory history = PodHistory.of(POD, shuffled);
        assertEquals(PodHistory.of(POD, run()).steps(), history.steps());
        assertEquals(8, history.state().revision());
    }

    @Test
    void anEventThisBuildDoesNotKnowIsAStepThatChangesNothing() {
        List<Entry> entries = new ArrayList<>(run().subList(0, 2));
        entries.add(new Entry(12, ms(130), "UnknownEvent[type=pod.checkpointed/1]"));
        PodHistory history = PodHistory.of(POD, entries);
        Step unknown = history.steps().get(2);
        assertEquals("unrecognized event: UnknownEvent[type=pod.checkpointed/1]", unknown.summary());
        assertEquals(PodStatus.PREPARING, unknown.status());
        assertEquals(Duration.ofMillis(10), unknown.sincePrevious());
        assertEquals(2, history.phases().size());
    }

    @Test
    void failuresAndAppExitsReadAsSentences() {
        assertEquals("verify failed: " + BAD_SIGNATURE + " (trying again will not help)", PodHistory.summarize(verifyFailed()));
        assertEquals("fetch failed: timeout (trying again may help)",
                PodHistory.summarize(new StageFailed(POD, Stage.FETCH, "timeout", true)));
        assertEquals("app busybox was killed by signal 9 (exit code 137), out of memory",
                PodHistory.summarize(new AppExited(POD, APP, 137, 9, true)));
        assertEquals("started: stage1 pid 5, apps none reported, driven by engine engine-b (pid 200)",
                PodHistory.summarize(new PodStarted(POD, 5, Map.of(), RUNNER)));
    }

    @Test
    void anAbortedPrepareEndsInItsPhase() {
        PodHistory history = PodHistory.of(POD, List.of(
                new Entry(1, ms(0), created()), new Entry(2, ms(50), resolved()), new Entry(3, ms(80), verifyFailed())));
        assertEquals(List.of(PodStatus.EMBRYO, PodStatus.PREPARING, PodStatus.ABORTED_PREPARE),
                history.phases().stream().map(Phase::status).toList());
        assertEquals(Optional.of(Duration.ofMillis(30)), history.timeIn(PodStatus.PREPARING));
    }

    @Test
    void anEntryOfAnotherPodIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PodHistory.of(OTHER_POD, run()));
        assertEquals("journal entry 10 is for pod " + POD + ", not for pod " + OTHER_POD, e.getMessage());
    }
}
