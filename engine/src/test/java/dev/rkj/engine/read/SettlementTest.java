package dev.rkj.engine.read;

import static dev.rkj.engine.read.ReadFixtures.APP;
import static dev.rkj.engine.read.ReadFixtures.POD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.pod.PodCommand;
import dev.rkj.engine.pod.PodCommand.FailStage;
import dev.rkj.engine.pod.PodCommand.MarkLost;
import dev.rkj.engine.pod.PodCommand.RecordAppExit;
import dev.rkj.engine.pod.PodCommand.RecordExit;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodLifecycle;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.read.PodTraces.Traces;
import dev.rkj.engine.stage.PodRuntime.AppExit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettlementTest {
    private static final String WHY = "engine engine-b (pid 200) is gone";

    @Test
    void aRunningPodWhoseStage1WroteEveryStatusExitsWithTheAppsCode() {
        List<PodCommand> commands = Settlement.commands(running(), ReadFixtures.ended(3), WHY);
        assertEquals(List.of(new RecordAppExit(POD, APP, 3, null, false), new RecordExit(POD, 3, "all apps exited")),
                commands);
    }

    @Test
    void aRunningPodWhoseStage1WroteNoStatusIsLost() {
        List<PodCommand> commands = Settlement.commands(running(), ReadFixtures.vanished(), WHY);
        assertEquals(1, commands.size());
        MarkLost lost = assertInstanceOf(MarkLost.class, commands.get(0));
        assertTrue(lost.reason().startsWith(WHY + " and its stage1 ended without writing the status of busybox"),
                lost.reason());
    }

    @Test
    void aPodWhoseStage1HoldsItsLockIsLeftAlone() {
        assertEquals(List.of(), Settlement.commands(running(), ReadFixtures.running(), WHY));
        assertEquals(List.of(), Settlement.commands(at(PodStatus.PREPARED),
                new Traces(true, true, List.of(APP), Map.of()), WHY));
    }

    @Test
    void aPreparedPodWhoseStage1RanAndEndedUnrecordedFailsItsLaunch() {
        List<PodCommand> commands = Settlement.commands(at(PodStatus.PREPARED), ReadFixtures.ended(3), WHY);
        FailStage failed = assertInstanceOf(FailStage.class, commands.get(0));
        assertEquals(Stage.LAUNCH, failed.stage());
        assertTrue(failed.reason().contains("app busybox exited with 3"), failed.reason());
    }

    @Test
    void aPreparedPodNeverLaunchedAndPodsInOtherStatusesHaveNothingToSettle() {
        assertEquals(List.of(), Settlement.commands(at(PodStatus.PREPARED),
                new Traces(false, false, List.of(APP), Map.of()), WHY));
        for (PodStatus s : List.of(PodStatus.EMBRYO, PodStatus.PREPARING, PodStatus.EXITED)) {
            assertEquals(List.of(), Settlement.commands(at(s), ReadFixtures.ended(3), WHY), s.toString());
        }
    }

    @Test
    void ofSeveralAppsThePodTakesTheFirstNonZeroCodeInManifestOrder() {
        PodState pod = evolve(at(PodStatus.PREPARED), new PodEvent.PodStarted(POD, 4242,
                Map.of("a", 1L, "b", 2L, "c", 3L), ReadFixtures.RUNNER));
        Traces traces = new Traces(false, true, List.of("c", "b", "a"), Map.of(
                "a", new AppExit("a", 1, null, false), "b", new AppExit("b", 0, null, false),
                "c", new AppExit("c", 137, 9, false)));
        List<PodCommand> commands = Settlement.commands(pod, traces, WHY);
        assertEquals(new RecordExit(POD, 137, "all apps exited"), commands.get(commands.size() - 1));
        assertEquals(new RecordAppExit(POD, "c", 137, 9, false), commands.get(0), "manifest order");
    }

    static PodState running() {
        return at(PodStatus.RUNNING);
    }

    static PodState at(PodStatus status) {
        List<PodEvent> history = new ArrayList<>(ReadFixtures.preparation());
        history.add(ReadFixtures.started());
        history.add(new PodEvent.AppExited(POD, APP, 0, null, false));
        history.add(new PodEvent.PodExited(POD, 0, "all apps exited"));
        int n = switch (status) {
            case EMBRYO -> 1;
            case PREPARING -> 2;
            case PREPARED -> 5;
            case RUNNING -> 6;
            case EXITED -> 8;
            default -> throw new IllegalArgumentException(status.toString());
        };
        PodState s = PodState.initial(POD);
        for (PodEvent e : history.subList(0, n)) {
            s = evolve(s, e);
        }
        return s;
    }

    private static PodState evolve(PodState s, PodEvent e) {
        return PodLifecycle.evolve(s, e, Instant.EPOCH);
    }
}
