package dev.rkj.eventlog;

/**
 * A conditional append ({@link Journal#appendIfUnchanged}) was refused: another writer (this
 * process or another) appended an event of the same aggregate at or after the index the caller
 * decided at. Nothing was appended. The caller catches up from {@link #decidedAt()} (or from
 * {@link #newerIndex()}) and decides again.
 *
 * <p>Deliberately not a {@link JournalException}: the journal is fine, the caller's view of
 * the aggregate is stale.
 */
public final class AppendConflict extends Exception {
    private final String aggregateId;
    private final long decidedAt;
    private final long newerIndex;

    public AppendConflict(String aggregateId, long decidedAt, long newerIndex) {
        super(aggregateId + " changed at journal index " + newerIndex + ", after the decision made at index "
                + decidedAt + ": read its state again and decide again", null, false, false);
        this.aggregateId = aggregateId;
        this.decidedAt = decidedAt;
        this.newerIndex = newerIndex;
    }

    /** The aggregate whose state changed. */
    public String aggregateId() {
        return aggregateId;
    }

    /** The index the refused append was decided at (the journal's next index when the state was read). */
    public long decidedAt() {
        return decidedAt;
    }

    /** The first envelope of the aggregate at or after {@link #decidedAt()}: the change the caller missed. */
    public long newerIndex() {
        return newerIndex;
    }
}
