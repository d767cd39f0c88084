package dev.rkj.eventlog;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * A running tail of a journal (see {@link Journal#tail}): a dedicated daemon thread named
 * {@code rkj-journal-tail-N} that owns its reader and calls the handler with every envelope in
 * index order, each exactly once.
 *
 * <p>The handler runs on that thread only. If it throws, or the journal turns out to be damaged,
 * the tail stops at that envelope: {@link #position()} stays on it and {@link #failure()} says
 * why. Closing the journal closes its tails.
 */
public interface Tail extends AutoCloseable {
    /** The index of the next envelope this tail will hand to its handler. */
    long position();

    /**
     * Stops the tail and waits for its thread to finish (and so for a handler call in progress to
     * return). Idempotent; may be called from the handler itself, which then returns first.
     */
    @Override
    void close();

    /** Why the tail stopped by itself (a handler exception or a damaged journal), if it did. */
    default Optional<Throwable> failure() {
        return Optional.empty();
    }

    /**
     * Calls {@code listener} once with the {@link #failure()} if the tail stops by itself: on the
     * tail's thread as it stops, or on the calling thread at once if it already has. Not called
     * when the tail is closed. For waiters that would otherwise wait for envelopes that will not
     * come.
     */
    default void whenFailed(Consumer<Throwable> listener) {
        failure().ifPresent(listener);
    }
}
