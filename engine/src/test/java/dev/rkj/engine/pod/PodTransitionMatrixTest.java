package dev.rkj.engine.pod;

import dev.rkj.engine.pod.PodCommand.AdoptPod;
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
import dev.rkj.engine.pod.PodEvent.PodStopRequested;
import dev.rkj.engine.pod.PodEvent.StageFailed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.rkj.engine.pod.PodFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command against a pod in every status, legal and illegal. A pod in status S has the
 * history {@link PodFixtures#historyOf}; commands carry the same facts as that history, so a
 * command whose fact is already recorded must decide no events.
 *
 * <p>Cells: {@code E} decides exactly the row's event, {@code -} decides no events (already
 * recorded), {@code R} is refused, naming the pod's status and the command's move.
 */
class PodTransitionMatrixTest {

    /** The column order of every row below. */
    private static final List<PodStatus> COLUMNS = List.of(
            PodStatus.EMBRYO, PodStatus.PREPARING, PodStatus.PREPARED, PodStatus.ABORTED_PREPARE,
            PodStatus.RUNNING, PodStatus.EXITED, PodStatus.GARBAGE, PodStatus.DELETED);

    private static final String LOST = "stage1 lock is free and no status was written";
    private static final String NET_DOWN = "example.com unreachable: check the network and run again";

    private static final List<Row> ROWS = List.of(
            //                                                                         EMB PRG PRD ABT RUN EXT GRB DEL
            new Row("create, same spec", new CreatePod(POD, SPEC, CREATOR), null,       "-   -   -   -   -   -   -   -"),
            new Row("create, other spec", new CreatePod(POD, PodSpec.of("other"), CREATOR), null,
                                                                                        "R   R   R   R   R   R   R   R"),
            new Row("resolve, same image", new ResolveImage(POD, IMAGE, IMAGE_NAME, ImageSource.FETCHED), resolved(),
                                                                                        "E   -   -   -   -   -   -   -"),
            new Row("resolve, other image", new ResolveImage(POD, OTHER_IMAGE, IMAGE_NAME, ImageSource.STORE),
                    new PodEvent.ImageResolved(POD, OTHER_IMAGE, IMAGE_NAME, ImageSource.STORE),
                                                                                        "E   R   R   R   R   R   R   R"),
            new Row("verify", new RecordVerification(POD, IMAGE, true, SIGNED), verified(),
                                                                                        "R   -   -   R   -   -   -   -"),
            new Row("render", new RecordRendered(POD, IMAGE, TREE), rendered(),          "R   -   -   R   -   -   -   -"),
            new Row("prepare", new PreparePod(POD, MANIFEST), prepared(),               "R   E   -   R   -   -   -   -"),
            new Row("start", new StartPod(POD, STAGE1, APPS, RUNNER), started(),        "R   R   E   R   -   -   -   -"),
            new Row("app exit", new RecordAppExit(POD, APP, 0, null, false), appExited(),
                                                                                        "R   R   R   R   E   -   -   -"),
            // The canonical owner is CREATOR until started: only the driving engine may ask to launch.
            new Row("request launch", new RequestLaunch(POD, CREATOR), new PodEvent.LaunchRequested(POD, CREATOR),
                                                                                        "E   E   E   R   R   R   R   R"),
            new Row("request launch, not owner", new RequestLaunch(POD, ADOPTER), null, "R   R   R   R   R   R   R   R"),
            new Row("stop", new StopPod(POD, false), new PodStopRequested(POD, false),  "R   R   R   R   E   R   R   R"),
            new Row("exit", new RecordExit(POD, 0, ALL_EXITED), exited(),               "R   R   R   R   E   -   -   -"),
            new Row("mark garbage", new MarkGarbage(POD, EXPIRED), garbage(),           "R   R   E   E   R   E   -   -"),
            new Row("remove", new RemovePod(POD), new PodEvent.PodMarkedGarbage(POD, RemovePod.REASON),
                                                                                        "R   R   E   E   R   E   -   -"),
            new Row("request delete", new RequestDelete(POD, ADOPTER), new PodEvent.DeleteRequested(POD, ADOPTER),
                                                                                        "R   R   R   R   R   R   E   -"),
            new Row("delete", new DeletePod(POD), deleted(),                            "R   R   R   R   R   R   E   -"),
            new Row("fail fetch", new FailStage(POD, Stage.FETCH, NET_DOWN, true),
                    new StageFailed(POD, Stage.FETCH, NET_DOWN, true),                  "E   E   R   R   R   R   R   R"),
            new Row("fail verify, same failure", new FailStage(POD, Stage.VERIFY, BAD_SIGNATURE, false), verifyFailed(),
                                                                                        "E   E   R   -   R   R   R   R"),
            new Row("fail launch", new FailStage(POD, Stage.LAUNCH, "pivot_root: EINVAL", false),
                    new StageFailed(POD, Stage.LAUNCH, "pivot_root: EINVAL", false),    "E   E   E   R   R   R   R   R"),
            new Row("fail stop", new FailStage(POD, Stage.STOP, "kill: EPERM", false),
                    new StageFailed(POD, Stage.STOP, "kill: EPERM", false),             "R   R   R   R   E   R   R   R"),
            new Row("fail release", new FailStage(POD, Stage.RELEASE, "umount2: EBUSY", true),
                    new StageFailed(POD, Stage.RELEASE, "umount2: EBUSY", true),        "R   R   R   R   E   R   R   R"),
            new Row("fail gc", new FailStage(POD, Stage.GC, "umount: EBUSY", true),
                    new StageFailed(POD, Stage.GC, "umount: EBUSY", true),              "R   R   R   R   R   R   E   R"),
            new Row("mark lost", new MarkLost(POD, LOST), new PodEvent.PodLost(POD, LOST),
                                                                                        "E   E   R   R   E   R   R   R"),
            // The canonical owner is CREATOR until started, RUNNER from then on.
            new Row("adopt from creator", new AdoptPod(POD, CREATOR, ADOPTER, GONE),
                    new PodEvent.PodAdopted(POD, CREATOR, ADOPTER, GONE),               "E   E   E   R   R   R   R   R"),
            new Row("adopt from runner", new AdoptPod(POD, RUNNER, ADOPTER, GONE),
                    new PodEvent.PodAdopted(POD, RUNNER, ADOPTER, GONE),                "R   R   R   R   E   R   R   R"),
            new Row("adopt, already owner", new AdoptPod(POD, ADOPTER, CREATOR, GONE), null,
                                                                                        "-   -   -   -   R   R   R   R"));

    record Row(String name, PodCommand command, PodEvent event, String cells) {
        String cell(PodStatus status) {
            return cells.trim().split("\\s+")[COLUMNS.indexOf(status)];
        }
    }

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (Row row : ROWS) {
            for (PodStatus status : COLUMNS) {
                cells.add(Arguments.of(row.name(), status, row));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} when {1}")
    @MethodSource("cells")
    void decidesEventsNothingOrRefusal(String name, PodStatus status, Row row) throws IllegalPodTransition {
        PodScenario.When when = PodScenario.givenPodIn(status).when(row.command());
        switch (row.cell(status)) {
            case "E" -> when.thenEvents(row.event());
            case "-" -> when.thenNoEvents();
            case "R" -> when.thenRefused(status);
            default -> throw new AssertionError("bad cell " + row.cell(status) + " in row " + name);
        }
    }

    @Test
    void matrixCoversEveryStatusAndEveryCommandType() {
        assertEquals(EnumSet.allOf(PodStatus.class), EnumSet.copyOf(COLUMNS));
        for (Row row : ROWS) {
            assertEquals(COLUMNS.size(), row.cells().trim().split("\\s+").length, "cells of row " + row.name());
        }
        Set<Class<?>> covered = new java.util.HashSet<>();
        ROWS.forEach(r -> covered.add(r.command().getClass()));
        assertEquals(Set.of(PodCommand.class.getPermittedSubclasses()), covered);
    }

    /**
     * The grid and the one transition table agree: a cell that decides the row's event is a move
     * the table allows from that status, and the event leads where the table says; a move the
     * table forbids is refused (or already recorded). Refusals the table allows come from the
     * command's further checks (another spec, another image, another owner).
     */
    @ParameterizedTest(name = "{0} when {1}")
    @MethodSource("cells")
    void theGridAgreesWithTheTransitionTable(String name, PodStatus status, Row row) {
        PodCommand command = row.command();
        boolean allowed = command instanceof FailStage f
                ? PodTransitions.allowsFailure(f.stage(), status)
                : PodTransitions.allows(command.move(), status);
        String cell = row.cell(status);
        if (cell.equals("E")) {
            assertTrue(allowed || command.move() == PodMove.CREATE, name + " decides an event in " + status
                    + " but the table does not allow it");
            PodStatus expected = command instanceof FailStage f
                    ? PodTransitions.afterFailure(f.stage(), status)
                    : PodTransitions.after(command.move(), status);
            PodState after = PodScenario.givenPodIn(status).state();
            after = PodLifecycle.evolve(after, row.event(), PodScenario.T0.plusSeconds(3600));
            assertEquals(expected, after.status(), name + " from " + status);
        } else if (!allowed && command.move() != PodMove.CREATE) {
            assertTrue(cell.equals("R") || cell.equals("-"), name + " in " + status);
        }
    }

    @Test
    void theStatusPredicatesReadTheTable() {
        for (PodStatus s : PodStatus.values()) {
            assertEquals(PodTransitions.allows(PodMove.START, s), s.canStart(), "canStart " + s);
            assertEquals(PodTransitions.allows(PodMove.STOP, s), s.canStop(), "canStop " + s);
            assertEquals(PodTransitions.allows(PodMove.MARK_GARBAGE, s), s.canBeMarkedGarbage(), s.toString());
            assertEquals(PodTransitions.allows(PodMove.REMOVE, s), s.canBeRemoved(), s.toString());
            assertEquals(PodTransitions.allows(PodMove.DELETE, s), s.canBeDeleted(), s.toString());
            assertEquals(PodTransitions.allows(PodMove.MARK_LOST, s), s.isActive(), s.toString());
            assertEquals(s == PodStatus.DELETED, s.isFinal(), "isFinal " + s);
        }
        assertEquals(EnumSet.of(PodStatus.ABORTED_PREPARE, PodStatus.EXITED, PodStatus.GARBAGE, PodStatus.DELETED),
                EnumSet.copyOf(Stream.of(PodStatus.values()).filter(PodStatus::isFinished).toList()));
        assertEquals(EnumSet.of(PodStatus.EMBRYO, PodStatus.PREPARING),
                EnumSet.copyOf(Stream.of(PodStatus.values()).filter(PodStatus::isBeingPrepared).toList()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statuses")
    void everyCanonicalHistoryReachesItsStatus(PodStatus status) {
        assertEquals(status, PodScenario.givenPodIn(status).state().status());
    }

    static Stream<PodStatus> statuses() {
        return Stream.of(PodStatus.values());
    }
}
