package dev.rkj.eventlog;

/**
 * A read asked for events older than the journal still holds: they were pruned
 * ({@code rkj journal prune}). {@link #firstIndex()} is the oldest index still available.
 */
public final class JournalPruned extends JournalException {
    private final long asked;
    private final long firstIndex;

    public JournalPruned(long asked, long firstIndex) {
        super("the journal no longer holds event " + asked + ": the events before " + firstIndex
                + " were pruned; start at " + firstIndex + " or later");
        this.asked = asked;
        this.firstIndex = firstIndex;
    }

    /** The index that was asked for. */
    public long asked() {
        return asked;
    }

    /** The oldest index still available. */
    public long firstIndex() {
        return firstIndex;
    }
}
