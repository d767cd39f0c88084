package dev.rkj.engine.pod;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every pod's current state, folded in memory from the journal: fed by replay at start and by
 * the tail afterwards, one entry at a time, in journal order.
 *
 * <p>Takes plain values ({@code aggregateId, event, time, index}) rather than the journal's
 * envelope so that it depends on nothing but this package; feed it with
 * {@code apply(env.aggregateId(), env.event(), env.time(), env.index())}. Entries that are not
 * {@link PodEvent}s (other aggregates, events this build does not know) only advance
 * {@link #nextIndex()}.
 *
 * <p>Thread-safety: entries are applied in index order, under the engine's fold lock (the journal's
 * tail and a recorder folding its own appends; see {@code PodEventDispatcher}), and {@link #apply}
 * skips an index already applied; any thread may read, and sees
 * each pod's state as of some applied entry.
 */
public final class PodProjection {
    private static final Comparator<PodState> BY_CREATION = Comparator
            .comparing((PodState s) -> s.createdAt().orElse(Instant.MAX))
            .thenComparing(PodState::podId);

    private final Map<String, PodState> pods = new ConcurrentHashMap<>();
    private volatile long nextIndex;

    /** An empty projection: nothing folded yet. */
    public PodProjection() {
    }

    /**
     * The projection as it was after the entries below {@code nextIndex}, given every pod's state
     * then (a projection snapshot; {@link #all()} is what to save).
     *
     * @throws IllegalArgumentException if {@code nextIndex} is negative or two states share a pod id
     */
    public PodProjection(java.util.Collection<PodState> states, long nextIndex) {
        if (nextIndex < 0) {
            throw new IllegalArgumentException("a projection's next index must be 0 or more, got " + nextIndex);
        }
        for (PodState s : states) {
            if (pods.putIfAbsent(s.podId(), s) != null) {
                throw new IllegalArgumentException("pod " + s.podId() + " appears twice in the saved projection");
            }
        }
        this.nextIndex = nextIndex;
    }

    /**
     * Folds one journal entry in. An entry whose index was already applied (a replay overlapping
     * the tail) is skipped, so feeding the same entry twice is harmless.
     *
     * @return the pod's new state, or empty if the entry was skipped or is not a pod event
     * @throws IllegalArgumentException if a pod event's pod id is not its aggregate id
     */
    public synchronized Optional<PodState> apply(String aggregateId, Object event, Instant time, long index) {
        Objects.requireNonNull(time, "time");
        if (index < nextIndex) {
            return Optional.empty();
        }
        if (!(event instanceof PodEvent podEvent)) {
            nextIndex = index + 1;
            return Optional.empty();
        }
        if (!podEvent.podId().equals(aggregateId)) {
            throw new IllegalArgumentException("journal entry " + index + " is stored under aggregate " + aggregateId
                    + " but its event is for pod " + podEvent.podId() + ": " + event);
        }
        PodState state = pods.getOrDefault(aggregateId, PodState.initial(aggregateId));
        PodState next = PodLifecycle.evolve(state, podEvent, time);
        pods.put(aggregateId, next);
        nextIndex = index + 1;
        return Optional.of(next);
    }

    /** The index after the last entry applied: where a tail should resume. */
    public long nextIndex() {
        return nextIndex;
    }

    /** The pod with this full id, deleted ones included. */
    public Optional<PodState> get(String podId) {
        return Optional.ofNullable(pods.get(podId));
    }

    /** The pods {@code rkj list} shows (all but deleted ones), oldest first. */
    public List<PodState> list() {
        List<PodState> listed = new ArrayList<>();
        for (PodState s : pods.values()) {
            if (s.status().isListed()) {
                listed.add(s);
            }
        }
        listed.sort(BY_CREATION);
        return listed;
    }

    /** Every pod the journal knows, deleted ones included, oldest first. */
    public List<PodState> all() {
        List<PodState> all = new ArrayList<>(pods.values());
        all.sort(BY_CREATION);
        return all;
    }

    /**
     * The one pod whose id starts with {@code prefix} (case-insensitive), among the pods
     * {@code rkj list} shows; a full id also finds a deleted pod.
     *
     * @throws NoSuchPodException      if no pod matches
     * @throws AmbiguousPodIdException if several do, listing them
     * @throws IllegalArgumentException if {@code prefix} is empty
     */
    public PodState resolvePrefix(String prefix) throws PodLookupException {
        return resolvePrefix(prefix, false);
    }

    /**
     * As {@link #resolvePrefix(String)}, with deleted pods matched by prefix too when
     * {@code includeDeleted} (for {@code rkj journal show}).
     */
    public PodState resolvePrefix(String prefix, boolean includeDeleted) throws PodLookupException {
        String wanted = Objects.requireNonNull(prefix, "prefix").trim().toLowerCase(Locale.ROOT);
        if (wanted.isEmpty()) {
            throw new NoSuchPodException(prefix);
        }
        PodState exact = pods.get(wanted);
        if (exact != null) {
            return exact;
        }
        List<String> matches = new ArrayList<>();
        for (PodState s : pods.values()) {
            if (s.podId().startsWith(wanted) && (includeDeleted || s.status().isListed())) {
                matches.add(s.podId());
            }
        }
        if (matches.isEmpty()) {
            throw new NoSuchPodException(prefix);
        }
        if (matches.size() > 1) {
            matches.sort(Comparator.naturalOrder());
            throw new AmbiguousPodIdException(prefix, matches);
        }
        return pods.get(matches.get(0));
    }
}
