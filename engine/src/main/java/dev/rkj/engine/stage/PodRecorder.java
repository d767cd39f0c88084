package dev.rkj.engine.stage;

import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.PodCommand;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodLifecycle;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.pod.PodState;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The engine's one way to write about pods: decides a {@link PodCommand} with
 * {@link PodLifecycle#decide} against the pod's latest state and appends the events, so an
 * illegal move is refused and a fact already recorded is not written twice.
 *
 * <p>"Latest state" is the projection's, or, until the journal's tail has folded in what this
 * recorder appended, the state right after those appends: two writers of this process (a stage
 * outcome and a user's command) never decide against a stale state. Writers in other processes
 * are ordered by the journal; the lifecycle's idempotence and compare-and-set adoption keep their
 * races harmless.
 *
 * <p>Thread-safe: {@link #record} is serialized.
 */
public final class PodRecorder {
    private final Journal journal;
    private final PodProjection projection;
    private final Map<String, Written> written = new HashMap<>();
    private final List<BiConsumer<String, JournalException>> failureListeners = new CopyOnWriteArrayList<>();

    public PodRecorder(Journal journal, PodProjection projection) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.projection = Objects.requireNonNull(projection, "projection");
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
     * Decides {@code command} and appends its events.
     *
     * @return what was appended (nothing if the fact was already recorded) and the pod's state after
     * @throws IllegalPodTransition if the pod's state does not allow the command
     * @throws JournalException     if the journal cannot be written (nothing was appended)
     */
    public synchronized Recorded record(PodCommand command) throws IllegalPodTransition, JournalException {
        PodState state = current(command.podId());
        List<PodEvent> events = PodLifecycle.decide(command, state);
        if (events.isEmpty()) {
            return new Recorded(List.of(), state);
        }
        List<Record> records = new ArrayList<>(events.size());
        for (PodEvent event : events) {
            records.add((Record) event); // every PodEvent is a record
        }
        List<Envelope> envelopes;
        try {
            envelopes = journal.appendAll(command.podId(), records);
        } catch (JournalException e) {
            for (BiConsumer<String, JournalException> listener : failureListeners) {
                listener.accept(command.podId(), e);
            }
            throw e;
        }
        PodState next = state;
        for (Envelope env : envelopes) {
            next = PodLifecycle.evolve(next, (PodEvent) env.event(), env.time());
        }
        long last = envelopes.get(envelopes.size() - 1).index();
        written.values().removeIf(w -> w.lastIndex < projection.nextIndex());
        written.put(command.podId(), new Written(next, last));
        return new Recorded(envelopes, next);
    }

    /**
     * The pod's latest state as this process knows it: the projection's, or the state after this
     * recorder's own appends if the projection has not folded them in yet. {@link PodState#initial}
     * for a pod never created.
     */
    public synchronized PodState current(String podId) {
        Written w = written.get(podId);
        if (w != null) {
            if (projection.nextIndex() <= w.lastIndex) {
                return w.state;
            }
            written.remove(podId);
        }
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

    private record Written(PodState state, long lastIndex) {
    }
}
