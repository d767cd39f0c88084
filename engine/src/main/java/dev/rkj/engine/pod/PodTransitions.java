package dev.rkj.engine.pod;

import static dev.rkj.engine.pod.PodStatus.ABORTED_PREPARE;
import static dev.rkj.engine.pod.PodStatus.DELETED;
import static dev.rkj.engine.pod.PodStatus.EMBRYO;
import static dev.rkj.engine.pod.PodStatus.EXITED;
import static dev.rkj.engine.pod.PodStatus.GARBAGE;
import static dev.rkj.engine.pod.PodStatus.PREPARED;
import static dev.rkj.engine.pod.PodStatus.PREPARING;
import static dev.rkj.engine.pod.PodStatus.RUNNING;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The pod lifecycle's one transition table: for every {@link PodMove} (and, for
 * {@link PodMove#FAIL_STAGE}, every {@link Stage}), the statuses it is allowed from and the status
 * it leads to. {@link PodLifecycle#decide} checks moves against it, {@link PodLifecycle#evolve}
 * folds facts with it, {@link PodStatus}'s predicates ({@code canStart}, {@code isFinal}...) and
 * {@code PodTransitionMatrixTest} read it. Nothing else spells a transition.
 *
 * <pre>
 * move                 from                                  to                 a fact met in another status
 * CREATE               (no pod)                              embryo             advances
 * RESOLVE_IMAGE        embryo                                preparing          advances
 * RECORD_VERIFICATION  preparing                             (stays)            -
 * RECORD_RENDERED      preparing                             (stays)            -
 * PREPARE              preparing                             prepared           advances
 * START                prepared                              running            advances
 * RECORD_APP_EXIT      running                               (stays)            -
 * REQUEST_LAUNCH       embryo, preparing, prepared           (stays)            -
 * STOP                 running                               (stays)            -
 * RECORD_EXIT          running                               exited             advances
 * MARK_GARBAGE         prepared, aborted prepare, exited     garbage            advances
 * REMOVE               prepared, aborted prepare, exited,    garbage            advances
 *                      garbage
 * REQUEST_DELETE       garbage                               (stays)            -
 * DELETE               garbage                               deleted            advances
 * MARK_LOST            embryo, preparing                     aborted prepare    ignored
 *                      running                               exited
 * ADOPT                embryo, preparing, prepared, running  (stays)            -
 * FAIL_STAGE fetch, verify, unpack, render, prepare:
 *                      embryo, preparing                     aborted prepare    advances
 *            launch    prepared                              exited             ignored
 *                      embryo, preparing (a refused launch)  aborted prepare
 *            stop      running                               (stays)            -
 *            release   running (its exit follows)            (stays)            -
 *            gc        garbage                               (stays)            -
 * </pre>
 *
 * "A fact met in another status": the journal is the truth, so {@code evolve} folds a fact even
 * in a status its move is not allowed from (two processes raced); a row that "advances" then
 * moves the pod to its target if that lies ahead ({@link PodStatus#isBehind}), one that is
 * "ignored" leaves the status as it is.
 *
 * <p>To add a move or a stage, add its row here: the class refuses to load while a
 * {@link PodMove} or a {@link Stage} has no row.
 */
public final class PodTransitions {

    /** How {@code evolve} folds a fact met in a status its row does not list. */
    enum OutOfOrder {
        /** Move to the row's target if it lies ahead of the current status. */
        ADVANCE,
        /** Leave the status as it is. */
        IGNORE
    }

    /**
     * One move's transitions.
     *
     * @param to         the status after the move, by the status it is made from; a status
     *                   absent is a status the move is not allowed from
     * @param target     where a fact of the move leads when met out of order, or null
     * @param outOfOrder how such a fact is folded
     */
    record Row(Map<PodStatus, PodStatus> to, PodStatus target, OutOfOrder outOfOrder) {
        Row {
            to = Collections.unmodifiableMap(to.isEmpty() ? new EnumMap<>(PodStatus.class) : new EnumMap<>(to));
        }

        boolean allows(PodStatus from) {
            return to.containsKey(from);
        }

        PodStatus after(PodStatus from) {
            PodStatus next = to.get(from);
            if (next != null) {
                return next;
            }
            return outOfOrder == OutOfOrder.ADVANCE && target != null && from.isBehind(target) ? target : from;
        }
    }

    private static final Map<PodMove, Row> MOVES = new EnumMap<>(PodMove.class);
    private static final Map<Stage, Row> FAILURES = new EnumMap<>(Stage.class);

    static {
        move(PodMove.CREATE, leads(Set.of(), EMBRYO));
        move(PodMove.RESOLVE_IMAGE, leads(EnumSet.of(EMBRYO), PREPARING));
        move(PodMove.RECORD_VERIFICATION, stays(EnumSet.of(PREPARING)));
        move(PodMove.RECORD_RENDERED, stays(EnumSet.of(PREPARING)));
        move(PodMove.PREPARE, leads(EnumSet.of(PREPARING), PREPARED));
        move(PodMove.START, leads(EnumSet.of(PREPARED), RUNNING));
        move(PodMove.RECORD_APP_EXIT, stays(EnumSet.of(RUNNING)));
        move(PodMove.REQUEST_LAUNCH, stays(EnumSet.of(EMBRYO, PREPARING, PREPARED)));
        move(PodMove.STOP, stays(EnumSet.of(RUNNING)));
        move(PodMove.RECORD_EXIT, leads(EnumSet.of(RUNNING), EXITED));
        move(PodMove.MARK_GARBAGE, leads(EnumSet.of(PREPARED, ABORTED_PREPARE, EXITED), GARBAGE));
        move(PodMove.REMOVE, leads(EnumSet.of(PREPARED, ABORTED_PREPARE, EXITED, GARBAGE), GARBAGE));
        move(PodMove.REQUEST_DELETE, stays(EnumSet.of(GARBAGE)));
        move(PodMove.DELETE, leads(EnumSet.of(GARBAGE), DELETED));
        Map<PodStatus, PodStatus> lost = new EnumMap<>(PodStatus.class);
        lost.put(EMBRYO, ABORTED_PREPARE);
        lost.put(PREPARING, ABORTED_PREPARE);
        lost.put(RUNNING, EXITED);
        move(PodMove.MARK_LOST, new Row(lost, null, OutOfOrder.IGNORE));
        move(PodMove.ADOPT, stays(EnumSet.of(EMBRYO, PREPARING, PREPARED, RUNNING)));

        for (Stage preparation : new Stage[] {Stage.FETCH, Stage.VERIFY, Stage.UNPACK, Stage.RENDER, Stage.PREPARE}) {
            failure(preparation, leads(EnumSet.of(EMBRYO, PREPARING), ABORTED_PREPARE));
        }
        // A launch refused before the pod was prepared (its requester died) aborts the preparation.
        failure(Stage.LAUNCH, new Row(Map.of(PREPARED, EXITED, EMBRYO, ABORTED_PREPARE, PREPARING, ABORTED_PREPARE),
                EXITED, OutOfOrder.IGNORE));
        failure(Stage.STOP, stays(EnumSet.of(RUNNING)));
        failure(Stage.RELEASE, stays(EnumSet.of(RUNNING)));
        failure(Stage.GC, stays(EnumSet.of(GARBAGE)));

        Map<PodStatus, PodStatus> anyFailure = new EnumMap<>(PodStatus.class);
        FAILURES.values().forEach(row -> row.to().keySet().forEach(s -> anyFailure.put(s, s)));
        move(PodMove.FAIL_STAGE, new Row(anyFailure, null, OutOfOrder.IGNORE));

        for (PodMove m : PodMove.values()) {
            if (!MOVES.containsKey(m)) {
                throw new ExceptionInInitializerError("PodTransitions has no row for move " + m);
            }
        }
        for (Stage s : Stage.values()) {
            if (!FAILURES.containsKey(s)) {
                throw new ExceptionInInitializerError("PodTransitions has no row for a failure of stage " + s);
            }
        }
    }

    private PodTransitions() {
    }

    /** Whether a pod in {@code from} may make {@code move} (further checks of {@code decide} may still refuse it). */
    public static boolean allows(PodMove move, PodStatus from) {
        return MOVES.get(move).allows(from);
    }

    /** Whether a failure of {@code stage} can be recorded for a pod in {@code from}. */
    public static boolean allowsFailure(Stage stage, PodStatus from) {
        return FAILURES.get(stage).allows(from);
    }

    /** The status after a fact of {@code move} is folded into a pod in {@code from}. */
    public static PodStatus after(PodMove move, PodStatus from) {
        return MOVES.get(move).after(from);
    }

    /** The status after a failure of {@code stage} is folded into a pod in {@code from}. */
    public static PodStatus afterFailure(Stage stage, PodStatus from) {
        return FAILURES.get(stage).after(from);
    }

    /** Whether some move is allowed from {@code from}: false only for a final status. */
    static boolean anyMoveFrom(PodStatus from) {
        return MOVES.values().stream().anyMatch(row -> row.allows(from));
    }

    /** Whether {@code to} can be reached from {@code from} by allowed moves (or is {@code from}). */
    static boolean reaches(PodStatus from, PodStatus to) {
        Set<PodStatus> seen = EnumSet.of(from);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Row row : MOVES.values()) {
                for (Map.Entry<PodStatus, PodStatus> step : row.to().entrySet()) {
                    if (seen.contains(step.getKey()) && seen.add(step.getValue())) {
                        grew = true;
                    }
                }
            }
        }
        return seen.contains(to);
    }

    private static void move(PodMove move, Row row) {
        MOVES.put(move, row);
    }

    private static void failure(Stage stage, Row row) {
        FAILURES.put(stage, row);
    }

    private static Row leads(Set<PodStatus> from, PodStatus to) {
        Map<PodStatus, PodStatus> moves = new EnumMap<>(PodStatus.class);
        from.forEach(s -> moves.put(s, to));
        return new Row(moves, to, OutOfOrder.ADVANCE);
    }

    private static Row stays(Set<PodStatus> from) {
        Map<PodStatus, PodStatus> moves = new EnumMap<>(PodStatus.class);
        from.forEach(s -> moves.put(s, s));
        return new Row(moves, null, OutOfOrder.IGNORE);
    }
}
