package dev.rkj.engine.stage;

import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.PodCommand;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodLifecycle;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.pod.PodState;
import dev.rkj.eventlog.AppendConflict;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The engine's one way to write about pods: decides a {@link PodCommand} with
 * {@link PodLifecycle#decide} against the pod's state in the one {@link PodProjection}, and
 * appends the events only if no one (this process or another) changed the pod since.
 *
 * <h2>Deciding against the latest state</h2>
 * A decision is made against the projection at a known index: the projection's next index is
 * read first, then the pod's state, so the state holds at least every envelope below that index.
 * The events are appended with {@link Journal#appendIfUnchanged}: if the pod has an envelope at
 * or after that index, nothing is appended ({@link AppendConflict}); the recorder then catches the
 * projection up from the journal and decides again, at most {@link #ATTEMPTS} times. So a command
 * is never decided against a stale state, across processes (e.g. gc never marks garbage a pod
 * whose {@code pod.started} it has not seen). A refusal is final only against the latest state: if
 * the journal has grown past the decision index, the recorder catches up and decides again.
 *
 * <h2>One current state</h2>
 * After its append succeeds, the recorder folds the journal up to and including its own events
 * into the projection through the dispatcher, on the recording thread, before {@link #record}
 * returns: the projection is this process's only state, there is no cache beside it. The tail
 * delivers the same envelopes later; the projection folds by index and skips what it has folded,
 * so each change is delivered to listeners and subscribers exactly once (by whichever of the two
 * folded it first).
 *
 * <p>Thread-safe: {@link #record} is serialized.
 */
public final class PodRecorder {
    /** How many times a command is decided before the recorder gives up on a pod that keeps changing. */
    static final int ATTEMPTS = 16;

    private final Journal journal;
    private final PodEventDispatcher dispatcher;
    private final PodProjection projection;
    private final List<BiConsumer<String, JournalException>> failureListeners = new CopyOnWriteArrayList<>();

    /**
     * @param journal    the journal to append to
     * @param dispatcher folds the journal into its projection and delivers the changes; the recorder
     *                   decides against that projection
     */
    public PodRecorder(Journal journal, PodEventDispatcher dispatcher) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.projection = dispatcher.projection();
    }

    /**
     * Calls {@code listener} with the pod and the error whenever an append about a pod fails (a
     * full disk, say), so that whoever waits for that pod's next state hears of it instead of
     * waiting for an event that will not come. Called on the recording thread: quick, non-blocking.
     */
    public void onJournalFailure(BiConsumer<String, JournalException> listener) {
        failureListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The projection the recorder decides against. */
    public PodProjection projection() {
        return projection;
    }

    /**
     * Decides {@code command} against the pod's latest state and appends its events if the pod has
     * not changed since; on a change, catches up and decides again. When this returns, the events
     * are folded into the projection and their changes delivered.
     *
     * @return what was appended (nothing if the fact was already recorded) and the pod's state after
     * @throws IllegalPodTransition if the pod's latest state does not allow the command (checked
     *                              against the whole journal before it is thrown)
     * @throws JournalException     if the journal cannot be read or written, or the pod changed
     *                              under each of {@link #ATTEMPTS} decisions (nothing was appended)
     */
    public Recorded record(PodCommand command) throws IllegalPodTransition, JournalException {
        return record(command, null);
    }

    /**
     * As {@link #record(PodCommand)}, running {@code appended} (if not null) once the events are in the
     * journal and before they are folded in, so before anything in this process is told of them (a
     * crash point: the crash then leaves the facts in the journal and no one here acting on them).
     */
    public synchronized Recorded record(PodCommand command, Runnable appended)
            throws IllegalPodTransition, JournalException {
        String podId = command.podId();
        try {
            for (int attempt = 1; ; attempt++) {
                long decidedAt = projection.nextIndex(); // first: the state read next holds everything below it
                PodState state = current(podId);
                List<PodEvent> events;
                try {
                    events = PodLifecycle.decide(command, state);
                } catch (IllegalPodTransition refused) {
                    if (attempt < ATTEMPTS && journal.nextIndex() > decidedAt) {
                        dispatcher.catchUp(); // refused against a state the journal has moved past: look again
                        continue;
                    }
                    throw refused;
                }
                if (events.isEmpty()) {
                    return new Recorded(List.of(), state);
                }
                List<Record> records = new ArrayList<>(events.size());
                for (PodEvent event : events) {
                    records.add((Record) event); // every PodEvent is a record
                }
                List<Envelope> envelopes;
                try {
                    envelopes = journal.appendIfUnchanged(podId, decidedAt, records);
                } catch (AppendConflict conflict) {
                    if (attempt == ATTEMPTS) {
                        throw new JournalException("pod " + podId + " changed under each of " + ATTEMPTS + " attempts"
                                + " to record " + command.getClass().getSimpleName() + " (last at journal index "
                                + conflict.newerIndex() + "): other processes keep changing it; retry", conflict);
                    }
                    dispatcher.catchUp();
                    continue;
                }
                if (appended != null) {
                    appended.run();
                }
                PodState next = state;
                for (Envelope env : envelopes) {
                    next = PodLifecycle.evolve(next, (PodEvent) env.event(), env.time());
                }
                dispatcher.fold(envelopes);
                return new Recorded(envelopes, next);
            }
        } catch (JournalException e) {
            for (BiConsumer<String, JournalException> listener : failureListeners) {
                listener.accept(podId, e);
            }
            throw e;
        }
    }

    /**
     * The pod's latest state as this process knows it: the projection's, which holds every append
     * this recorder has made. {@link PodState#initial} for a pod never created.
     */
    public PodState current(String podId) {
        return projection.get(podId).orElseGet(() -> PodState.initial(podId));
    }

    /**
     * What one {@link #record} call appended.
     *
     * @param envelopes the appended envelopes, in order; empty if the fact was already recorded
     * @param state     the pod's state after them
     */
    public record Recorded(List<Envelope> envelopes, PodState state) {
        public Recorded {
            envelopes = List.copyOf(envelopes);
        }

        /** Whether nothing was appended. */
        public boolean isEmpty() {
            return envelopes.isEmpty();
        }

        /** The index of the last appended envelope, or -1 if none. */
        public long lastIndex() {
            return envelopes.isEmpty() ? -1 : envelopes.get(envelopes.size() - 1).index();
        }
    }
}
