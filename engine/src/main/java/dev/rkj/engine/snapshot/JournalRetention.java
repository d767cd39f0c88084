package dev.rkj.engine.snapshot;

import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.store.ImageIndex;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.JournalException;
import dev.rkj.eventlog.Retention;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Prunes a journal's old day files ({@code rkj journal prune}, the daemon's
 * {@code --journal-retention}) so that state never depends on a pruned event: before any file
 * goes, a projection snapshot is written at the journal's new first index, and {@link Snapshots}
 * keeps that one for as long as it is the first. Starts and reads then load it (or a newer one)
 * and replay what follows.
 */
public final class JournalRetention {
    private JournalRetention() {
    }

    /**
     * What a prune did.
     *
     * @param files      how many day files were deleted
     * @param bytes      their size
     * @param firstIndex the journal's first index now
     * @param warnings   snapshots ignored on the way, one line each
     */
    public record Pruned(int files, long bytes, long firstIndex, List<String> warnings) {
        public Pruned {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Deletes the day files {@code retention} lets go at {@code now}, after writing the snapshot
     * at the first index kept.
     *
     * @throws JournalException if the journal cannot be read or pruned
     * @throws IOException      if the snapshot cannot be written (then nothing is deleted)
     */
    public static Pruned prune(ChronicleJournal journal, Snapshots snapshots, Retention retention, Instant now)
            throws JournalException, IOException {
        Objects.requireNonNull(retention, "retention");
        ChronicleJournal.PrunePlan plan = journal.planPrune(retention, now);
        if (plan.files().isEmpty()) {
            return new Pruned(0, 0, plan.firstIndex(), List.of());
        }
        long at = plan.firstIndex();
        Snapshots.Base base = snapshots.loadAtOrBefore(journal, at);
        PodProjection pods = base.pods();
        ImageIndex images = base.images();
        try {
            journal.replay(base.index(), env -> {
                if (env.index() >= at) {
                    throw Reached.INSTANCE;
                }
                pods.apply(env.aggregateId(), env.event(), env.time(), env.index());
                images.apply(env);
            });
        } catch (Reached reached) {
            // folded up to the new first index
        }
        snapshots.write(journal, pods, images);
        journal.prune(plan);
        return new Pruned(plan.files().size(), plan.bytes(), at, base.warnings());
    }

    /** Ends the fold at the new first index. */
    private static final class Reached extends RuntimeException {
        static final Reached INSTANCE = new Reached();

        private Reached() {
            super("reached", null, false, false);
        }
    }
}
