package dev.rkj.engine;

import dev.rkj.engine.fakes.FakePorts;
import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodEvent.ImageRendered;
import dev.rkj.engine.pod.PodEvent.ImageResolved;
import dev.rkj.engine.pod.PodEvent.ImageVerified;
import dev.rkj.engine.pod.PodEvent.PodAdopted;
import dev.rkj.engine.pod.PodEvent.PodCreated;
import dev.rkj.engine.pod.PodEvent.PodPrepared;
import dev.rkj.engine.pod.PodEvent.PodStarted;
import dev.rkj.engine.pod.PodEvent.StageFailed;
import dev.rkj.engine.pod.PodIds;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.recovery.Reconciler;
import dev.rkj.engine.run.InsecureOnlyImageVerifier;
import dev.rkj.engine.stage.PodRuntime.AppExit;
import dev.rkj.engine.stage.PodRuntime.PodExit;
import dev.rkj.engine.stage.StageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.rkj.engine.EngineHarness.INSECURE;
import static dev.rkj.engine.EngineHarness.await;
import static dev.rkj.engine.EngineHarness.awaitState;
import static dev.rkj.engine.EngineHarness.awaitStatus;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotence, ownership and recovery: given a journal (and what the fake pod directories show),
 * a starting engine appends exactly the right events and runs no stage twice.
 */
class EngineRecoveryTest {
    private static final String TREE = FakePorts.IMAGE_ID;
    private static final String MANIFEST = "sha512-" + "cd".repeat(64);

    private final EngineHarness h = new EngineHarness();
    private final String pod = PodIds.newId();

    @AfterEach
    void close() {
        h.close();
    }

    /** The events that bring {@link #pod}, owned by {@code owner}, to {@code status}. */
    private List<PodEvent> history(PodOwner owner, PodStatus status) {
        List<PodEvent> events = new ArrayList<>(List.of(new PodCreated(pod, INSECURE, owner)));
        if (status == PodStatus.EMBRYO) {
            return events;
        }
        events.add(new ImageResolved(pod, FakePorts.IMAGE_ID, FakePorts.IMAGE_NAME, ImageSource.FETCHED));
        events.add(new ImageVerified(pod, FakePorts.IMAGE_ID, false, InsecureOnlyImageVerifier.SKIPPED));
        if (status == PodStatus.PREPARING) {
            return events;
        }
        events.add(new ImageRendered(pod, FakePorts.IMAGE_ID, TREE));
        events.add(new PodPrepared(pod, MANIFEST));
        if (status == PodStatus.PREPARED) {
            return events;
        }
        events.add(new PodStarted(pod, 4242, Map.of(FakePorts.APP, 4243L), owner));
        return events;
    }

    private void given(PodOwner owner, PodStatus status) throws Exception {
        h.append(history(owner, status).toArray(PodEvent[]::new));
    }

    @Test
    void redeliveredEventsNeverRunAStageTwice() throws Exception {
        var renderGate = h.fakes.gate("render");
        Engine engine = h.open();
        String id = await(engine.createPod(INSECURE, false));
        await().until(() -> h.fakes.calls.count(id, "render") == 1);
        for (int i = 0; i < 20; i++) {
            engine.dispatcher().poke(id);
        }
        // Another process delivering the same fact again:
        h.append(new ImageVerified(id, FakePorts.IMAGE_ID, false, InsecureOnlyImageVerifier.SKIPPED));
        renderGate.complete(null);
        awaitStatus(engine, id, PodStatus.PREPARED);
        for (int i = 0; i < 20; i++) {
            engine.dispatcher().poke(id);
        }
        h.sync(engine);
        assertEquals(List.of("resolve", "verify", "render", "prepare"), h.fakes.calls.of(id));
    }

    @Test
    void replayingTheJournalInANewEngineRunsNothingAgain() throws Exception {
        Engine first = h.open();
        String id = await(first.createPod(INSECURE, false));
        awaitStatus(first, id, PodStatus.PREPARED);
        List<String> before = h.events(id);
        first.close();

        Engine second = h.open();
        h.sync(second);
        assertEquals(PodStatus.PREPARED, second.pod(id).status());
        assertEquals(before, h.events(id));
        // Recovery only looked at the idle prepared pod of the dead engine:
        assertEquals(List.of("resolve", "verify", "render", "prepare", "probe"), h.fakes.calls.of(id));
    }

    @Test
    void anEngineIgnoresPodsOwnedByALiveOtherEngine() throws Exception {
        PodOwner other = new PodOwner("other-engine", 4321);
        h.liveness.alive(other);
        given(other, PodStatus.EMBRYO);
        String running = PodIds.newId();
        h.append(new PodCreated(running, INSECURE, other),
                new PodStarted(running, 77, Map.of(FakePorts.APP, 78L), other));
        Engine engine = h.open();
        h.sync(engine);
        engine.dispatcher().poke(pod);
        engine.dispatcher().poke(running);
        h.sync(engine);

        assertEquals(List.of(), h.fakes.calls.of(pod));
        assertEquals(List.of(), h.fakes.calls.of(running));
        assertEquals(List.of("pod.created"), h.events(pod));
        assertEquals(other, engine.pod(pod).owner());
    }

    @Test
    void aDeadEnginesPreparingPodIsAdoptedAndResumedWhereItStopped() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.PREPARING);
        Engine engine = h.open();
        PodState prepared = awaitStatus(engine, pod, PodStatus.PREPARED);

        assertEquals(engine.owner(), prepared.owner());
        assertEquals(List.of("render", "prepare"), h.fakes.calls.of(pod));
        List<PodEvent> events = h.podEvents(pod);
        assertEquals(new PodAdopted(pod, EngineHarness.deadOwner(), engine.owner(),
                EngineHarness.deadOwner() + " is gone (its engine lock is free); resuming its preparation"), events.get(3));
    }

    @Test
    void aDeadEnginesEmbryoIsResumedFromTheFetch() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.EMBRYO);
        Engine engine = h.open();
        awaitStatus(engine, pod, PodStatus.PREPARED);
        assertEquals(List.of("resolve", "verify", "render", "prepare"), h.fakes.calls.of(pod));
    }

    @Test
    void aRunningPodWhoseStage1EndedGetsTheStatusItWrote() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.RUNNING);
        h.fakes.probe(pod, false, Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 7, null, false)));
        Engine engine = h.open();
        PodState exited = awaitStatus(engine, pod, PodStatus.EXITED);

        assertEquals(7, exited.exitCode());
        assertFalse(exited.lost());
        List<String> events = h.events(pod);
        assertEquals(List.of("pod.adopted", "pod.app-exited", "pod.exited"), events.subList(6, events.size()));
        assertEquals(1, h.fakes.calls.count(pod, "release"));
    }

    @Test
    void aRunningPodWhoseStage1LeftNoStatusIsLost() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.RUNNING);
        h.fakes.probe(pod, false, Map.of());
        Engine engine = h.open();
        PodState lost = awaitStatus(engine, pod, PodStatus.EXITED);

        assertTrue(lost.lost());
        assertEquals("stage1's lock is free and it wrote no status", lost.lostReason());
        assertEquals(null, lost.exitCode());
        List<String> events = h.events(pod);
        assertEquals(List.of("pod.adopted", "pod.lost"), events.subList(6, events.size()));
    }

    @Test
    void aRunningPodWhoseStage1LivesIsWatchedAgainAndItsExitRecorded() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.RUNNING);
        h.fakes.probe(pod, true, Map.of());
        Engine engine = h.open();
        awaitState(engine, pod, s -> engine.owner().equals(s.owner()));
        await().until(() -> h.fakes.calls.count(pod, "watch") == 1);
        assertEquals(PodStatus.RUNNING, engine.pod(pod).status());

        h.fakes.exit(pod, PodExit.exited(Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 0, null, false)), 0,
                "all apps exited"));
        PodState exited = awaitStatus(engine, pod, PodStatus.EXITED);
        assertEquals(0, exited.exitCode());
        assertEquals(1, h.fakes.calls.count(pod, "watch"));
    }

    @Test
    void aPreparedPodWhoseLauncherDiedWithStage1RunningIsKilledAndItsLaunchFailed() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.PREPARED);
        h.fakes.probe(pod, true, Map.of());
        Engine engine = h.open();
        PodState failed = awaitStatus(engine, pod, PodStatus.EXITED);

        assertEquals(Stage.LAUNCH, failed.failure().stage());
        assertTrue(failed.failure().retryable());
        assertTrue(failed.failure().reason().contains("died before it recorded the start"), failed.failure().reason());
        assertEquals(1, h.fakes.calls.count(pod, "release"));
        assertFalse(h.fakes.isRunning(pod));
        PodEvent last = h.podEvents(pod).get(h.podEvents(pod).size() - 1);
        assertTrue(last instanceof StageFailed);
    }

    @Test
    void aPreparedPodWhoseLauncherDiedStillHasItsLaunchFailedWhenItsReleaseFails() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.PREPARED);
        h.fakes.probe(pod, true, Map.of());
        h.fakes.failing("release", StageException.retryable("cannot release pod: umount2 `/pods/x/rootfs`: EBUSY", null));
        Engine engine = h.open();
        PodState failed = awaitStatus(engine, pod, PodStatus.EXITED);

        assertEquals(Stage.LAUNCH, failed.failure().stage());
        assertTrue(failed.failure().reason().contains("but releasing it failed (cannot release pod: umount2"
                + " `/pods/x/rootfs`: EBUSY; rkj gc releases it again)"), failed.failure().reason());
    }

    @Test
    void aPreparedPodThatRanUnrecordedAfterItsLauncherDiedIsNotRunAgain() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.PREPARED);
        h.fakes.probe(pod, false, Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 7, null, false)));
        Engine engine = h.open();
        PodState failed = awaitStatus(engine, pod, PodStatus.EXITED);

        assertEquals(Stage.LAUNCH, failed.failure().stage());
        assertTrue(failed.failure().reason().contains("the pod ran unwatched and ended (app busybox exited with 7)"),
                failed.failure().reason());
        assertEquals(0, h.fakes.calls.count(pod, "launch"));
        assertEquals(1, h.fakes.calls.count(pod, "release"));
    }

    @Test
    void anIdlePreparedPodOfADeadEngineIsLeftPrepared() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.PREPARED);
        Engine engine = h.open();
        h.sync(engine);
        assertEquals(PodStatus.PREPARED, engine.pod(pod).status());
        assertEquals(List.of("probe"), h.fakes.calls.of(pod));
        assertEquals(5, h.events(pod).size());

        PodState started = await(engine.runPrepared(pod));
        assertEquals(engine.owner(), started.owner());
        assertTrue(h.events(pod).contains("pod.adopted"));
    }

    @Test
    void ofTwoEnginesRecoveringAtOnceExactlyOneAdoptsThePod() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.RUNNING);
        h.fakes.probe(pod, true, Map.of());
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Engine> a = CompletableFuture.supplyAsync(this::openQuietly, threads);
            CompletableFuture<Engine> b = CompletableFuture.supplyAsync(this::openQuietly, threads);
            Engine ea = a.join();
            Engine eb = b.join();
            h.sync(ea);
            h.sync(eb);
            PodOwner owner = ea.pod(pod).owner();
            assertEquals(owner, eb.pod(pod).owner());
            assertTrue(owner.equals(ea.owner()) || owner.equals(eb.owner()), "owner " + owner);
            await().until(() -> h.fakes.calls.count(pod, "watch") == 1);
            h.sync(ea);
            assertEquals(1, h.fakes.calls.count(pod, "watch"));
        } finally {
            threads.shutdown();
        }
    }

    private Engine openQuietly() {
        try {
            return h.open();
        } catch (EngineException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void withoutWatchingOrphansALiveRunningPodIsLeftAndADeadOneStillRecorded() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.RUNNING);
        h.fakes.probe(pod, true, Map.of());
        String dead = PodIds.newId();
        h.append(new PodCreated(dead, INSECURE, EngineHarness.deadOwner()),
                new PodStarted(dead, 55, Map.of(FakePorts.APP, 56L), EngineHarness.deadOwner()));
        h.fakes.probe(dead, false, Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 1, null, false)));

        Engine engine = h.open(EngineConfig.newEngineId(), false);
        assertEquals(1, awaitStatus(engine, dead, PodStatus.EXITED).exitCode());
        h.sync(engine);
        assertEquals(EngineHarness.deadOwner(), engine.pod(pod).owner());
        assertFalse(h.events(pod).contains("pod.adopted"));
        assertEquals(0, h.fakes.calls.count(pod, "watch"));
    }

    @Test
    void stoppingAPodWhoseEngineDiedAdoptsItAndStopsIt() throws Exception {
        given(EngineHarness.deadOwner(), PodStatus.RUNNING);
        h.fakes.probe(pod, true, Map.of());
        Engine engine = h.open(EngineConfig.newEngineId(), false);
        await(engine.stop(pod, false));
        await().until(() -> h.fakes.calls.count(pod, "stop") == 1);
        h.fakes.exit(pod, PodExit.exited(Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 143, 15, false)), 143,
                "all apps exited"));
        PodState exited = awaitStatus(engine, pod, PodStatus.EXITED);
        assertEquals("stopped on request", exited.exitReason());
        assertEquals(engine.owner(), exited.owner());
    }

    @Test
    void anEarlierRunOfTheSameEngineIdIsTreatedAsGone() throws Exception {
        PodOwner earlier = new PodOwner("daemon", ProcessHandle.current().pid() + 100_000);
        given(earlier, PodStatus.PREPARING);
        Engine engine = h.open("daemon", true);
        PodState prepared = awaitStatus(engine, pod, PodStatus.PREPARED);
        assertEquals(engine.owner(), prepared.owner());
        assertTrue(h.podEvents(pod).stream().anyMatch(e -> e instanceof PodAdopted a
                && a.reason().contains("was an earlier run of this engine")));
    }

    @Test
    void aPreparedPodWhoseLaunchRequesterDiedIsRefusedAndReleasedNotLaunched() throws Exception {
        PodOwner dead = new PodOwner("dead-cli", 9999);
        given(dead, PodStatus.PREPARED);
        h.append(new PodEvent.LaunchRequested(pod, dead));
        Engine engine = h.open();
        PodState refused = awaitStatus(engine, pod, PodStatus.EXITED);

        assertEquals(Stage.LAUNCH, refused.failure().stage());
        assertTrue(refused.failure().reason().startsWith(Reconciler.LAUNCH_REFUSED), refused.failure().reason());
        assertEquals(List.of("probe", "release"), h.fakes.calls.of(pod));
        assertEquals(List.of("pod.prepared", "pod.launch-requested", "pod.stage-failed"),
                h.events(pod).subList(h.events(pod).size() - 3, h.events(pod).size()));
    }

    @Test
    void aPodBeingPreparedForADeadRequesterIsAbortedNotResumed() throws Exception {
        PodOwner dead = new PodOwner("dead-cli", 9999);
        h.append(new PodCreated(pod, INSECURE, dead), new PodEvent.LaunchRequested(pod, dead));
        Engine engine = h.open();
        PodState aborted = awaitStatus(engine, pod, PodStatus.ABORTED_PREPARE);

        assertEquals(Stage.LAUNCH, aborted.failure().stage());
        h.sync(engine);
        assertEquals(List.of(), h.fakes.calls.of(pod), "no stage ran for it");
    }

    @Test
    void aPreparedPodWithoutALaunchRequestStaysPreparedForAnyoneToRun() throws Exception {
        given(new PodOwner("dead-cli", 9999), PodStatus.PREPARED);
        Engine engine = h.open();
        h.sync(engine);
        assertEquals(PodStatus.PREPARED, engine.pod(pod).status());
        PodState started = await(engine.runPrepared(pod));
        assertEquals(engine.owner(), started.owner());
        List<String> events = h.events(pod);
        assertEquals(List.of("pod.adopted", "pod.launch-requested", "pod.started"),
                events.subList(events.size() - 3, events.size()));
    }

    @Test
    void aDeletionWhoseRequesterDiedIsCarriedOutByTheRecoveringEngine() throws Exception {
        PodOwner dead = new PodOwner("dead-cli", 9999);
        given(dead, PodStatus.PREPARED);
        h.append(new PodEvent.PodMarkedGarbage(pod, "removed with rkj rm"), new PodEvent.DeleteRequested(pod, dead));
        Engine engine = h.open();
        PodState deleted = awaitStatus(engine, pod, PodStatus.DELETED);

        assertEquals(engine.owner(), deleted.deleteRequestedBy());
        assertEquals(1, h.fakes.calls.count(pod, "delete"));
        List<String> events = h.events(pod);
        assertEquals(List.of("pod.delete-requested", "pod.delete-requested", "pod.deleted"),
                events.subList(events.size() - 3, events.size()));
    }

    @Test
    void aWaitOnAPodWhoseEngineDiesMeanwhileTakesThePodOverAndSeesItsEnd() throws Exception {
        PodOwner other = new PodOwner("other-engine", 4321);
        h.liveness.alive(other);
        given(other, PodStatus.RUNNING);
        h.fakes.probe(pod, true, Map.of());
        Engine engine = h.open(EngineConfig.newEngineId(), false); // a CLI that only looks: rkj status --wait
        var end = engine.awaitStatus(pod, s -> s.status().isFinished(), EngineHarness.WAIT);
        h.sync(engine);
        assertFalse(end.isComplete());
        assertEquals(other, engine.pod(pod).owner(), "a live engine's pod is left to it");

        h.liveness.dead(other); // the engine driving the pod dies while the wait goes on
        await().until(() -> h.fakes.calls.count(pod, "watch") == 1);
        h.fakes.exit(pod, PodExit.exited(Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 4, null, false)), 4,
                "all apps exited"));
        PodState exited = EngineHarness.await(end);
        assertEquals(4, exited.exitCode());
        assertEquals(engine.owner(), exited.owner());
    }

    @Test
    void aWaitFailsOnceThePodIsDeletedWithoutWhatWasAwaited() throws Exception {
        Engine engine = h.open();
        String id = await(engine.createPod(INSECURE, false));
        awaitStatus(engine, id, PodStatus.PREPARED);
        var running = engine.awaitStatus(id, s -> s.status() == PodStatus.RUNNING, EngineHarness.WAIT);
        await(engine.remove(id));
        EngineException e = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class,
                () -> EngineHarness.await(running));
        assertTrue(e.getMessage().contains("is deleted: what was awaited can no longer happen"), e.getMessage());
    }

    @Test
    void closingTheEngineLeavesItsPodsRunningForTheNextEngine() throws Exception {
        Engine first = h.open();
        String id = await(first.createPod(INSECURE, true));
        awaitStatus(first, id, PodStatus.RUNNING);
        first.close();
        assertTrue(h.fakes.isRunning(id));
        assertEquals(1, h.fakes.calls.count(id, "cancel watch"));

        Engine second = h.open();
        awaitState(second, id, s -> second.owner().equals(s.owner()));
        await().until(() -> h.fakes.calls.count(id, "watch") == 1);
        h.fakes.exit(id, PodExit.exited(Map.of(FakePorts.APP, new AppExit(FakePorts.APP, 0, null, false)), 0,
                "all apps exited"));
        assertEquals(0, awaitStatus(second, id, PodStatus.EXITED).exitCode());
        assertEquals(1, h.fakes.calls.count(id, "launch"));
    }
}
