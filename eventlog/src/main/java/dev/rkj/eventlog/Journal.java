package dev.rkj.eventlog;

import java.util.List;
import java.util.function.Consumer;

/**
 * The event journal: rkj's single source of truth. Append-only, densely indexed, hash-chained.
 *
 * <h2>Envelopes and the hash chain</h2>
 * Every event is stored in an {@link Envelope} whose index is dense (0, 1, 2, ...) in append
 * order, across all processes sharing the journal. Its hash is
 * <pre>
 * SHA-256( previousHash                                  (32 bytes; zeros for index 0)
 *       || index          int64  || epochSecond int64 || nano int32
 *       || len(aggregate) int32  || aggregate id, UTF-8
 *       || len(name)      int32  || wire name, UTF-8   || wire version int32
 *       || len(payload)   int32  || payload JSON, UTF-8 )        all integers big-endian
 * </pre>
 * so an edited, removed or reordered envelope is found by {@link #verify()}.
 *
 * <h2>Threads</h2>
 * {@link #append}, {@link #appendAll}, {@link #appendIfUnchanged}, {@link #replay}, {@link #nextIndex} and {@link #verify}
 * may be called from any thread. {@link #replay} and {@link #verify} read on the calling thread
 * with a reader of their own; a {@link Tail} reads on its own thread, which alone calls its
 * handler. {@link #close()} stops every tail and releases the storage; calls after it fail with
 * {@link IllegalStateException}.
 */
public interface Journal extends AutoCloseable {
    /** The registry used to name appended events and decode replayed ones. */
    EventRegistry registry();

    /**
     * Appends one event (its class must be registered); returns the stored envelope. Thread-safe,
     * multi-process safe.
     *
     * @throws IllegalArgumentException if the event's class is not in {@link #registry()} or
     *                                  cannot be written as JSON
     * @throws JournalException         if the journal cannot be written; nothing is appended
     */
    Envelope append(String aggregateId, Record event) throws JournalException;

    /**
     * Appends in order, each as its own envelope; returns them. Appends by other processes may
     * fall between them. Every event is checked (registered, writable as JSON) before the first
     * is appended.
     */
    List<Envelope> appendAll(String aggregateId, List<? extends Record> events) throws JournalException;

    /**
     * Optimistic concurrency: appends {@code events} like {@link #appendAll} only if no envelope of
     * {@code aggregateId} has an index {@code >= decidedAt}, where {@code decidedAt} is this
     * journal's {@link #nextIndex()} at the moment the caller's view of the aggregate was complete
     * (it had folded every envelope below it). The check and the first event's append are one
     * atomic step against every appender of every process sharing the journal (plain appends
     * included), so of two writers that decided at the same index for one aggregate, exactly one
     * wins. Events of other aggregates at or after {@code decidedAt} do not conflict. The later
     * events of a batch may, as with {@link #appendAll}, have other processes' appends between
     * them; a conditional append of the same aggregate decided before the first of them conflicts.
     *
     * <p>The cost is a scan of the envelopes from {@code decidedAt} to the end, under the write
     * lock: decide against a recent index.
     *
     * @param decidedAt {@code 0 <= decidedAt <= nextIndex()}
     * @return the appended envelopes, in order (empty for an empty list, after the check)
     * @throws AppendConflict           if the aggregate has an envelope at index {@code >= decidedAt};
     *                                  nothing is appended
     * @throws IllegalArgumentException if {@code decidedAt} is negative or beyond the journal's end,
     *                                  or an event is not registered or not writable as JSON
     * @throws JournalException         if the journal cannot be read or written
     */
    List<Envelope> appendIfUnchanged(String aggregateId, long decidedAt, List<? extends Record> events)
            throws JournalException, AppendConflict;

    /**
     * Finite replay on the calling thread: hands every envelope with index {@code >= fromIndex}
     * that exists when the call starts to {@code consumer}, in index order. An exception thrown by
     * the consumer ends the replay and propagates.
     *
     * @throws JournalException if an envelope cannot be read or decoded (the journal is damaged,
     *                          or a known type's payload no longer fits its record)
     */
    void replay(long fromIndex, Consumer<Envelope> consumer) throws JournalException;

    /**
     * The oldest index still held: 0, unless older events were pruned ({@code rkj journal prune}),
     * in which case the chain is verified from here, trusting the recorded hash before it, and a
     * {@link #replay} from before it fails with {@link JournalPruned}.
     */
    default long firstIndex() throws JournalException {
        return 0;
    }

    /** Where a pruned journal starts and the hash it trusts there; empty if nothing was pruned. */
    default java.util.Optional<JournalAnchor> anchor() throws JournalException {
        return java.util.Optional.empty();
    }

    /** Index the next append will get (0 for an empty journal). */
    long nextIndex() throws JournalException;

    /**
     * Infinite tail from {@code fromIndex} (which may lie in the future) on a dedicated daemon
     * thread owned by the returned handle; {@link Tail#close()} stops it. Appends in this process
     * wake it at once; appends by other processes are seen within about a millisecond.
     */
    Tail tail(long fromIndex, Consumer<Envelope> handler);

    /**
     * Recomputes the hash chain from index 0; reports the first broken index.
     *
     * @throws JournalException if the journal cannot be read at all
     */
    VerifyResult verify() throws JournalException;

    /** Stops every tail (waiting for their threads) and releases the storage. Idempotent. */
    @Override
    void close();
}
