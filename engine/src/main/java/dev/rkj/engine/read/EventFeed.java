package dev.rkj.engine.read;

import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.snapshot.Snapshots;
import dev.rkj.eventlog.JournalPruned;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.store.ImageEvent;
import dev.rkj.engine.store.ImageIndex;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A subscriber's cursor over the journal: the envelopes after an index, filtered, each with the
 * state of its aggregate after it, read in journal order at the subscriber's own pace.
 *
 * <p>The journal index is the cursor, so nothing is buffered on the writers' side: a slow
 * subscriber reads later, never makes an append wait, and a subscriber that comes back with the
 * last index it saw ({@code after}) gets every later envelope exactly once, across disconnects and
 * engine restarts alike.
 *
 * <p>Pulled, not pushed: {@link #poll} scans at most a given number of envelopes from
 * {@link #position()} and returns those the filter keeps, so one call's work is bounded however
 * long the journal is; an empty result with {@link #caughtUp()} means the subscriber has everything
 * the journal held when it asked. The position moves over envelopes the filter drops as well, so
 * a filtered subscriber's cursor ({@link #lastScanned()}) keeps moving.
 *
 * <p>The state after an event is the one fold the engine uses ({@link PodProjection#apply},
 * {@link ImageIndex#apply}), begun at index 0: an aggregate's state does not depend on where the
 * subscription started. An image's state is empty after its removal; other aggregates have none.
 *
 * <p>Not thread-safe: one subscriber's cursor, used by one thread at a time.
 */
public final class EventFeed {
    private final Journal journal;
    private final Filter filter;
    private final PodProjection pods;
    private final ImageIndex images;
    private long position;

    /**
     * Which envelopes a subscriber wants.
     *
     * @param aggregate only this aggregate's (a pod UUID or an image ID), or empty for all
     * @param types     only these wire names ({@code pod.started}), or empty for all
     */
    public record Filter(Optional<String> aggregate, Set<String> types) {
        public static final Filter ALL = new Filter(Optional.empty(), Set.of());

        public Filter {
            Objects.requireNonNull(aggregate, "aggregate");
            types = Set.copyOf(types);
        }

        boolean keeps(Envelope envelope) {
            return aggregate.map(envelope.aggregateId()::equals).orElse(true)
                    && (types.isEmpty() || types.contains(envelope.type().name()));
        }

        /** Whether the state of this envelope's aggregate can matter to the subscriber. */
        boolean follows(Envelope envelope) {
            return aggregate.map(envelope.aggregateId()::equals).orElse(true);
        }
    }

    /**
     * One delivered event.
     *
     * @param envelope the journal's envelope
     * @param pod      the pod's state after it, for a pod's event
     * @param image    the image's record after it, for an image's event (empty once removed)
     */
    public record Item(Envelope envelope, Optional<PodState> pod, Optional<ImageRecord> image) {
    }

    /**
     * A cursor that will deliver the envelopes with an index above {@code after} ({@code -1}: from
     * the first). Folds the states up to {@code after} first, on the calling thread.
     *
     * @throws IllegalArgumentException if {@code after} is below -1
     * @throws JournalException         if the journal cannot be read
     */
    public EventFeed(Journal journal, long after, Filter filter) throws JournalException {
        this(journal, after, filter, null);
    }

    /**
     * As {@link #EventFeed(Journal, long, Filter)}, folding the states from the newest usable
     * projection snapshot in {@code snapshots} at or before the cursor (null: from index 0).
     *
     * @throws JournalPruned if the envelope after {@code after} was pruned: its
     *                       {@link JournalPruned#firstIndex()} is the oldest one still available
     */
    public EventFeed(Journal journal, long after, Filter filter, Snapshots snapshots) throws JournalException {
        if (after < -1) {
            throw new IllegalArgumentException("after must be -1 (from the first event) or an index, got " + after);
        }
        this.journal = Objects.requireNonNull(journal, "journal");
        this.filter = Objects.requireNonNull(filter, "filter");
        long first = journal.firstIndex();
        if (after + 1 < first) {
            throw new JournalPruned(after + 1, first);
        }
        Snapshots.Base base = snapshots == null ? null : snapshots.loadAtOrBefore(journal, after + 1);
        this.pods = base == null ? new PodProjection() : base.pods();
        this.images = base == null ? new ImageIndex() : base.images();
        scan(base == null ? 0 : base.index(), after + 1, env -> fold(env));
        position = after + 1;
    }

    /** The index of the next envelope this cursor will read. */
    public long position() {
        return position;
    }

    /** The index of the last envelope read, delivered or not; -1 before the first. */
    public long lastScanned() {
        return position - 1;
    }

    /** Whether the cursor has read everything the journal held the last time it looked. */
    public boolean caughtUp() throws JournalException {
        return position >= journal.nextIndex();
    }

    /**
     * Reads at most {@code max} envelopes from {@link #position()} and returns those the filter
     * keeps, in journal order, each with its aggregate's state after it.
     *
     * @throws IllegalArgumentException if {@code max} is not positive
     * @throws JournalException         if the journal cannot be read
     */
    public List<Item> poll(int max) throws JournalException {
        if (max <= 0) {
            throw new IllegalArgumentException("poll at least one envelope, asked for " + max);
        }
        List<Item> items = new ArrayList<>();
        long end = Math.min(journal.nextIndex(), position + max);
        scan(position, end, env -> {
            Item item = fold(env);
            if (filter.keeps(env)) {
                items.add(item);
            }
        });
        position = Math.max(position, end);
        return items;
    }

    private Item fold(Envelope env) {
        if (!filter.follows(env)) {
            return null;
        }
        Optional<PodState> pod = env.event() instanceof PodEvent
                ? pods.apply(env.aggregateId(), env.event(), env.time(), env.index())
                : Optional.empty();
        Optional<ImageRecord> image = Optional.empty();
        if (env.event() instanceof ImageEvent event) {
            images.apply(env);
            image = images.find(ImageId.parse(ImageEvent.current(event).imageId()));
        }
        return new Item(env, pod, image);
    }

    /** Hands the envelopes with index in [from, to) to {@code consumer}. */
    private void scan(long from, long to, Consumer<Envelope> consumer) throws JournalException {
        if (from >= to) {
            return;
        }
        try {
            journal.replay(from, env -> {
                if (env.index() >= to) {
                    throw Enough.INSTANCE;
                }
                consumer.accept(env);
            });
        } catch (Enough enough) {
            // the rest is for a later poll
        }
    }

    /** Ends a replay at the end of the range asked for. */
    private static final class Enough extends RuntimeException {
        static final Enough INSTANCE = new Enough();

        private Enough() {
            super("the range asked for is read", null, false, false);
        }
    }
}
