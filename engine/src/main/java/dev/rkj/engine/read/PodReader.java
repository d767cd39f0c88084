package dev.rkj.engine.read;

import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.PodCommand;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodLifecycle;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.read.PodTraces.Traces;
import dev.rkj.engine.recovery.Liveness;
import dev.rkj.eventlog.AppendConflict;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import dev.rkj.engine.snapshot.Snapshots;

/**
 * Reads pod state straight from the journal, with no engine: no Vert.x, no stage verticles, no
 * recovery, no adoption ({@code rkj list}, {@code rkj status}).
 *
 * <p>A read of the latest state first <em>settles</em> the pods the journal says run (or are
 * being launched) but whose stage1 is gone: their end, read from the status files stage1 wrote, is
 * decided by {@link Settlement} and {@link PodLifecycle#decide} against the state the read folded,
 * and appended only if no event of that pod was appended since ({@link Journal#appendIfUnchanged});
 * on a conflict the reader catches up and decides again, so of several readers at the same moment
 * exactly one records the end and the others find nothing left to do. The end is recorded only if
 * the pod's owning engine is gone; a live owner records it itself (and releases the pod), and until
 * then the read shows the end as {@linkplain PodRead#unrecorded() not yet recorded}. A read never
 * adopts a pod, and appends nothing when nothing is new; it opens the journal for writing only
 * when it has something to record ({@link WriteAccess}), and without write access (a read-only
 * data directory) the end is shown, not recorded.
 *
 * <p>A read {@link AsOf as of} an earlier point only folds: what happened since is not looked at.
 *
 * <p>Not thread-safe: one reader per thread (each read folds a projection of its own).
 */
public final class PodReader {
    /** How many times a read decides again after another process changed the pod it settles. */
    static final int MAX_ATTEMPTS = 5;

    private final PodTraces traces;
    private final Liveness liveness;
    private final WriteAccess writeAccess;
    private final Clock clock;
    private Journal journal;
    private boolean writable;
    private Snapshots snapshots;
    private Consumer<String> warnings = w -> { };

    /**
     * How a reader gets write access to the journal, once it has something to record (so that a
     * read that finds nothing new never opens the journal for writing).
     */
    @FunctionalInterface
    public interface WriteAccess {
        /** No write access (a read-only data directory): what is found is shown, not recorded. */
        WriteAccess NONE = () -> null;

        /**
         * The journal opened for writing, or null if this process may not write it.
         *
         * @throws JournalException if it cannot be opened for writing
         */
        Journal open() throws JournalException;
    }

    /**
     * A reader over {@code journal} that records through the same journal if {@code mayWrite}.
     *
     * @param mayWrite whether the read may append what it settles (false for a read-only data
     *                 directory: the end is only shown)
     */
    public PodReader(Journal journal, PodTraces traces, Liveness liveness, boolean mayWrite, Clock clock) {
        this(journal, mayWrite ? () -> journal : WriteAccess.NONE, traces, liveness, clock);
    }

    /**
     * A reader over {@code journal} (opened read-only, say) that opens the journal for writing
     * through {@code writeAccess} only when it has something to record, and reads through that
     * journal from then on.
     */
    public PodReader(Journal journal, WriteAccess writeAccess, PodTraces traces, Liveness liveness, Clock clock) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.writeAccess = Objects.requireNonNull(writeAccess, "writeAccess");
        this.traces = Objects.requireNonNull(traces, "traces");
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Starts each read from the newest usable projection snapshot in {@code snapshots} (at or
     * before the index asked for) instead of the journal's first event; reads only, never writes
     * one. Each snapshot found unusable is told to {@code warnings}, one line each.
     *
     * @return this reader
     */
    public PodReader withSnapshots(Snapshots snapshots, Consumer<String> warnings) {
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
        return this;
    }

    /** Where a fold as of {@code asOf} starts: a snapshot's pods, or an empty projection. */
    private PodProjection start(AsOf asOf) throws JournalException {
        if (snapshots == null || asOf instanceof AsOf.AtTime) {
            return new PodProjection();
        }
        Snapshots.Base base = asOf instanceof AsOf.AtIndex at
                ? snapshots.loadAtOrBefore(journal, at.index() + 1) : snapshots.load(journal);
        base.warnings().forEach(warnings);
        return base.pods();
    }

    /**
     * The pods as of {@code asOf}; for the latest state, after settling the pods whose stage1 is
     * gone.
     *
     * @throws IllegalArgumentException if {@code asOf} is an index the journal does not hold yet
     * @throws JournalException         if the journal cannot be read
     */
    public PodSnapshot read(AsOf asOf) throws JournalException {
        if (asOf instanceof AsOf.AtIndex at) {
            long next = journal.nextIndex();
            if (at.index() >= next) {
                throw new IllegalArgumentException("the journal has no event at index " + at.index() + ": it holds "
                        + (next == 0 ? "no events yet" : next + " (indexes 0 to " + (next - 1) + ")"));
            }
        }
        PodProjection projection = PodFold.fold(journal, asOf, start(asOf));
        if (!(asOf instanceof AsOf.Latest)) {
            return new PodSnapshot(asOf, projection.nextIndex(), projection, Map.of());
        }
        Map<String, PodRead> settled = new HashMap<>();
        for (PodState pod : projection.all()) {
            if (mayHaveEnded(pod)) {
                PodRead read = settle(projection, pod.podId());
                if (read != null) {
                    settled.put(pod.podId(), read);
                }
            }
        }
        return new PodSnapshot(asOf, projection.nextIndex(), projection, settled);
    }

    /** The statuses in which a pod's stage1 may have ended without the journal knowing. */
    private static boolean mayHaveEnded(PodState pod) {
        return pod.exists() && (pod.status() == PodStatus.RUNNING || pod.status() == PodStatus.PREPARED);
    }

    /**
     * Settles one pod: records its end if it ended unrecorded and its owner is gone.
     *
     * @return the pod as shown when its end is shown but not recorded; null when the projection
     *         (caught up) tells the truth
     */
    private PodRead settle(PodProjection projection, String podId) throws JournalException {
        for (int attempt = 1; ; attempt++) {
            PodState pod = projection.get(podId).orElseThrow();
            if (!mayHaveEnded(pod)) {
                return null; // another process recorded its end meanwhile
            }
            Traces found;
            try {
                found = traces.read(pod);
            } catch (IOException e) {
                return new PodRead(pod, "its pod directory cannot be read, so whether its stage1 still runs is"
                        + " not known (" + e.getMessage() + "): the journal's state is shown");
            }
            if (found.lockHeld()) {
                return null;
            }
            String ownerAlive = ownerAlive(pod.owner());
            if (ownerAlive != null && pod.status() == PodStatus.PREPARED) {
                return null; // its live engine is launching it: the start or the failure is its to record
            }
            String why = pod.owner() == null ? "it has no engine" : pod.owner() + " is gone";
            List<PodEvent> events = new ArrayList<>();
            PodState after;
            try {
                after = decide(Settlement.commands(pod, found, why), pod, events);
            } catch (IllegalPodTransition e) {
                return null; // nothing the lifecycle allows to record: the journal's word stands
            }
            if (events.isEmpty()) {
                return null;
            }
            if (ownerAlive != null) {
                return new PodRead(after, ownerAlive);
            }
            String noAccess = openForWriting();
            if (noAccess != null) {
                return new PodRead(after, noAccess);
            }
            if (attempt > MAX_ATTEMPTS) {
                return new PodRead(after, "the journal kept changing under " + MAX_ATTEMPTS
                        + " attempts to record it; the next read records it");
            }
            List<Record> records = new ArrayList<>(events.size());
            events.forEach(e -> records.add((Record) e)); // every PodEvent is a record
            try {
                journal.appendIfUnchanged(podId, projection.nextIndex(), records);
            } catch (AppendConflict conflict) {
                // another process appended to this pod since the fold: catch up and decide again
            } catch (JournalException e) {
                PodFold.catchUp(journal, projection);
                return new PodRead(after, "it could not be recorded: " + e.getMessage());
            }
            PodFold.catchUp(journal, projection);
        }
    }

    /** Switches to a journal this reader may append to; null if it did, else why not. */
    private String openForWriting() {
        if (writable) {
            return null;
        }
        Journal opened;
        try {
            opened = writeAccess.open();
        } catch (JournalException e) {
            return "the journal cannot be opened for writing: " + e.getMessage();
        }
        if (opened == null) {
            return "the data directory is read-only: a read by a user who may write it records it";
        }
        journal = opened;
        writable = true;
        return null;
    }

    /** Null if {@code owner} is gone; else why its end is left to it. */
    private String ownerAlive(PodOwner owner) {
        if (owner == null) {
            return null;
        }
        try {
            return liveness.isAlive(owner) ? owner + " is alive and records it" : null;
        } catch (IOException e) {
            return "cannot tell whether " + owner + " is alive (" + e.getMessage() + "); it is left to it";
        }
    }

    /** Decides the commands in order against {@code pod}, adding the events; returns the state after them. */
    private PodState decide(List<PodCommand> commands, PodState pod, List<PodEvent> events) throws IllegalPodTransition {
        PodState state = pod;
        Instant now = clock.instant();
        for (PodCommand command : commands) {
            for (PodEvent event : PodLifecycle.decide(command, state)) {
                events.add(event);
                state = PodLifecycle.evolve(state, event, now);
            }
        }
        return state;
    }
}
