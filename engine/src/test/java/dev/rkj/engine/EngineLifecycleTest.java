package dev.rkj.engine;

import dev.rkj.engine.fakes.FakePorts;
import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodEvent.StageFailed;
import dev.rkj.engine.pod.PodHistory;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.run.InsecureOnlyImageVerifier;
import dev.rkj.engine.stage.PodRuntime.AppExit;
import dev.rkj.engine.stage.PodRuntime.PodExit;
import dev.rkj.engine.stage.StageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import static dev.rkj.engine.EngineHarness.INSECURE;
import static dev.rkj.engine.EngineHarness.await;
import static dev.rkj.engine.EngineHarness.awaitStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine driving pods through its stages with recording fake ports: happy paths and each stage failing. */
class EngineLifecycleTest {
    private final EngineHarness h = new EngineHarness();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void runGoesThroughEveryStageOnceAndRecordsTheAppsExit() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        PodState running = awaitStatus(engine, pod, PodStatus.RUNNING);
        assertEquals(engine.owner(), running.owner());
        h.fakes.exit(pod, PodExit.exited(Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 3, null, false)), 3,
                "all apps exited"));
        PodState exited = awaitStatus(engine, pod, PodStatus.EXITED);

        assertEquals(3, exited.exitCode());
        assertEquals("all apps exited", exited.exitReason());
        assertEquals(3, exited.apps().get(FakePorts.APP).exitCode());
        assertEquals(List.of("pod.created", "pod.launch-requested", "pod.image-resolved", "pod.image-verified",
                "pod.image-rendered", "pod.prepared", "pod.started", "pod.app-exited", "pod.exited"), h.events(pod));
        assertEquals(List.of("resolve", "verify", "render", "prepare", "launch", "release"), h.fakes.calls.of(pod));
    }

    @Test
    void theStagesOfAPodRunBackToBackOnOneWorkerThreadEachRecordedBeforeTheNext() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        awaitStatus(engine, pod, PodStatus.RUNNING);

        assertEquals(List.of("resolve", "verify", "render", "prepare", "launch"), h.fakes.calls.of(pod));
        List<String> threads = h.fakes.calls.threadsOf(pod);
        assertEquals(1, new java.util.HashSet<>(threads).size(), "one worker ran every stage: " + threads);
        assertTrue(threads.get(0).contains("worker"), "a worker thread, not an event loop: " + threads);
        assertEquals(List.of("pod.created", "pod.launch-requested", "pod.image-resolved", "pod.image-verified",
                "pod.image-rendered", "pod.prepared", "pod.started"), h.events(pod));
    }

    @Test
    void anAppThatEndsAsSoonAsItStartsHasItsStartRecordedBeforeItsExit() throws Exception {
        var launchGate = h.fakes.gate("launch");
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        org.awaitility.Awaitility.await().until(() -> h.fakes.calls.count(pod, "launch") == 1);
        h.fakes.exit(pod, PodExit.exited(Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 5, null, false)), 5,
                "all apps exited"));
        launchGate.complete(null);
        PodState exited = awaitStatus(engine, pod, PodStatus.EXITED);
        assertEquals(5, exited.exitCode());
        List<String> events = h.events(pod);
        assertEquals(List.of("pod.started", "pod.app-exited", "pod.exited"), events.subList(6, events.size()));
    }

    @Test
    void theSkippedVerificationIsRecordedWithItsReason() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, false));
        PodState prepared = awaitStatus(engine, pod, PodStatus.PREPARED);
        assertFalse(prepared.verification().verified());
        assertEquals(InsecureOnlyImageVerifier.SKIPPED, prepared.verification().reason());
    }

    @Test
    void aPreparedPodWaitsUntilItIsRunPrepared() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, false));
        awaitStatus(engine, pod, PodStatus.PREPARED);
        h.sync(engine);
        assertEquals(0, h.fakes.calls.count(pod, "launch"));

        PodState started = await(engine.runPrepared(pod.substring(0, 8)));
        assertEquals(PodStatus.RUNNING, started.status());
        assertEquals(1, h.fakes.calls.count(pod, "launch"));
    }

    @Test
    void runPreparedRefusesAPodThatIsNotPrepared() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        awaitStatus(engine, pod, PodStatus.RUNNING);
        EngineException e = assertThrows(EngineException.class, () -> await(engine.runPrepared(pod)));
        IllegalPodTransition refusal = assertInstanceOf(IllegalPodTransition.class, e.getCause());
        assertTrue(refusal.getMessage().contains("it is already running"), refusal.getMessage());
        assertEquals(1, h.fakes.calls.count(pod, "launch"));
    }

    @Test
    void verifyFailsWithoutInsecureImageAndSaysWhatToDo() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(PodSpec.of("example.com/busybox"), true));
        PodState aborted = awaitStatus(engine, pod, PodStatus.ABORTED_PREPARE);
        assertEquals(Stage.VERIFY, aborted.failure().stage());
        assertFalse(aborted.failure().retryable());
        assertTrue(aborted.failure().reason().contains("signature verification is not available yet"),
                aborted.failure().reason());
        assertTrue(aborted.failure().reason().contains("--insecure-options=image"), aborted.failure().reason());
        assertEquals(0, h.fakes.calls.count(pod, "render"));
    }

    @ParameterizedTest(name = "{0} fails")
    @CsvSource({
            "resolve, FETCH, ABORTED_PREPARE, true",
            "render, RENDER, ABORTED_PREPARE, false",
            "prepare, PREPARE, ABORTED_PREPARE, true",
            "launch, LAUNCH, EXITED, false"})
    void aFailingStageRecordsStageFailedWithItsReason(String call, Stage stage, PodStatus end, boolean retryable)
            throws Exception {
        String reason = call + " went wrong: do something about it";
        h.fakes.failing(call, new StageException(reason, retryable));
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        PodState failed = awaitStatus(engine, pod, end);

        assertEquals(stage, failed.failure().stage());
        assertEquals(reason, failed.failure().reason());
        assertEquals(retryable, failed.failure().retryable());
        PodEvent last = h.podEvents(pod).get(h.podEvents(pod).size() - 1);
        assertEquals(new StageFailed(pod, stage, reason, retryable), last);
        assertEquals(1, h.fakes.calls.count(pod, call));
    }

    @Test
    void aBugInAPortIsRecordedAsANonRetryableFailureNamingIt() throws Exception {
        Engine engine = Engine.open(EngineConfig.builder(java.nio.file.Path.of("/fake"), new EnginePorts(
                (podId, spec) -> {
                    throw new IllegalStateException("boom");
                }, h.fakes.ports().verifier(), h.fakes.ports().renderer(), h.fakes.ports().preparer(),
                h.fakes.ports().runtime(), h.fakes.ports().janitor()))
                .vertx(h.vertx).journal(h.journal).liveness(h.liveness).build());
        try {
            String pod = await(engine.createPod(INSECURE, true));
            PodState failed = awaitStatus(engine, pod, PodStatus.ABORTED_PREPARE);
            assertFalse(failed.failure().retryable());
            assertTrue(failed.failure().reason().contains("IllegalStateException: boom"), failed.failure().reason());
            assertTrue(failed.failure().reason().contains("rkj journal show " + pod), failed.failure().reason());
        } finally {
            engine.close();
        }
    }

    @Test
    void aReleaseThatFailsIsRecordedAsAStageFailureAndThePodStillExits() throws Exception {
        h.fakes.failing("release", StageException.retryable("cannot release pod: umount2 `/pods/x/rootfs`: EBUSY", null));
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        awaitStatus(engine, pod, PodStatus.RUNNING);
        h.fakes.exit(pod, PodExit.exited(Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 0, null, false)), 0,
                "all apps exited"));
        PodState exited = awaitStatus(engine, pod, PodStatus.EXITED);

        assertEquals(0, exited.exitCode());
        assertEquals(List.of("pod.created", "pod.launch-requested", "pod.image-resolved", "pod.image-verified", "pod.image-rendered",
                "pod.prepared", "pod.started", "pod.stage-failed", "pod.app-exited", "pod.exited"), h.events(pod));
        assertEquals(Stage.RELEASE, exited.failure().stage());
        assertEquals("cannot release pod: umount2 `/pods/x/rootfs`: EBUSY", exited.failure().reason());
        assertTrue(exited.failure().retryable());
    }

    @Test
    void runPreparedFailsWithTheLaunchFailure() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, false));
        awaitStatus(engine, pod, PodStatus.PREPARED);
        h.fakes.failing("launch", StageException.permanent("execve `/bin/nope`: ENOENT"));
        EngineException e = assertThrows(EngineException.class, () -> await(engine.runPrepared(pod)));
        assertInstanceOf(StageException.class, e.getCause());
        assertEquals("execve `/bin/nope`: ENOENT", e.getCause().getMessage());
        assertEquals(PodStatus.EXITED, awaitStatus(engine, pod, PodStatus.EXITED).status());
    }

    @Test
    void stopSignalsTheAppsOnceAndTheExitSaysItWasStopped() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        awaitStatus(engine, pod, PodStatus.RUNNING);
        await(engine.stop(pod, false));
        await(engine.stop(pod, false));
        org.awaitility.Awaitility.await().until(() -> h.fakes.calls.count(pod, "stop") == 1);
        h.sync(engine);
        engine.dispatcher().poke(pod);
        h.sync(engine);

        await(engine.stop(pod, true));
        org.awaitility.Awaitility.await().until(() -> h.fakes.calls.count(pod, "stop --force") == 1);

        h.fakes.exit(pod, PodExit.exited(Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 137, 9, false)), 137,
                "all apps exited"));
        PodState exited = awaitStatus(engine, pod, PodStatus.EXITED);
        assertEquals("stopped on request (forced)", exited.exitReason());
        assertEquals(9, exited.apps().get(FakePorts.APP).signal());
        assertEquals(1, h.fakes.calls.count(pod, "stop"));
        assertEquals(1, h.fakes.calls.count(pod, "stop --force"));
    }

    @Test
    void aFailedStopIsRecordedAndThePodKeepsRunning() throws Exception {
        h.fakes.failing("stop", StageException.permanent("pidfd_send_signal: EPERM"));
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        awaitStatus(engine, pod, PodStatus.RUNNING);
        await(engine.stop(pod, false));
        PodState s = EngineHarness.awaitState(engine, pod, p -> p.failure() != null);
        assertEquals(Stage.STOP, s.failure().stage());
        assertEquals(PodStatus.RUNNING, s.status());
        assertFalse(s.stopRequested());
    }

    @Test
    void removeDeletesAnExitedPodAndRefusesARunningOne() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        awaitStatus(engine, pod, PodStatus.RUNNING);
        EngineException refused = assertThrows(EngineException.class, () -> await(engine.remove(pod)));
        assertTrue(refused.getMessage().contains("stop it first"), refused.getMessage());

        h.fakes.exit(pod, PodExit.exited(Map.of(), 0, "all apps exited"));
        awaitStatus(engine, pod, PodStatus.EXITED);
        await(engine.remove(pod));
        assertEquals(PodStatus.DELETED, engine.pod(pod).status());
        assertEquals(1, h.fakes.calls.count(pod, "delete"));
        assertEquals(List.of("pod.marked-garbage", "pod.delete-requested", "pod.deleted"),
                h.events(pod).subList(h.events(pod).size() - 3, h.events(pod).size()));
    }

    @Test
    void aFailedDeletionKeepsThePodGarbageAndTheNextGcFinishesIt() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, false));
        awaitStatus(engine, pod, PodStatus.PREPARED);
        h.fakes.failing("delete", StageException.retryable("umount2 `/x`: EBUSY", null));
        assertThrows(EngineException.class, () -> await(engine.remove(pod)));
        PodState garbage = engine.pod(pod);
        assertEquals(PodStatus.GARBAGE, garbage.status());
        assertEquals(Stage.GC, garbage.failure().stage());

        h.fakes.failing("delete", null);
        var report = await(engine.gc(Duration.ofMinutes(30), Duration.ofHours(24), false));
        assertEquals(List.of(pod), report.deleted());
        assertEquals(PodStatus.DELETED, awaitStatus(engine, pod, PodStatus.DELETED).status());
    }

    @Test
    void gcCollectsOnlyPodsWhoseTimeIsUp() throws Exception {
        Engine engine = h.open();
        String exited = await(engine.createPod(INSECURE, true));
        awaitStatus(engine, exited, PodStatus.RUNNING);
        h.fakes.exit(exited, PodExit.exited(Map.of(), 0, "all apps exited"));
        awaitStatus(engine, exited, PodStatus.EXITED);
        String prepared = await(engine.createPod(INSECURE, false));
        awaitStatus(engine, prepared, PodStatus.PREPARED);
        String aborted = await(engine.createPod(PodSpec.of("example.com/unsigned"), false));
        awaitStatus(engine, aborted, PodStatus.ABORTED_PREPARE);

        var first = await(engine.gc(Duration.ofMinutes(30), Duration.ofHours(24), false));
        assertEquals(List.of(aborted), first.marked());
        assertEquals(List.of(aborted), first.deleted());

        h.clock.advance(Duration.ofMinutes(31));
        var second = await(engine.gc(Duration.ofMinutes(30), Duration.ofHours(24), true));
        assertEquals(List.of(exited), second.marked());
        assertEquals(List.of(), second.deleted());
        assertEquals("exited more than 30m ago", engine.pod(exited).garbageReason());

        h.clock.advance(Duration.ofHours(24));
        var third = await(engine.gc(Duration.ofMinutes(30), Duration.ofHours(24), false));
        assertEquals(List.of(prepared), third.marked());
        assertEquals(java.util.Set.of(exited, prepared), java.util.Set.copyOf(third.deleted()));
        assertEquals("prepared more than 24h ago and never run", engine.pod(prepared).garbageReason());
    }

    @Test
    void awaitStatusTimesOutNamingThePodsStatus() throws Exception {
        h.fakes.gate("resolve");
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, true));
        EngineException e = assertThrows(EngineException.class, () -> await(
                engine.awaitStatus(pod, s -> s.status() == PodStatus.RUNNING, Duration.ofMillis(50))));
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertTrue(e.getMessage().contains("is still embryo"), e.getMessage());
        h.fakes.gate("resolve").complete(null);
    }

    @Test
    void historyTellsThePodsStoryStepByStep() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, false));
        awaitStatus(engine, pod, PodStatus.PREPARED);
        PodHistory history = await(engine.history(pod.substring(0, 6)));
        assertEquals(5, history.steps().size());
        assertEquals(PodStatus.PREPARED, history.state().status());
        assertTrue(history.steps().get(0).summary().startsWith("created for image example.com/busybox:1.36"));
    }

    @Test
    void listAndPrefixLookupSeeCreatedPods() throws Exception {
        Engine engine = h.open();
        String pod = await(engine.createPod(INSECURE, false));
        awaitStatus(engine, pod, PodStatus.PREPARED);
        assertEquals(List.of(pod), engine.list().stream().map(PodState::podId).toList());
        assertEquals(pod, engine.pod(pod.substring(0, 4)).podId());
    }
}
