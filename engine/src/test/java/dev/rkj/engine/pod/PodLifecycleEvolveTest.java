package dev.rkj.engine.pod;

import dev.rkj.engine.pod.PodEvent.AppExited;
import dev.rkj.engine.pod.PodEvent.PodLost;
import dev.rkj.engine.pod.PodEvent.PodMarkedGarbage;
import dev.rkj.engine.pod.PodEvent.PodStopRequested;
import dev.rkj.engine.pod.PodEvent.StageFailed;
import dev.rkj.engine.pod.PodState.ImageVerification;
import dev.rkj.engine.pod.PodState.PodImage;
import dev.rkj.engine.pod.PodState.StageFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.rkj.engine.pod.PodFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PodLifecycle#evolve}: what each event does to the state, and that late facts never move a pod back. */
class PodLifecycleEvolveTest {
    private static final Instant T0 = PodScenario.T0;

    private static Instant t(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private static PodState in(PodStatus status) {
        return PodScenario.givenPodIn(status).state();
    }

    @Test
    void adoptionMovesOwnershipButNotTheStatus() {
        PodState s = PodLifecycle.evolve(in(PodStatus.RUNNING), new PodEvent.PodAdopted(POD, RUNNER, ADOPTER, GONE), t(99));
        assertEquals(ADOPTER, s.owner());
        assertEquals(PodStatus.RUNNING, s.status());
    }

    @Test
    void ofTwoRacingAdoptionsTheFirstInTheJournalWins() {
        PodState first = PodLifecycle.evolve(in(PodStatus.RUNNING), new PodEvent.PodAdopted(POD, RUNNER, ADOPTER, GONE), t(99));
        PodOwner late = new PodOwner("engine-d", 400);
        PodState second = PodLifecycle.evolve(first, new PodEvent.PodAdopted(POD, RUNNER, late, GONE), t(100));
        assertEquals(ADOPTER, second.owner());
        assertEquals(first.revision() + 1, second.revision());
    }

    @Test
    void theInitialStateIsAnEmbryoThatDoesNotExist() {
        PodState s = PodState.initial(POD);
        assertFalse(s.exists());
        assertEquals(0, s.revision());
        assertEquals(PodStatus.EMBRYO, s.status());
        assertEquals(Optional.empty(), s.createdAt());
        assertEquals(Map.of(), s.apps());
    }

    @Test
    void createdMakesAnEmbryoWithSpecOwnerAndCreationTime() {
        PodState s = PodLifecycle.evolve(PodState.initial(POD), created(), t(5));
        assertTrue(s.exists());
        assertEquals(1, s.revision());
        assertEquals(PodStatus.EMBRYO, s.status());
        assertEquals(SPEC, s.spec());
        assertEquals(CREATOR, s.owner());
        assertEquals(Optional.of(t(5)), s.createdAt());
        assertEquals(t(5), s.updatedAt());
    }

    @Test
    void imageResolvedStartsPreparingWithTheImage() {
        PodState s = PodLifecycle.evolve(in(PodStatus.EMBRYO), resolved(), t(7));
        assertEquals(PodStatus.PREPARING, s.status());
        assertEquals(new PodImage(IMAGE, IMAGE_NAME, ImageSource.FETCHED), s.image());
        assertEquals(Optional.of(t(7)), s.enteredAt(PodStatus.PREPARING));
    }

    @Test
    void imageVerifiedAndRenderedAreRecordedWhilePreparing() {
        PodState s = PodLifecycle.evolve(PodScenario.given(created(), resolved()).state(), verified(), t(8));
        assertEquals(new ImageVerification(true, SIGNED), s.verification());
        s = PodLifecycle.evolve(s, rendered(), t(9));
        assertEquals(TREE, s.treeId());
        assertEquals(PodStatus.PREPARING, s.status());
        assertEquals(t(9), s.updatedAt());
    }

    @Test
    void podPreparedRecordsTheManifest() {
        PodState s = PodLifecycle.evolve(in(PodStatus.PREPARING), prepared(), t(20));
        assertEquals(PodStatus.PREPARED, s.status());
        assertEquals(MANIFEST, s.manifestDigest());
        assertEquals(Optional.of(t(20)), s.enteredAt(PodStatus.PREPARED));
    }

    @Test
    void podStartedHandsThePodToItsRunnerWithAppPids() {
        PodState s = PodLifecycle.evolve(in(PodStatus.PREPARED), started(), t(30));
        assertEquals(PodStatus.RUNNING, s.status());
        assertEquals(RUNNER, s.owner());
        assertEquals(STAGE1, s.stage1Pid());
        assertEquals(new PodState.AppStatus(APP, 4243L, null, null, false, null), s.app(APP).orElseThrow());
        assertEquals(Optional.of(t(30)), s.startedAt());
    }

    @Test
    void appExitedKeepsThePidAndRecordsTheExitAndItsTime() {
        PodState s = PodLifecycle.evolve(in(PodStatus.RUNNING), new AppExited(POD, APP, 137, 9, true), t(40));
        assertEquals(new PodState.AppStatus(APP, 4243L, 137, 9, true, t(40)), s.app(APP).orElseThrow());
        assertEquals(PodStatus.RUNNING, s.status());
    }

    @Test
    void stopRequestedIsPendingAndForceSticks() {
        PodState s = PodLifecycle.evolve(in(PodStatus.RUNNING), new PodStopRequested(POD, true), t(41));
        s = PodLifecycle.evolve(s, new PodStopRequested(POD, false), t(42));
        assertTrue(s.stopRequested());
        assertTrue(s.forceStop());
        assertEquals(PodStatus.RUNNING, s.status());
    }

    @Test
    void podExitedRecordsCodeReasonAndRunTime() {
        PodState running = in(PodStatus.RUNNING);
        Instant started = running.startedAt().orElseThrow();
        PodState s = PodLifecycle.evolve(running, exited(), started.plusMillis(1500));
        assertEquals(PodStatus.EXITED, s.status());
        assertEquals(0, s.exitCode());
        assertEquals(ALL_EXITED, s.exitReason());
        assertEquals(Optional.of(Duration.ofMillis(1500)), s.runTime());
        assertTrue(s.status().isFinished());
    }

    @Test
    void markedGarbageAndDeletedEndThePod() {
        PodState s = PodLifecycle.evolve(in(PodStatus.EXITED), garbage(), t(100));
        assertEquals(PodStatus.GARBAGE, s.status());
        assertEquals(EXPIRED, s.garbageReason());
        s = PodLifecycle.evolve(s, deleted(), t(101));
        assertEquals(PodStatus.DELETED, s.status());
        assertEquals(Optional.of(t(101)), s.enteredAt(PodStatus.DELETED));
        assertEquals(EXPIRED, s.garbageReason());
    }

    @Test
    void aPreparationFailureAbortsThePodAndRecordsTheFailure() {
        PodState s = PodLifecycle.evolve(PodScenario.given(created(), resolved()).state(), verifyFailed(), t(12));
        assertEquals(PodStatus.ABORTED_PREPARE, s.status());
        assertEquals(new StageFailure(Stage.VERIFY, BAD_SIGNATURE, false, t(12)), s.failure());
        assertFalse(s.lost());
    }

    @Test
    void aLaunchFailureExitsAPreparedPod() {
        PodState s = PodLifecycle.evolve(in(PodStatus.PREPARED), new StageFailed(POD, Stage.LAUNCH, "clone: EPERM", false), t(50));
        assertEquals(PodStatus.EXITED, s.status());
        assertNull(s.exitCode());
        assertEquals(Optional.empty(), s.startedAt());
    }

    @Test
    void aStopFailureClearsThePendingStop() {
        PodState stopping = PodLifecycle.evolve(in(PodStatus.RUNNING), new PodStopRequested(POD, true), t(60));
        PodState s = PodLifecycle.evolve(stopping, new StageFailed(POD, Stage.STOP, "kill: EPERM", false), t(61));
        assertFalse(s.stopRequested());
        assertFalse(s.forceStop());
        assertEquals(PodStatus.RUNNING, s.status());
        assertEquals(Stage.STOP, s.failure().stage());
    }

    @Test
    void aGcFailureLeavesTheStatus() {
        PodState s = PodLifecycle.evolve(in(PodStatus.GARBAGE), new StageFailed(POD, Stage.GC, "rmdir: EBUSY", true), t(70));
        assertEquals(PodStatus.GARBAGE, s.status());
        assertTrue(s.failure().retryable());
    }

    @Test
    void lostExitsARunningPodAndAbortsAPreparingOne() {
        PodState running = PodLifecycle.evolve(in(PodStatus.RUNNING), new PodLost(POD, "no status"), t(80));
        assertEquals(PodStatus.EXITED, running.status());
        assertEquals("no status", running.lostReason());
        assertTrue(running.lost());
        PodState embryo = PodLifecycle.evolve(in(PodStatus.EMBRYO), new PodLost(POD, "engine gone"), t(80));
        assertEquals(PodStatus.ABORTED_PREPARE, embryo.status());
        assertTrue(embryo.lost());
    }

    @Test
    void aLateFactUpdatesFieldsButNeverMovesThePodBack() {
        PodState deleted = in(PodStatus.DELETED);
        PodState s = PodLifecycle.evolve(deleted, new PodMarkedGarbage(POD, "gc raced rm"), t(200));
        assertEquals(PodStatus.DELETED, s.status());
        assertEquals("gc raced rm", s.garbageReason());

        PodState prepared = in(PodStatus.PREPARED);
        s = PodLifecycle.evolve(prepared, new StageFailed(POD, Stage.RENDER, "late duplicate", true), t(201));
        assertEquals(PodStatus.PREPARED, s.status());
        assertEquals("late duplicate", s.failure().reason());

        s = PodLifecycle.evolve(in(PodStatus.RUNNING), resolved(), t(202));
        assertEquals(PodStatus.RUNNING, s.status());
        assertEquals(in(PodStatus.RUNNING).enteredAt(PodStatus.PREPARING), s.enteredAt(PodStatus.PREPARING));

        s = PodLifecycle.evolve(in(PodStatus.EXITED), new PodLost(POD, "late"), t(203));
        assertEquals(PodStatus.EXITED, s.status());
        assertEquals(0, s.exitCode());
    }

    @Test
    void statusEntryTimesAreKeptForEveryStatusReached() {
        PodState s = in(PodStatus.DELETED);
        // historyOf(DELETED): created, resolved, verified, rendered, prepared, started, appExited, exited, garbage, deleted
        assertEquals(Map.of(PodStatus.EMBRYO, t(0), PodStatus.PREPARING, t(1), PodStatus.PREPARED, t(4),
                PodStatus.RUNNING, t(5), PodStatus.EXITED, t(7), PodStatus.GARBAGE, t(8), PodStatus.DELETED, t(9)),
                s.enteredAt());
    }

    @Test
    void theStartsWarningsAreKeptInTheStateAndAVersionOneStartHasNone() {
        List<String> warnings = List.of("app web: mount point cache (/var/cache) has no volume, so it gets an empty one");
        PodState prepared = in(PodStatus.PREPARED);
        PodState s = PodLifecycle.evolve(prepared, new PodEvent.PodStarted(POD, 4242, Map.of("web", 4243L),
                prepared.owner(), List.of(), warnings), t(300));
        assertEquals(PodStatus.RUNNING, s.status());
        assertEquals(warnings, s.warnings());
        assertTrue(PodHistory.summarize(new PodEvent.PodStarted(POD, 4242, Map.of(), prepared.owner(), List.of(), warnings))
                .contains("warning: app web: mount point cache"));
        s = PodLifecycle.evolve(prepared, new PodEvent.PodStartedV1(POD, 4242, Map.of("web", 4243L), prepared.owner()), t(300));
        assertEquals(List.of(), s.warnings());
    }

    @Test
    void anEventForAnotherPodIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PodLifecycle.evolve(in(PodStatus.RUNNING), new PodEvent.PodDeleted(OTHER_POD), t(1)));
        assertTrue(e.getMessage().contains("not for pod " + POD), e.getMessage());
    }

    @Test
    void everyEventTypeIsHandledByEvolveAndDescribedByHistory() {
        Set<Class<?>> seen = new HashSet<>();
        PodState s = PodState.initial(POD);
        int second = 0;
        for (PodEvent event : oneOfEachEvent()) {
            s = PodLifecycle.evolve(s, event, t(second++));
            assertFalse(PodHistory.summarize(event).isBlank());
            seen.add(event.getClass());
        }
        assertEquals(Set.of(PodEvent.class.getPermittedSubclasses()), seen);
        assertEquals(oneOfEachEvent().size(), s.revision());
    }

    @Test
    void everyCommandTypeIsHandledByDecide() {
        Set<Class<?>> decided = new HashSet<>();
        for (PodStatus status : PodStatus.values()) {
            for (PodCommand command : List.<PodCommand>of(
                    new PodCommand.CreatePod(POD, SPEC, CREATOR),
                    new PodCommand.ResolveImage(POD, IMAGE, IMAGE_NAME, ImageSource.STORE),
                    new PodCommand.RecordVerification(POD, IMAGE, true, SIGNED),
                    new PodCommand.RecordRendered(POD, IMAGE, TREE),
                    new PodCommand.PreparePod(POD, MANIFEST),
                    new PodCommand.StartPod(POD, STAGE1, APPS, RUNNER),
                    new PodCommand.RecordAppExit(POD, APP, 0, null, false),
                    new PodCommand.RequestLaunch(POD, CREATOR),
                    new PodCommand.StopPod(POD, false),
                    new PodCommand.RecordExit(POD, 0, ALL_EXITED),
                    new PodCommand.MarkGarbage(POD, EXPIRED),
                    new PodCommand.RemovePod(POD),
                    new PodCommand.RequestDelete(POD, ADOPTER),
                    new PodCommand.DeletePod(POD),
                    new PodCommand.FailStage(POD, Stage.GC, "x", false),
                    new PodCommand.MarkLost(POD, "x"),
                    new PodCommand.AdoptPod(POD, CREATOR, ADOPTER, GONE))) {
                try {
                    PodLifecycle.decide(command, in(status));
                } catch (IllegalPodTransition refused) {
                    assertEquals(command.move(), refused.move());
                }
                decided.add(command.getClass());
            }
        }
        assertEquals(Set.of(PodCommand.class.getPermittedSubclasses()), decided);
    }
}
