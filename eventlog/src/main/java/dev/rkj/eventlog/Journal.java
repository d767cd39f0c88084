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
 * {@link #append}, {@link #appendAll}, {@link #replay}, {@link #nextIndex} and {@link #verify}
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
     * Finite replay on the calling thread: hands every envelope with index {@code >= fromIndex}
     * that exists when the call starts to {@code consumer}, in index order. An exception thrown by
     * the consumer ends the replay and propagates.
     *
     * @throws JournalException if an envelope cannot be read or decoded (the journal is damaged,
     *                          or a known type's payload no longer fits its record)
     */
    void replay(long fromIndex, Consumer<Envelope> consumer) throws JournalException;

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
