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
import dev.rkj.engine.pod.PodEvent.AppExited;
import dev.rkj.engine.pod.PodEvent.DeleteRequested;
import dev.rkj.engine.pod.PodEvent.LaunchRequested;
import dev.rkj.engine.pod.PodEvent.PodAdopted;
import dev.rkj.engine.pod.PodEvent.ImageRendered;
import dev.rkj.engine.pod.PodEvent.ImageResolved;
import dev.rkj.engine.pod.PodEvent.ImageVerified;
import dev.rkj.engine.pod.PodEvent.PodCreated;
import dev.rkj.engine.pod.PodEvent.PrivilegesGranted;
import dev.rkj.engine.pod.PodEvent.PodDeleted;
import dev.rkj.engine.pod.PodEvent.PodExited;
import dev.rkj.engine.pod.PodEvent.PodLost;
import dev.rkj.engine.pod.PodEvent.PodMarkedGarbage;
import dev.rkj.engine.pod.PodEvent.PodPrepared;
import dev.rkj.engine.pod.PodEvent.PodStarted;
import dev.rkj.engine.pod.PodEvent.PodStopRequested;
import dev.rkj.engine.pod.PodEvent.StageFailed;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.pod.PodState.AppStatus;
import dev.rkj.engine.pod.PodState.ImageVerification;
import dev.rkj.engine.pod.PodState.PodImage;
import dev.rkj.engine.pod.PodState.StageFailure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The pod lifecycle: {@link #decide} turns a command into the events to append (or refuses it),
 * {@link #evolve} folds an event into the state. Both are pure: no I/O, no clock.
 *
 * <h2>Transitions (rkt's)</h2>
 * The statuses are {@link PodTransitions}'s table, which both {@code decide} and {@code evolve}
 * read; this summary adds each command's event and its further checks.
 * <pre>
 * CreatePod          (none)            → embryo            PodCreated (+ PrivilegesGranted if the spec
 *                                                                            grants capabilities beyond the default
 *                                                                            or relaxes capabilities, paths, seccomp;
 *                                                                            + LaunchRequested for rkj run)
 * RequestLaunch      embryo, preparing, prepared → (same)  LaunchRequested   (requester must own the pod)
 * ResolveImage       embryo            → preparing         ImageResolved
 * RecordVerification preparing         → preparing         ImageVerified     (needs resolved image;
 *                                                                            skipping needs --insecure-options=image)
 * RecordRendered     preparing         → preparing         ImageRendered     (needs verification)
 * PreparePod         preparing         → prepared          PodPrepared       (needs rendered image)
 * StartPod           prepared          → running           PodStarted
 * RecordAppExit      running           → running           AppExited         (app must be started)
 * StopPod            running           → running           PodStopRequested  (the owner then stops it)
 * RecordExit         running           → exited            PodExited
 * MarkGarbage        prepared, aborted prepare, exited → garbage   PodMarkedGarbage   (never a started pod
 *                                                                            before its exit; optionally only
 *                                                                            while owned by a given engine)
 * RemovePod          same as MarkGarbage, reason "removed with rkj rm"
 * RequestDelete      garbage           → garbage           DeleteRequested
 * DeletePod          garbage           → deleted           PodDeleted
 * FailStage          fetch..prepare: embryo, preparing → aborted prepare;
 *                    launch: prepared → exited, embryo, preparing → aborted prepare (a refused launch);
 *                    stop: running (stop request cleared);
 *                    release: running (stays, its exit follows);
 *                    gc: garbage (stays, delete request cleared)   StageFailed
 * MarkLost           embryo, preparing → aborted prepare;  running → exited   PodLost
 *                    (optionally only while owned by a given engine)
 * AdoptPod           embryo, preparing, prepared, running (status unchanged)  PodAdopted
 *                    (refused if the owner is no longer the one the adopter saw)
 * </pre>
 * A retryable preparation failure still aborts the pod: stages retry inside themselves before
 * reporting, and {@code retryable} tells the user that running the pod again may work.
 *
 * <h2>Garbage: decided against the latest state</h2>
 * A pod with a launch on record (a {@code pod.started}: it has a stage1 pid) is never marked
 * garbage until its exit is recorded; {@code MarkGarbage} and {@code RemovePod} are refused for
 * it. Callers record through {@code PodRecorder}, which decides against the pod's state at a known
 * journal index and appends only if the pod has not changed since (across processes), deciding
 * again otherwise: so gc cannot mark garbage a pod whose start it has not seen.
 *
 * <h2>A pod abandoned mid-preparation</h2>
 * The one rule: a pod in embryo or preparing whose owner engine is gone (its engine lock is free)
 * is abandoned. A short-lived engine (a CLI command that does not watch orphans) never adopts or
 * resumes it. Once it has not changed for longer than gc's grace period, gc records
 * {@code MarkLost} (→ aborted prepare) and {@code MarkGarbage}, both only while the pod is still
 * owned by that gone engine, then deletes it (unmounts what is mounted, removes its directory): so
 * {@code rkj gc --grace-period=0s} run once removes it. A recovering engine that watches orphans
 * may adopt it first and resume its preparation; adoption and gc's commands are compare-and-set on
 * the owner, so exactly one of them acts. A prepared pod expires ({@code --expire-prepared}) in
 * the gc of its owner engine, or of any engine once its owner is gone; never in another live
 * engine's gc (that owner may be about to run it).
 *
 * <h2>Idempotence (at-least-once delivery)</h2>
 * A command whose fact the pod's history already holds decides <em>no events</em> instead of a
 * refusal, whatever the pod's status is now: a stage's outcome delivered twice, or late, is
 * harmless. "Already holds" means: the same spec was created; the same image id was resolved;
 * the same image id got the same verified flag; the same tree was rendered; the same pod
 * manifest digest was prepared; the same stage1 pid and owner started; the same
 * app exit (code, signal, oom); the same pod exit code; while running, a stop of at least this
 * force is pending; the same engine asked to launch it; the same engine asked to delete it, or it
 * is deleted; the pod was marked garbage (for MarkGarbage and RemovePod, whatever the
 * reason); the pod was deleted; the same failure (stage, reason, retryable) is the last one and
 * its effect holds (a failed stop or deletion is not pending again); the pod was lost; the adopting engine
 * already owns the pod. A command
 * contradicting a recorded fact (another image id, another exit code) is refused.
 *
 * <h2>Evolve</h2>
 * {@code evolve} applies every fact as written and never throws for odd orders (only for an
 * event of another pod): the journal is the truth, even if two processes raced. A pod's status
 * only moves forward along the lifecycle, so a late fact (a duplicate render after the pod
 * started) updates fields but never moves it back.
 */
public final class PodLifecycle {

    private PodLifecycle() {
    }

    /**
     * The events that record {@code command} on the pod in {@code state}: usually one, none when
     * the command's fact is already recorded (see the class comment).
     *
     * @param state the pod's current state, {@link PodState#initial(String)} for a new pod
     * @throws IllegalPodTransition if the pod's state does not allow the command
     * @throws IllegalArgumentException if {@code command} is for another pod than {@code state}
     */
    public static List<PodEvent> decide(PodCommand command, PodState state) throws IllegalPodTransition {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(state, "state");
        if (!command.podId().equals(state.podId())) {
            throw new IllegalArgumentException("command " + command + " is for pod " + command.podId()
                    + ", not for pod " + state.podId());
        }
        if (command instanceof CreatePod c) {
            return create(c, state);
        } else if (command instanceof ResolveImage c) {
            return resolveImage(c, state);
        } else if (command instanceof RecordVerification c) {
            return recordVerification(c, state);
        } else if (command instanceof RecordRendered c) {
            return recordRendered(c, state);
        } else if (command instanceof PreparePod c) {
            return prepare(c, state);
        } else if (command instanceof StartPod c) {
            return start(c, state);
        } else if (command instanceof RecordAppExit c) {
            return recordAppExit(c, state);
        } else if (command instanceof RequestLaunch c) {
            return requestLaunch(c, state);
        } else if (command instanceof StopPod c) {
            return stop(c, state);
        } else if (command instanceof RecordExit c) {
            return recordExit(c, state);
        } else if (command instanceof MarkGarbage c) {
            return markGarbage(c, c.reason(), state);
        } else if (command instanceof RemovePod c) {
            return markGarbage(c, RemovePod.REASON, state);
        } else if (command instanceof RequestDelete c) {
            return requestDelete(c, state);
        } else if (command instanceof DeletePod c) {
            return delete(c, state);
        } else if (command instanceof FailStage c) {
            return failStage(c, state);
        } else if (command instanceof MarkLost c) {
            return markLost(c, state);
        } else if (command instanceof AdoptPod c) {
            return adopt(c, state);
        }
        throw new AssertionError("PodLifecycle.decide does not handle " + command.getClass().getName());
    }

    /**
     * Checks that the pod's status allows {@code move}, before a caller does side effects that
     * end in that move (e.g. {@code rkj run-prepared} checks {@link PodMove#START} before
     * launching). {@link #decide} makes the same check and more.
     *
     * @throws IllegalPodTransition if the status does not allow the move
     */
    public static void check(PodState state, PodMove move) throws IllegalPodTransition {
        if (move == PodMove.CREATE) {
            if (state.exists()) {
                throw refuse(state, move, move.refusal(state.status(), state.podId()));
            }
            return;
        }
        if (!state.exists()) {
            throw new IllegalPodTransition(state.podId(), null, move, "it was never created");
        }
        if (!move.allowedFrom(state.status())) {
            throw refuse(state, move, move.refusal(state.status(), state.podId()));
        }
    }

    /**
     * The pod's state after {@code event}, recorded at {@code time} (the journal envelope's).
     *
     * @throws IllegalArgumentException if {@code event} is for another pod than {@code state}
     */
    public static PodState evolve(PodState state, PodEvent event, Instant time) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(time, "time");
        if (!event.podId().equals(state.podId())) {
            throw new IllegalArgumentException("event " + event + " is for pod " + event.podId()
                    + ", not for pod " + state.podId());
        }
        PodState.Builder next = state.toBuilder().applied(time);
        event = PodEvent.current(event);
        if (event instanceof PodCreated e) {
            next.advanceTo(after(PodMove.CREATE, next), time).spec(e.spec()).owner(e.owner());
        } else if (event instanceof ImageResolved e) {
            next.advanceTo(after(PodMove.RESOLVE_IMAGE, next), time).images(images(e));
        } else if (event instanceof ImageVerified e) {
            next.verification(e.imageId(), new ImageVerification(e.verified(), e.reason()));
        } else if (event instanceof ImageRendered e) {
            next.tree(e.imageId(), e.treeId());
        } else if (event instanceof PodPrepared e) {
            next.advanceTo(after(PodMove.PREPARE, next), time).prepared(e.manifestDigest());
        } else if (event instanceof PodStarted e) {
            next.advanceTo(after(PodMove.START, next), time).stage1Pid(e.stage1Pid()).owner(e.owner())
                    .isolators(e.isolators()).warnings(e.warnings()).networks(e.networks());
            e.appPids().forEach((app, pid) -> {
                AppStatus known = next.app(app).orElse(null);
                next.app(known == null
                        ? new AppStatus(app, pid, null, null, false, null)
                        : new AppStatus(app, pid, known.exitCode(), known.signal(), known.oomKilled(), known.exitedAt()));
            });
        } else if (event instanceof AppExited e) {
            Long pid = next.app(e.app()).map(AppStatus::pid).orElse(null);
            next.app(new AppStatus(e.app(), pid, e.exitCode(), e.signal(), e.oomKilled(), time));
        } else if (event instanceof LaunchRequested e) {
            next.launchRequestedBy(e.requester());
        } else if (event instanceof DeleteRequested e) {
            next.deleteRequestedBy(e.requester());
        } else if (event instanceof PodStopRequested e) {
            next.stopRequested(true, e.force() || next.forceStop());
        } else if (event instanceof PodExited e) {
            next.advanceTo(after(PodMove.RECORD_EXIT, next), time).exit(e.exitCode(), e.reason());
        } else if (event instanceof PodMarkedGarbage e) {
            next.advanceTo(after(PodMove.MARK_GARBAGE, next), time).garbageReason(e.reason());
        } else if (event instanceof PodDeleted) {
            next.advanceTo(after(PodMove.DELETE, next), time);
        } else if (event instanceof StageFailed e) {
            next.failure(new StageFailure(e.stage(), e.reason(), e.retryable(), time));
            next.advanceTo(PodTransitions.afterFailure(e.stage(), next.status()), time);
            if (e.stage() == Stage.STOP) {
                next.stopRequested(false, false);
            } else if (e.stage() == Stage.GC) {
                next.deleteRequestedBy(null);
            }
        } else if (event instanceof PodLost e) {
            next.lostReason(e.reason());
            next.advanceTo(after(PodMove.MARK_LOST, next), time);
        } else if (event instanceof PrivilegesGranted) {
            // a record of who granted what; the spec in PodCreated already says what the pod gets
        } else if (event instanceof PodAdopted e) {
            // Compare-and-set: of two engines racing to adopt, the first in the journal wins.
            if (Objects.equals(next.owner(), e.previousOwner())) {
                next.owner(e.owner());
            }
        } else {
            throw new AssertionError("PodLifecycle.evolve does not handle " + event.getClass().getName());
        }
        return next.build();
    }

    /** The status a fact of {@code move} leads the pod to, from the one transition table. */
    private static PodStatus after(PodMove move, PodState.Builder pod) {
        return PodTransitions.after(move, pod.status());
    }

    private static List<PodEvent> create(CreatePod c, PodState s) throws IllegalPodTransition {
        if (s.exists() && c.spec().equals(s.spec())) {
            return List.of();
        }
        check(s, c.move());
        List<PodEvent> events = new ArrayList<>(3);
        events.add(new PodCreated(c.podId(), c.spec(), c.owner(), c.grantor()));
        if (c.spec().grantsPrivileges()) {
            events.add(new PrivilegesGranted(c.podId(), c.spec().grantedCapabilities(), c.spec().relaxations(),
                    c.grantor()));
        }
        if (c.launch()) {
            events.add(new LaunchRequested(c.podId(), c.owner(), c.grantor()));
        }
        return List.copyOf(events);
    }

    private static List<PodEvent> requestLaunch(RequestLaunch c, PodState s) throws IllegalPodTransition {
        if (c.requester().equals(s.launchRequestedBy())) {
            return List.of();
        }
        check(s, c.move());
        if (!c.requester().equals(s.owner())) {
            throw refuse(s, c.move(), "it is driven by " + s.owner() + ", not by " + c.requester()
                    + "; adopt it before asking to launch it");
        }
        return List.of(new LaunchRequested(c.podId(), c.requester(), c.grantor()));
    }

    private static List<PodEvent> requestDelete(RequestDelete c, PodState s) throws IllegalPodTransition {
        if (c.requester().equals(s.deleteRequestedBy()) || s.status() == PodStatus.DELETED) {
            return List.of();
        }
        check(s, c.move());
        return List.of(new DeleteRequested(c.podId(), c.requester(), c.grantor()));
    }

    private static List<PodEvent> resolveImage(ResolveImage c, PodState s) throws IllegalPodTransition {
        ImageResolved resolved = new ImageResolved(c.podId(), c.images());
        List<PodImage> images = images(resolved);
        if (!s.images().isEmpty() && ids(s.images()).equals(ids(images))) {
            return List.of();
        }
        if (!s.images().isEmpty()) {
            throw refuse(s, c.move(), "its images are already resolved to " + String.join(", ", ids(s.images())));
        }
        check(s, c.move());
        if (s.spec() != null && s.spec().apps().size() != images.size()) {
            throw refuse(s, c.move(), "it has " + s.spec().apps().size() + " apps, but " + images.size()
                    + " images were resolved");
        }
        return List.of(resolved);
    }

    private static List<PodImage> images(ImageResolved e) {
        return e.images().stream().map(i -> new PodImage(i.imageId(), i.imageName(), i.source())).toList();
    }

    private static List<String> ids(List<PodImage> images) {
        return images.stream().map(PodImage::id).toList();
    }

    private static List<PodEvent> recordVerification(RecordVerification c, PodState s) throws IllegalPodTransition {
        ImageVerification v = s.verifications().get(c.imageId());
        if (v != null && v.verified() == c.verified() && isImage(s, c.imageId())) {
            return List.of();
        }
        check(s, c.move());
        requireImage(s, c.move(), c.imageId(), "verified");
        if (v != null) {
            throw refuse(s, c.move(), "its image's verification is already recorded: "
                    + (v.verified() ? "verified, " : "not verified, ") + v.reason());
        }
        if (!c.verified() && !s.spec().allows(InsecureOption.IMAGE)) {
            throw refuse(s, c.move(), "skipping verification needs --insecure-options=image;"
                    + " record a verify failure instead");
        }
        return List.of(new ImageVerified(c.podId(), c.imageId(), c.verified(), c.reason(), c.keyFingerprint(),
                c.trustedPrefix()));
    }

    private static List<PodEvent> recordRendered(RecordRendered c, PodState s) throws IllegalPodTransition {
        String tree = s.trees().get(c.imageId());
        if (c.treeId().equals(tree) && isImage(s, c.imageId())) {
            return List.of();
        }
        check(s, c.move());
        requireImage(s, c.move(), c.imageId(), "rendered");
        if (!s.verifications().containsKey(c.imageId())) {
            throw refuse(s, c.move(), "its image " + c.imageId() + " is not verified yet; an image is rendered only after"
                    + " its verification");
        }
        if (tree != null) {
            throw refuse(s, c.move(), "its image is already rendered as tree " + tree);
        }
        return List.of(new ImageRendered(c.podId(), c.imageId(), c.treeId()));
    }

    private static List<PodEvent> prepare(PreparePod c, PodState s) throws IllegalPodTransition {
        if (c.manifestDigest().equals(s.manifestDigest())) {
            return List.of();
        }
        check(s, c.move());
        if (s.treeId() == null) {
            throw refuse(s, c.move(), "its images are not all rendered yet; a pod is prepared only after its images are rendered");
        }
        return List.of(new PodPrepared(c.podId(), c.manifestDigest()));
    }

    private static List<PodEvent> start(StartPod c, PodState s) throws IllegalPodTransition {
        if (s.stage1Pid() != null && s.stage1Pid() == c.stage1Pid() && c.owner().equals(s.owner())) {
            return List.of();
        }
        check(s, c.move());
        return List.of(new PodStarted(c.podId(), c.stage1Pid(), c.appPids(), c.owner(), c.isolators(), c.warnings(),
                c.networks()));
    }

    private static List<PodEvent> recordAppExit(RecordAppExit c, PodState s) throws IllegalPodTransition {
        AppStatus app = s.apps().get(c.app());
        if (app != null && app.hasExited() && app.exitCode() == c.exitCode()
                && Objects.equals(app.signal(), c.signal()) && app.oomKilled() == c.oomKilled()) {
            return List.of();
        }
        check(s, c.move());
        if (app == null) {
            throw refuse(s, c.move(), "it has no app named " + c.app() + "; its apps are " + String.join(", ", s.apps().keySet()));
        }
        if (app.hasExited()) {
            throw refuse(s, c.move(), "app " + c.app() + " already exited with code " + app.exitCode());
        }
        return List.of(new AppExited(c.podId(), c.app(), c.exitCode(), c.signal(), c.oomKilled()));
    }

    private static List<PodEvent> stop(StopPod c, PodState s) throws IllegalPodTransition {
        check(s, c.move());
        if (s.stopRequested() && (s.forceStop() || !c.force())) {
            return List.of();
        }
        return List.of(new PodStopRequested(c.podId(), c.force(), c.grantor()));
    }

    private static List<PodEvent> recordExit(RecordExit c, PodState s) throws IllegalPodTransition {
        if (s.exitCode() != null && s.exitCode() == c.exitCode()) {
            return List.of();
        }
        check(s, c.move());
        return List.of(new PodExited(c.podId(), c.exitCode(), c.reason(), c.networksRemoved()));
    }

    private static List<PodEvent> markGarbage(PodCommand c, String reason, PodState s) throws IllegalPodTransition {
        if (s.garbageReason() != null) {
            return List.of();
        }
        check(s, c.move()); // a running pod is refused here, in the words of PodMove
        if (s.stage1Pid() != null && s.status() != PodStatus.EXITED) {
            throw refuse(s, c.move(), "it was started (stage1 " + s.stage1Pid() + ") and has not exited: a started"
                    + " pod becomes garbage only after its exit is recorded; stop it first");
        }
        if (c instanceof MarkGarbage m) {
            requireOwner(s, c.move(), m.whileOwnedBy());
        }
        return List.of(new PodMarkedGarbage(c.podId(), reason));
    }

    /** Refuses when {@code expected} is given and the pod is no longer owned by it (another engine adopted it). */
    private static void requireOwner(PodState s, PodMove move, PodOwner expected) throws IllegalPodTransition {
        if (expected != null && !expected.equals(s.owner())) {
            throw refuse(s, move, "its owner is now " + s.owner() + ", not " + expected
                    + " (the engine it was decided about): another engine adopted it");
        }
    }

    private static List<PodEvent> delete(DeletePod c, PodState s) throws IllegalPodTransition {
        if (s.status() == PodStatus.DELETED) {
            return List.of();
        }
        check(s, c.move());
        return List.of(new PodDeleted(c.podId(), c.networksRemoved()));
    }

    private static List<PodEvent> failStage(FailStage c, PodState s) throws IllegalPodTransition {
        StageFailure last = s.failure();
        boolean recorded = last != null && last.stage() == c.stage() && last.reason().equals(c.reason())
                && last.retryable() == c.retryable();
        // A failed stop or gc clears the pending request; a new request may fail the same way again.
        boolean effectHolds = switch (c.stage()) {
            case STOP -> !s.stopRequested();
            case GC -> s.deleteRequestedBy() == null;
            default -> true;
        };
        if (recorded && effectHolds) {
            return List.of();
        }
        check(s, c.move());
        if (!c.stage().canFailIn(s.status())) {
            throw refuse(s, c.move(), "a " + c.stage().displayName() + " failure happens only " + c.stage().whenItCanFail());
        }
        return List.of(new StageFailed(c.podId(), c.stage(), c.reason(), c.retryable()));
    }

    private static List<PodEvent> markLost(MarkLost c, PodState s) throws IllegalPodTransition {
        if (s.lost()) {
            return List.of();
        }
        check(s, c.move());
        requireOwner(s, c.move(), c.whileOwnedBy());
        return List.of(new PodLost(c.podId(), c.reason()));
    }

    private static List<PodEvent> adopt(AdoptPod c, PodState s) throws IllegalPodTransition {
        if (c.owner().equals(s.owner())) {
            return List.of();
        }
        check(s, c.move());
        if (!Objects.equals(s.owner(), c.previousOwner())) {
            throw refuse(s, c.move(), "its owner is now " + s.owner() + ", not " + c.previousOwner()
                    + "; look at the pod again before adopting it");
        }
        return List.of(new PodAdopted(c.podId(), c.previousOwner(), c.owner(), c.reason()));
    }

    private static boolean isImage(PodState s, String imageId) {
        return ids(s.images()).contains(imageId);
    }

    private static void requireImage(PodState s, PodMove move, String imageId, String what) throws IllegalPodTransition {
        if (s.images().isEmpty()) {
            throw refuse(s, move, "its image is not resolved yet");
        }
        if (!isImage(s, imageId)) {
            throw refuse(s, move, "the image " + what + ", " + imageId + ", is not one of the pod's images "
                    + String.join(", ", ids(s.images())));
        }
    }

    private static IllegalPodTransition refuse(PodState s, PodMove move, String why) {
        return new IllegalPodTransition(s.podId(), s.status(), move, why);
    }
}
