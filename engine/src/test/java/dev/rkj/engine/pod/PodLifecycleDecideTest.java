package dev.rkj.engine.pod;

import dev.rkj.engine.Grantor;
import dev.rkj.engine.pod.PodCommand.CreatePod;
import dev.rkj.engine.pod.PodCommand.DeletePod;
import dev.rkj.engine.pod.PodCommand.FailStage;
import dev.rkj.engine.pod.PodCommand.MarkGarbage;
import dev.rkj.engine.pod.PodCommand.MarkLost;
import dev.rkj.engine.pod.PodCommand.PreparePod;
import dev.rkj.engine.pod.PodCommand.RecordAppExit;
import dev.rkj.engine.pod.PodCommand.RecordExit;
import dev.rkj.engine.pod.PodCommand.RecordRendered;
import dev.rkj.engine.pod.PodCommand.RecordVerification;
import dev.rkj.engine.pod.PodCommand.RemovePod;
import dev.rkj.engine.pod.PodCommand.RequestDelete;
import dev.rkj.engine.pod.PodCommand.RequestLaunch;
import dev.rkj.engine.pod.PodCommand.ResolveImage;
import dev.rkj.engine.pod.PodCommand.StartPod;
import dev.rkj.engine.pod.PodCommand.StopPod;
import dev.rkj.engine.pod.PodEvent.AppExited;
import dev.rkj.engine.pod.PodEvent.ImageVerified;
import dev.rkj.engine.pod.PodEvent.PodCreated;
import dev.rkj.engine.pod.PodEvent.PodExited;
import dev.rkj.engine.pod.PodEvent.PodLost;
import dev.rkj.engine.pod.PodEvent.PodMarkedGarbage;
import dev.rkj.engine.pod.PodEvent.PodStarted;
import dev.rkj.engine.pod.PodEvent.PodStopRequested;
import dev.rkj.engine.pod.PodEvent.StageFailed;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.pod.PodSpec.NetMode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.rkj.engine.pod.PodFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given/when/then tests of {@link PodLifecycle#decide}: whole journeys, refusals' words, idempotence details. */
class PodLifecycleDecideTest {

    @Test
    void aPodRunsFromCreationToDeletion() throws IllegalPodTransition {
        PodState s = PodScenario.givenNoPod(POD).when(new CreatePod(POD, SPEC, CREATOR)).thenEvents(created());
        assertEquals(PodStatus.EMBRYO, s.status());
        s = step(s, new ResolveImage(POD, IMAGE, IMAGE_NAME, ImageSource.FETCHED), PodStatus.PREPARING);
        s = step(s, new RecordVerification(POD, IMAGE, true, SIGNED), PodStatus.PREPARING);
        s = step(s, new RecordRendered(POD, IMAGE, TREE), PodStatus.PREPARING);
        s = step(s, new PreparePod(POD, MANIFEST), PodStatus.PREPARED);
        s = step(s, new StartPod(POD, STAGE1, APPS, RUNNER), PodStatus.RUNNING);
        s = step(s, new RecordAppExit(POD, APP, 3, null, false), PodStatus.RUNNING);
        s = step(s, new RecordExit(POD, 3, ALL_EXITED), PodStatus.EXITED);
        s = step(s, new MarkGarbage(POD, EXPIRED), PodStatus.GARBAGE);
        s = step(s, new DeletePod(POD), PodStatus.DELETED);

        assertEquals(3, s.exitCode());
        assertEquals(3, s.app(APP).orElseThrow().exitCode());
        assertEquals(RUNNER, s.owner());
        assertEquals(10, s.revision());
    }

    private static PodState step(PodState s, PodCommand command, PodStatus expected) throws IllegalPodTransition {
        List<PodEvent> events = PodLifecycle.decide(command, s);
        assertEquals(1, events.size(), "events for " + command);
        PodState next = PodScenario.fold(s, events);
        assertEquals(expected, next.status(), "status after " + command);
        return next;
    }

    @Test
    void aStartRecordsWhatBecameOfEachIsolatorAndTheStateKeepsIt() throws IllegalPodTransition {
        List<IsolatorOutcome> isolators = List.of(IsolatorOutcome.applied(APP, "resource/memory", "limit"),
                IsolatorOutcome.ignored(null, "os/unix/sysctl", "rkj sets no sysctls"));
        PodState s = PodScenario.givenPodIn(PodStatus.PREPARED).when(new StartPod(POD, STAGE1, APPS, RUNNER, isolators))
                .thenEvents(new PodEvent.PodStarted(POD, STAGE1, APPS, RUNNER, isolators));
        assertEquals(isolators, s.isolators());
        List<PodEvent> old = new java.util.ArrayList<>(PodFixtures.historyOf(PodStatus.PREPARED));
        old.add(new PodEvent.PodStartedV1(POD, STAGE1, APPS, RUNNER));
        PodState before = PodScenario.given(old).state();
        assertEquals(PodStatus.RUNNING, before.status());
        assertEquals(List.of(), before.isolators(), "a start recorded before isolators were told tells none");
    }

    @Test
    void startingAnExitedPodIsRefusedNamingPodStatusAndMove() {
        IllegalPodTransition refusal = PodScenario.givenPodIn(PodStatus.EXITED)
                .when(new StartPod(POD, 99, APPS, RUNNER)).thenRefused(PodStatus.EXITED);
        assertEquals("pod " + POD + " is exited: cannot start it (only a prepared pod can be started)",
                refusal.getMessage());
    }

    @Test
    void removingARunningPodIsRefusedTellingToStopItFirst() {
        IllegalPodTransition refusal = PodScenario.givenPodIn(PodStatus.RUNNING)
                .when(new RemovePod(POD)).thenRefused(PodStatus.RUNNING);
        assertEquals("pod " + POD + " is running: cannot remove it (stop it first: rkj stop " + POD + ")",
                refusal.getMessage());
    }

    @Test
    void removingAPodBeingPreparedIsRefusedTellingToWait() {
        IllegalPodTransition refusal = PodScenario.givenPodIn(PodStatus.PREPARING)
                .when(new RemovePod(POD)).thenRefused(PodStatus.PREPARING);
        assertEquals("pod " + POD + " is preparing: cannot remove it"
                + " (it is being prepared; wait until it is prepared or its preparation is aborted)", refusal.getMessage());
    }

    @Test
    void startingARunningPodAgainSaysItIsAlreadyRunning() {
        IllegalPodTransition refusal = PodScenario.givenPodIn(PodStatus.RUNNING)
                .when(new StartPod(POD, STAGE1 + 1, APPS, RUNNER)).thenRefused(PodStatus.RUNNING);
        assertEquals("it is already running", refusal.why());
    }

    @Test
    void aCommandOnAPodNeverCreatedIsRefusedSayingItDoesNotExist() {
        IllegalPodTransition refusal = PodScenario.givenNoPod(POD).when(new StopPod(POD, false)).thenRefused(null);
        assertEquals("pod " + POD + " does not exist: cannot stop it (it was never created)", refusal.getMessage());
    }

    @Test
    void creatingAnExistingPodWithAnotherSpecIsRefused() {
        IllegalPodTransition refusal = PodScenario.givenPodIn(PodStatus.EMBRYO)
                .when(new CreatePod(POD, PodSpec.of("example.com/other"), CREATOR)).thenRefused(PodStatus.EMBRYO);
        assertEquals("pod " + POD + " is an embryo: cannot create it (a pod id is used only once; create a new pod)",
                refusal.getMessage());
    }

    @Test
    void creatingKeepsTheWholeSpec() throws IllegalPodTransition {
        PodSpec spec = new PodSpec("docker://busybox", "/bin/sh", List.of("-c", "exit 3"), Map.of("A", "1"), "web",
                NetMode.HOST, 64L << 20, 500L, true, Set.of(InsecureOption.IMAGE));
        PodState s = PodScenario.givenNoPod(POD).when(new CreatePod(POD, spec, CREATOR))
                .thenEvents(new PodCreated(POD, spec, CREATOR));
        assertEquals(spec, s.spec());
        assertEquals(CREATOR, s.owner());
    }

    @Test
    void creatingWithCapabilitiesBeyondTheDefaultRecordsWhoGrantedThemInTheSameAppend() throws IllegalPodTransition {
        PodSpec spec = PodSpec.of("example.com/admin").withCapabilities(Set.of("CAP_SYS_ADMIN", "CAP_CHOWN"), Set.of());
        PodScenario.givenNoPod(POD).when(new CreatePod(POD, spec, CREATOR, PodFixtures.GRANTOR))
                .thenEvents(new PodCreated(POD, spec, CREATOR, PodFixtures.GRANTOR),
                        new PodEvent.PrivilegesGranted(POD, Set.of("CAP_SYS_ADMIN"), Set.of(), PodFixtures.GRANTOR));
    }

    @Test
    void creatingWithRunTimeInsecureOptionsRecordsThemAsAGrant() throws IllegalPodTransition {
        PodSpec spec = new PodSpec("example.com/app", null, List.of(), Map.of(), null, NetMode.DEFAULT, null, null, false,
                Set.of(InsecureOption.IMAGE, InsecureOption.CAPABILITIES, InsecureOption.PATHS, InsecureOption.SECCOMP));
        PodScenario.givenNoPod(POD).when(new CreatePod(POD, spec, CREATOR, PodFixtures.GRANTOR))
                .thenEvents(new PodCreated(POD, spec, CREATOR, PodFixtures.GRANTOR), new PodEvent.PrivilegesGranted(POD, Set.of(),
                        Set.of(InsecureOption.CAPABILITIES, InsecureOption.PATHS, InsecureOption.SECCOMP),
                        PodFixtures.GRANTOR));
    }

    @Test
    void creatingWithinTheDefaultsRecordsNoGrantButWhoAsked() throws IllegalPodTransition {
        PodSpec spec = new PodSpec("example.com/app", null, List.of(), Map.of(), null, NetMode.DEFAULT, null, null, false,
                Set.of(InsecureOption.IMAGE)).withCapabilities(Set.of(), Set.of("CAP_NET_RAW"));
        PodScenario.givenNoPod(POD).when(new CreatePod(POD, spec, CREATOR, PodFixtures.GRANTOR, true))
                .thenEvents(new PodCreated(POD, spec, CREATOR, PodFixtures.GRANTOR),
                        new PodEvent.LaunchRequested(POD, CREATOR, PodFixtures.GRANTOR));
    }

    @Test
    void stopAndDeleteRequestsRecordWhoAsked() throws IllegalPodTransition {
        PodScenario.given(PodFixtures.historyOf(PodStatus.RUNNING))
                .when(new PodCommand.StopPod(POD, true, PodFixtures.GRANTOR))
                .thenEvents(new PodEvent.PodStopRequested(POD, true, PodFixtures.GRANTOR));
        PodScenario.given(PodFixtures.historyOf(PodStatus.GARBAGE))
                .when(new PodCommand.RequestDelete(POD, CREATOR, PodFixtures.GRANTOR))
                .thenEvents(new PodEvent.DeleteRequested(POD, CREATOR, PodFixtures.GRANTOR));
    }

    @Test
    void aDuplicateCreateWithAGrantIsNoEvent() throws IllegalPodTransition {
        PodSpec spec = PodSpec.of("example.com/admin").withCapabilities(Set.of("CAP_SYS_ADMIN"), Set.of());
        PodScenario.given(new PodCreated(POD, spec, CREATOR),
                        new PodEvent.PrivilegesGranted(POD, Set.of("CAP_SYS_ADMIN"), Set.of(), PodFixtures.GRANTOR))
                .when(new CreatePod(POD, spec, CREATOR, PodFixtures.GRANTOR)).thenNoEvents();
    }

    @Test
    void aDuplicateCreateFromAnotherOwnerIsNoEvent() throws IllegalPodTransition {
        PodScenario.givenPodIn(PodStatus.PREPARED).when(new CreatePod(POD, SPEC, RUNNER)).thenNoEvents();
    }

    @Test
    void resolvingAnotherImageOnceResolvedIsRefusedNamingTheResolvedOne() {
        IllegalPodTransition refusal = PodScenario.given(created(), resolved())
                .when(new ResolveImage(POD, OTHER_IMAGE, IMAGE_NAME, ImageSource.STORE)).thenRefused(PodStatus.PREPARING);
        assertEquals("its images are already resolved to " + IMAGE, refusal.why());
    }

    @Test
    void verifyingBeforeTheImageIsResolvedIsRefused() {
        PodScenario.given(created()).when(new RecordVerification(POD, IMAGE, true, SIGNED)).thenRefused(PodStatus.EMBRYO);
    }

    @Test
    void verifyingAnotherImageThanTheResolvedOneIsRefused() {
        IllegalPodTransition refusal = PodScenario.given(created(), resolved())
                .when(new RecordVerification(POD, OTHER_IMAGE, true, SIGNED)).thenRefused(PodStatus.PREPARING);
        assertEquals("the image verified, " + OTHER_IMAGE + ", is not one of the pod's images " + IMAGE, refusal.why());
    }

    @Test
    void skippingVerificationWithoutInsecureImageOptionIsRefused() {
        IllegalPodTransition refusal = PodScenario.given(created(), resolved())
                .when(new RecordVerification(POD, IMAGE, false, "skipped")).thenRefused(PodStatus.PREPARING);
        assertEquals("skipping verification needs --insecure-options=image; record a verify failure instead", refusal.why());
    }

    @Test
    void skippingVerificationWithInsecureImageOptionIsRecorded() throws IllegalPodTransition {
        PodSpec insecure = new PodSpec(SPEC.imageRef(), null, List.of(), Map.of(), null, NetMode.DEFAULT, null, null,
                false, Set.of(InsecureOption.IMAGE));
        String reason = "skipped: --insecure-options=image";
        PodState s = PodScenario.given(new PodCreated(POD, insecure, CREATOR), resolved())
                .when(new RecordVerification(POD, IMAGE, false, reason))
                .thenEvents(new ImageVerified(POD, IMAGE, false, reason));
        assertFalse(s.verification().verified());
        assertEquals(reason, s.verification().reason());
    }

    @Test
    void aConflictingSecondVerificationIsRefused() {
        IllegalPodTransition refusal = PodScenario.given(created(), resolved(), verified())
                .when(new RecordVerification(POD, IMAGE, false, "skipped")).thenRefused(PodStatus.PREPARING);
        assertEquals("its image's verification is already recorded: verified, " + SIGNED, refusal.why());
    }

    @Test
    void renderingBeforeVerificationIsRefused() {
        IllegalPodTransition refusal = PodScenario.given(created(), resolved())
                .when(new RecordRendered(POD, IMAGE, TREE)).thenRefused(PodStatus.PREPARING);
        assertEquals("its image " + IMAGE + " is not verified yet; an image is rendered only after its verification", refusal.why());
    }

    @Test
    void renderingATreeForAnotherImageIsRefused() {
        PodScenario.given(created(), resolved(), verified())
                .when(new RecordRendered(POD, OTHER_IMAGE, TREE)).thenRefused(PodStatus.PREPARING);
    }

    @Test
    void aSecondRenderToAnotherTreeIsRefused() {
        IllegalPodTransition refusal = PodScenario.given(created(), resolved(), verified(), rendered())
                .when(new RecordRendered(POD, IMAGE, "sha512-elsewhere")).thenRefused(PodStatus.PREPARING);
        assertEquals("its image is already rendered as tree " + TREE, refusal.why());
    }

    @Test
    void preparingBeforeTheImageIsRenderedIsRefused() {
        IllegalPodTransition refusal = PodScenario.given(created(), resolved(), verified())
                .when(new PreparePod(POD, MANIFEST)).thenRefused(PodStatus.PREPARING);
        assertEquals("its images are not all rendered yet; a pod is prepared only after its images are rendered", refusal.why());
    }

    @Test
    void preparingAgainWithAnotherManifestIsRefused() {
        PodScenario.givenPodIn(PodStatus.PREPARED)
                .when(new PreparePod(POD, "sha512-00")).thenRefused(PodStatus.PREPARED);
    }

    @Test
    void aDuplicateStartByTheSameOwnerIsNoEventButAnotherOwnerIsRefused() throws IllegalPodTransition {
        PodScenario.givenPodIn(PodStatus.RUNNING).when(new StartPod(POD, STAGE1, APPS, RUNNER)).thenNoEvents();
        PodScenario.givenPodIn(PodStatus.RUNNING).when(new StartPod(POD, STAGE1, APPS, CREATOR)).thenRefused(PodStatus.RUNNING);
    }

    @Test
    void aStartsWarningsAreRecordedWithItAndKept() throws IllegalPodTransition {
        List<String> warnings = List.of("app web: mount point cache (/var/cache) has no volume");
        PodState s = PodScenario.givenPodIn(PodStatus.PREPARED).when(new StartPod(POD, STAGE1, APPS, RUNNER, List.of(), warnings))
                .thenEvents(new PodEvent.PodStarted(POD, STAGE1, APPS, RUNNER, List.of(), warnings));
        assertEquals(warnings, s.warnings());
    }

    @Test
    void startingRecordsOwnerPidsAndApps() throws IllegalPodTransition {
        PodState s = PodScenario.givenPodIn(PodStatus.PREPARED)
                .when(new StartPod(POD, STAGE1, Map.of("a", 11L, "b", 12L), RUNNER))
                .thenEvents(new PodStarted(POD, STAGE1, Map.of("a", 11L, "b", 12L), RUNNER));
        assertEquals(RUNNER, s.owner());
        assertEquals(STAGE1, s.stage1Pid());
        assertEquals(Set.of("a", "b"), s.apps().keySet());
        assertEquals(12L, s.app("b").orElseThrow().pid());
        assertFalse(s.app("b").orElseThrow().hasExited());
    }

    @Test
    void anExitOfAnUnknownAppIsRefusedNamingThePodsApps() {
        IllegalPodTransition refusal = PodScenario.givenPodIn(PodStatus.RUNNING)
                .when(new RecordAppExit(POD, "nginx", 0, null, false)).thenRefused(PodStatus.RUNNING);
        assertEquals("it has no app named nginx; its apps are busybox", refusal.why());
    }

    @Test
    void aSecondDifferentExitOfTheSameAppIsRefused() {
        IllegalPodTransition refusal = PodScenario.given(append(PodStatus.RUNNING, appExited()))
                .when(new RecordAppExit(POD, APP, 137, 9, true)).thenRefused(PodStatus.RUNNING);
        assertEquals("app busybox already exited with code 0", refusal.why());
    }

    @Test
    void anAppKilledByTheOomKillerIsRecordedWithItsSignal() throws IllegalPodTransition {
        PodState s = PodScenario.givenPodIn(PodStatus.RUNNING).when(new RecordAppExit(POD, APP, 137, 9, true))
                .thenEvents(new AppExited(POD, APP, 137, 9, true));
        PodState.AppStatus app = s.app(APP).orElseThrow();
        assertEquals(137, app.exitCode());
        assertEquals(9, app.signal());
        assertTrue(app.oomKilled());
        assertEquals(4243L, app.pid());
    }

    @Test
    void recordingAnotherExitCodeAfterTheExitIsRefused() {
        PodScenario.givenPodIn(PodStatus.EXITED).when(new RecordExit(POD, 1, "again")).thenRefused(PodStatus.EXITED);
    }

    @Test
    void theSameExitRecordedTwiceIsNoEvent() throws IllegalPodTransition {
        PodScenario.givenPodIn(PodStatus.EXITED).when(new RecordExit(POD, 0, "reported again")).thenNoEvents();
    }

    @Test
    void aSecondStopRequestIsNoEventUnlessItForces() throws IllegalPodTransition {
        PodScenario stopping = PodScenario.given(append(PodStatus.RUNNING, new PodStopRequested(POD, false)));
        stopping.when(new StopPod(POD, false)).thenNoEvents();
        PodState forced = stopping.when(new StopPod(POD, true)).thenEvents(new PodStopRequested(POD, true));
        assertTrue(forced.stopRequested());
        assertTrue(forced.forceStop());
        PodScenario.given(append(PodStatus.RUNNING, new PodStopRequested(POD, true)))
                .when(new StopPod(POD, false)).thenNoEvents();
    }

    @Test
    void runRecordsTheLaunchRequestWithTheCreation() throws IllegalPodTransition {
        PodState created = PodScenario.givenNoPod(POD).when(new CreatePod(POD, SPEC, CREATOR, Grantor.UNSTATED, true))
                .thenEvents(new PodCreated(POD, SPEC, CREATOR), new PodEvent.LaunchRequested(POD, CREATOR));
        assertEquals(CREATOR, created.launchRequestedBy());
        assertEquals(PodStatus.EMBRYO, created.status());
    }

    @Test
    void aLaunchIsRequestedOncePerRequesterAndOnlyByTheDrivingEngine() throws IllegalPodTransition {
        PodScenario prepared = PodScenario.givenPodIn(PodStatus.PREPARED);
        PodState requested = prepared.when(new RequestLaunch(POD, CREATOR))
                .thenEvents(new PodEvent.LaunchRequested(POD, CREATOR));
        assertEquals(CREATOR, requested.launchRequestedBy());
        PodScenario.given(append(PodStatus.PREPARED, new PodEvent.LaunchRequested(POD, CREATOR)))
                .when(new RequestLaunch(POD, CREATOR)).thenNoEvents();
        IllegalPodTransition refused = prepared.when(new RequestLaunch(POD, ADOPTER)).thenRefused(PodStatus.PREPARED);
        assertTrue(refused.getMessage().contains("adopt it before asking to launch it"), refused.getMessage());
    }

    @Test
    void aLaunchRefusedBeforeThePodIsPreparedAbortsIt() throws IllegalPodTransition {
        StageFailed refused = new StageFailed(POD, Stage.LAUNCH, "requesting engine died before launch", false);
        PodState aborted = PodScenario.given(append(PodStatus.PREPARING, new PodEvent.LaunchRequested(POD, CREATOR)))
                .when(new FailStage(POD, Stage.LAUNCH, refused.reason(), false)).thenEvents(refused);
        assertEquals(PodStatus.ABORTED_PREPARE, aborted.status());
    }

    @Test
    void aFailedDeletionClearsItsRequestSoItCanBeRequestedAndFailAgain() throws IllegalPodTransition {
        StageFailed gcFailed = new StageFailed(POD, Stage.GC, "umount: EBUSY", true);
        PodScenario requested = PodScenario.given(append(PodStatus.GARBAGE, new PodEvent.DeleteRequested(POD, ADOPTER)));
        assertEquals(ADOPTER, requested.state().deleteRequestedBy());
        requested.when(new RequestDelete(POD, ADOPTER)).thenNoEvents();
        PodScenario failed = PodScenario.given(append(PodStatus.GARBAGE, new PodEvent.DeleteRequested(POD, ADOPTER),
                gcFailed));
        assertEquals(null, failed.state().deleteRequestedBy());
        failed.when(new RequestDelete(POD, ADOPTER)).thenEvents(new PodEvent.DeleteRequested(POD, ADOPTER));
        PodScenario.given(append(PodStatus.GARBAGE, new PodEvent.DeleteRequested(POD, ADOPTER), gcFailed,
                        new PodEvent.DeleteRequested(POD, ADOPTER)))
                .when(new FailStage(POD, Stage.GC, "umount: EBUSY", true)).thenEvents(gcFailed);
        PodScenario.givenPodIn(PodStatus.DELETED).when(new RequestDelete(POD, ADOPTER)).thenNoEvents();
    }

    @Test
    void aFailedStopCanBeRequestedAgainAndFailAgainTheSameWay() throws IllegalPodTransition {
        StageFailed stopFailed = new StageFailed(POD, Stage.STOP, "kill: EPERM", false);
        PodScenario failed = PodScenario.given(append(PodStatus.RUNNING, new PodStopRequested(POD, false), stopFailed));
        assertFalse(failed.state().stopRequested());
        failed.when(new FailStage(POD, Stage.STOP, "kill: EPERM", false)).thenNoEvents();
        failed.when(new StopPod(POD, false)).thenEvents(new PodStopRequested(POD, false));

        PodScenario.given(append(PodStatus.RUNNING, new PodStopRequested(POD, false), stopFailed, new PodStopRequested(POD, false)))
                .when(new FailStage(POD, Stage.STOP, "kill: EPERM", false)).thenEvents(stopFailed);
    }

    @Test
    void aRetryablePreparationFailureStillAbortsThePod() throws IllegalPodTransition {
        PodState s = PodScenario.given(created())
                .when(new FailStage(POD, Stage.FETCH, "connection reset", true))
                .thenEvents(new StageFailed(POD, Stage.FETCH, "connection reset", true));
        assertEquals(PodStatus.ABORTED_PREPARE, s.status());
        assertTrue(s.failure().retryable());
        assertEquals(Stage.FETCH, s.failure().stage());
    }

    @Test
    void aFetchFailureOnARunningPodIsRefusedSayingWhenItCanHappen() {
        IllegalPodTransition refusal = PodScenario.givenPodIn(PodStatus.RUNNING)
                .when(new FailStage(POD, Stage.FETCH, "late", true)).thenRefused(PodStatus.RUNNING);
        assertEquals("pod " + POD + " is running: cannot record a stage failure"
                + " (a fetch failure happens only while the pod is being prepared (embryo or preparing))", refusal.getMessage());
    }

    @Test
    void aFailedLaunchExitsThePodWithoutExitCodeAndItCanBeRemoved() throws IllegalPodTransition {
        PodState s = PodScenario.givenPodIn(PodStatus.PREPARED)
                .when(new FailStage(POD, Stage.LAUNCH, "pivot_root `/pods/x/rootfs`: EINVAL", false))
                .thenEvents(new StageFailed(POD, Stage.LAUNCH, "pivot_root `/pods/x/rootfs`: EINVAL", false));
        assertEquals(PodStatus.EXITED, s.status());
        assertNull(s.exitCode());
        assertFalse(s.lost());
        assertEquals(Stage.LAUNCH, s.failure().stage());
        PodScenario.given(append(PodStatus.PREPARED, new StageFailed(POD, Stage.LAUNCH, "x", false)))
                .when(new RemovePod(POD)).thenEvents(new PodMarkedGarbage(POD, RemovePod.REASON));
    }

    @Test
    void aLostRunningPodExitsMarkedLostAndLosingItAgainIsNoEvent() throws IllegalPodTransition {
        String reason = "stage1 lock is free and no status was written";
        PodState s = PodScenario.givenPodIn(PodStatus.RUNNING).when(new MarkLost(POD, reason))
                .thenEvents(new PodLost(POD, reason));
        assertEquals(PodStatus.EXITED, s.status());
        assertTrue(s.lost());
        assertEquals(reason, s.lostReason());
        assertNull(s.exitCode());
        PodScenario.given(append(PodStatus.RUNNING, new PodLost(POD, reason))).when(new MarkLost(POD, "again")).thenNoEvents();
        PodScenario.given(append(PodStatus.RUNNING, new PodLost(POD, reason)))
                .when(new RecordExit(POD, 0, ALL_EXITED)).thenRefused(PodStatus.EXITED);
    }

    @Test
    void aLostPodBeingPreparedIsAborted() throws IllegalPodTransition {
        PodState s = PodScenario.given(created(), resolved()).when(new MarkLost(POD, "engine-a is gone"))
                .thenEvents(new PodLost(POD, "engine-a is gone"));
        assertEquals(PodStatus.ABORTED_PREPARE, s.status());
        assertTrue(s.lost());
    }

    @Test
    void removingAnExitedPodMarksItGarbageThenDeletionFinishesIt() throws IllegalPodTransition {
        PodState garbage = PodScenario.givenPodIn(PodStatus.EXITED).when(new RemovePod(POD))
                .thenEvents(new PodMarkedGarbage(POD, "removed with rkj rm"));
        assertEquals(PodStatus.GARBAGE, garbage.status());
        assertEquals(List.of(new PodEvent.PodDeleted(POD)), PodLifecycle.decide(new DeletePod(POD), garbage));
    }

    @Test
    void aStartedPodIsNeverMarkedGarbageBeforeItsExitIsRecorded() throws IllegalPodTransition {
        IllegalPodTransition refused = PodScenario.given(append(PodStatus.PREPARED, started()))
                .when(new MarkGarbage(POD, "prepared more than 0s ago and never run")).thenRefused(PodStatus.RUNNING);
        assertEquals("stop it first: rkj stop " + POD, refused.why());
        PodScenario.given(append(PodStatus.PREPARED, started())).when(new RemovePod(POD)).thenRefused(PodStatus.RUNNING);
        PodScenario.given(append(PodStatus.RUNNING, exited())).when(new MarkGarbage(POD, EXPIRED))
                .thenEvents(new PodMarkedGarbage(POD, EXPIRED));
    }

    @Test
    void gcMarksOfAPodWhoseOwnerIsGoneAreRefusedOnceAnotherEngineAdoptedIt() throws IllegalPodTransition {
        PodEvent adopted = new PodEvent.PodAdopted(POD, CREATOR, ADOPTER, "engine-a is gone");
        IllegalPodTransition garbage = PodScenario.given(append(PodStatus.PREPARED, adopted))
                .when(new MarkGarbage(POD, "prepared more than 0s ago and never run", CREATOR))
                .thenRefused(PodStatus.PREPARED);
        assertTrue(garbage.why().contains("another engine adopted it"), garbage.why());
        PodScenario.given(created(), resolved(), adopted).when(new MarkLost(POD, "abandoned", CREATOR))
                .thenRefused(PodStatus.PREPARING);
        PodScenario.given(created(), resolved()).when(new MarkLost(POD, "abandoned", CREATOR))
                .thenEvents(new PodLost(POD, "abandoned"));
        PodScenario.given(created(), resolved(), new PodLost(POD, "abandoned"))
                .when(new MarkGarbage(POD, "its preparation was abandoned", CREATOR))
                .thenEvents(new PodMarkedGarbage(POD, "its preparation was abandoned"));
    }

    @Test
    void anExpiredPreparedPodCanBeGarbageCollected() throws IllegalPodTransition {
        PodState s = PodScenario.givenPodIn(PodStatus.PREPARED)
                .when(new MarkGarbage(POD, "prepared more than 24h ago"))
                .thenEvents(new PodMarkedGarbage(POD, "prepared more than 24h ago"));
        assertEquals("prepared more than 24h ago", s.garbageReason());
    }

    @Test
    void deletingAnExitedPodDirectlyIsRefusedTellingToMarkItGarbageFirst() {
        IllegalPodTransition refusal = PodScenario.givenPodIn(PodStatus.EXITED).when(new DeletePod(POD))
                .thenRefused(PodStatus.EXITED);
        assertEquals("only a garbage pod can be deleted; mark it garbage first", refusal.why());
    }

    @Test
    void aGcFailureLeavesThePodGarbageAndRepeatsAsNoEvent() throws IllegalPodTransition {
        StageFailed busy = new StageFailed(POD, Stage.GC, "umount `/var/lib/rkj/pods/x/rootfs`: EBUSY", true);
        PodState s = PodScenario.givenPodIn(PodStatus.GARBAGE).when(new FailStage(POD, Stage.GC, busy.reason(), true))
                .thenEvents(busy);
        assertEquals(PodStatus.GARBAGE, s.status());
        PodScenario.given(append(PodStatus.GARBAGE, busy)).when(new FailStage(POD, Stage.GC, busy.reason(), true)).thenNoEvents();
    }

    @Test
    void checkLetsCallersTestAMoveBeforeSideEffects() throws IllegalPodTransition {
        PodLifecycle.check(PodScenario.givenPodIn(PodStatus.PREPARED).state(), PodMove.START);
        PodLifecycle.check(PodState.initial(POD), PodMove.CREATE);
        IllegalPodTransition refusal = assertThrows(IllegalPodTransition.class,
                () -> PodLifecycle.check(PodScenario.givenPodIn(PodStatus.GARBAGE).state(), PodMove.STOP));
        assertEquals("pod " + POD + " is garbage: cannot stop it (only a running pod can be stopped)", refusal.getMessage());
        assertThrows(IllegalPodTransition.class, () -> PodLifecycle.check(PodScenario.givenPodIn(PodStatus.EMBRYO).state(), PodMove.CREATE));
    }

    @Test
    void aCommandForAnotherPodIsAProgrammingError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PodLifecycle.decide(new StopPod(OTHER_POD, false), PodScenario.givenPodIn(PodStatus.RUNNING).state()));
        assertTrue(e.getMessage().contains("is for pod " + OTHER_POD + ", not for pod " + POD), e.getMessage());
    }

    @Test
    void commandsRejectPrefixesAndBadValuesNamingThem() {
        IllegalArgumentException prefix = assertThrows(IllegalArgumentException.class, () -> new StopPod("6f1c", false));
        assertEquals("pod id \"6f1c\" is not a full lowercase UUID (resolve a prefix with PodProjection.resolvePrefix first)",
                prefix.getMessage());
        assertEquals("exit code 256 is out of range (0-255)",
                assertThrows(IllegalArgumentException.class, () -> new RecordExit(POD, 256, "x")).getMessage());
        assertEquals("app busybox pid 0 is not a process id (> 0)",
                assertThrows(IllegalArgumentException.class, () -> new StartPod(POD, 1, Map.of(APP, 0L), RUNNER)).getMessage());
        assertEquals("signal 99 is not a Linux signal number (1-64)",
                assertThrows(IllegalArgumentException.class, () -> new RecordAppExit(POD, APP, 1, 99, false)).getMessage());
        assertEquals("failure reason is empty",
                assertThrows(IllegalArgumentException.class, () -> new FailStage(POD, Stage.GC, " ", false)).getMessage());
    }

    private static List<PodEvent> append(PodStatus status, PodEvent... more) {
        List<PodEvent> h = new java.util.ArrayList<>(PodFixtures.historyOf(status));
        h.addAll(List.of(more));
        return h;
    }

    @Test
    void aPodOfTwoImagesIsVerifiedAndRenderedImageByImageBeforeItIsPrepared() throws Exception {
        String other = "sha512-" + "cd".repeat(64);
        PodSpec spec = PodSpec.ofApps(List.of(PodSpec.AppSpec.of("example.com/a"), PodSpec.AppSpec.of("example.com/b")))
                .withPod(List.of(), false, false);
        PodState s = PodState.initial(PodFixtures.POD);
        s = apply(s, PodLifecycle.decide(new PodCommand.CreatePod(PodFixtures.POD, spec, PodFixtures.CREATOR), s));
        PodState created = s;
        IllegalPodTransition oneOfTwo = assertThrows(IllegalPodTransition.class, () -> PodLifecycle.decide(
                new PodCommand.ResolveImage(PodFixtures.POD, IMAGE, "example.com/a", ImageSource.STORE), created));
        assertTrue(oneOfTwo.why().contains("it has 2 apps, but 1 images were resolved"), oneOfTwo.why());
        s = apply(s, PodLifecycle.decide(new PodCommand.ResolveImage(PodFixtures.POD, List.of(
                new PodEvent.ResolvedImage(IMAGE, "example.com/a", ImageSource.STORE),
                new PodEvent.ResolvedImage(other, "example.com/b", ImageSource.FETCHED))), s));
        assertEquals(IMAGE, s.nextUnverified().orElseThrow().id());
        s = apply(s, PodLifecycle.decide(new PodCommand.RecordVerification(PodFixtures.POD, IMAGE, true, "signed"), s));
        assertEquals(null, s.verification(), "not verified until every image is");
        assertEquals(other, s.nextUnverified().orElseThrow().id());
        PodState oneVerified = s;
        assertThrows(IllegalPodTransition.class, () -> PodLifecycle.decide(
                new PodCommand.RecordRendered(PodFixtures.POD, other, other), oneVerified));
        s = apply(s, PodLifecycle.decide(new PodCommand.RecordVerification(PodFixtures.POD, other, true, "signed"), s));
        s = apply(s, PodLifecycle.decide(new PodCommand.RecordRendered(PodFixtures.POD, IMAGE, IMAGE), s));
        assertEquals(null, s.treeId(), "not rendered until every image is");
        PodState oneRendered = s;
        assertThrows(IllegalPodTransition.class, () -> PodLifecycle.decide(
                new PodCommand.PreparePod(PodFixtures.POD, "sha512-00"), oneRendered));
        s = apply(s, PodLifecycle.decide(new PodCommand.RecordRendered(PodFixtures.POD, other, other), s));
        assertEquals(Map.of(IMAGE, IMAGE, other, other), s.trees());
        s = apply(s, PodLifecycle.decide(new PodCommand.PreparePod(PodFixtures.POD, "sha512-00"), s));
        assertEquals(PodStatus.PREPARED, s.status());
    }

    private static PodState apply(PodState s, List<PodEvent> events) {
        for (PodEvent e : events) {
            s = PodLifecycle.evolve(s, e, PodScenario.T0);
        }
        return s;
    }
}
