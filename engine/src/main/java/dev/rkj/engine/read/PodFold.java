package dev.rkj.engine.read;

import dev.rkj.engine.pod.PodProjection;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;

/**
 * Folds the journal into a fresh {@link PodProjection}: the one fold the engine's projection also
 * uses ({@link PodProjection#apply}), here bounded by an {@link AsOf}.
 */
public final class PodFold {
    private PodFold() {
    }

    /**
     * The pods as of {@code asOf}: the journal's envelopes in index order, up to the first one
     * {@code asOf} leaves out (the rest are not read).
     *
     * @throws JournalException if the journal cannot be read
     */
    public static PodProjection fold(Journal journal, AsOf asOf) throws JournalException {
        return fold(journal, asOf, new PodProjection());
    }

    /**
     * As {@link #fold(Journal, AsOf)}, from {@code start} (a projection snapshot's pods, which
     * must not lie past {@code asOf}) instead of from the journal's first event.
     */
    public static PodProjection fold(Journal journal, AsOf asOf, PodProjection start) throws JournalException {
        foldInto(journal, start, asOf);
        return start;
    }

    /**
     * Folds into {@code projection} what the journal holds after what it already folded (a reader
     * catching up after another process appended).
     */
    public static void catchUp(Journal journal, PodProjection projection) throws JournalException {
        foldInto(journal, projection, AsOf.latest());
    }

    private static void foldInto(Journal journal, PodProjection projection, AsOf asOf) throws JournalException {
        try {
            journal.replay(projection.nextIndex(), env -> {
                if (!asOf.includes(env.index(), env.time())) {
                    throw Past.INSTANCE;
                }
                projection.apply(env.aggregateId(), env.event(), env.time(), env.index());
            });
        } catch (Past past) {
            // the rest of the journal lies after asOf
        }
    }

    /** Ends a replay at the first envelope past the point asked for. */
    private static final class Past extends RuntimeException {
        static final Past INSTANCE = new Past();

        private Past() {
            super("past the point asked for", null, false, false);
        }
    }
}
