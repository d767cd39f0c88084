package dev.rkj.eventlog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A {@link Tail}: one daemon thread named {@code rkj-journal-tail-N} that opens its own
 * {@link Cursor} (so the reader belongs to that thread alone), hands envelopes to the handler in
 * index order and waits per its {@link TailBackoff} when there are none.
 */
final class TailThread implements Tail {
    private static final AtomicLong NUMBER = new AtomicLong();
    private static final long STALL_CHECK_NANOS = 100_000_000;

    /** Reads envelopes from the storage for one tail; used by the tail's thread only. */
    interface Cursor extends AutoCloseable {
        /** The next envelope at or after the tail's start, or null if none is there yet. */
        Envelope next() throws JournalException;

        /**
         * Null while the cursor may just be waiting for the next append; otherwise the reason it can
         * never move on (the storage holds later envelopes that it cannot reach).
         */
        JournalException stuck() throws JournalException;

        @Override
        void close();
    }

    /** Opens a cursor positioned at the first envelope with index {@code >= fromIndex}. */
    interface CursorFactory {
        Cursor open(long fromIndex) throws JournalException;
    }

    private final CursorFactory cursors;
    private final Consumer<Envelope> handler;
    private final TailBackoff backoff;
    private final TailGroup group;
    private final Thread thread;
    private volatile long position;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private final List<Consumer<Throwable>> failureListeners = new ArrayList<>(); // guarded by itself

    TailThread(TailGroup group, long fromIndex, Consumer<Envelope> handler, CursorFactory cursors, TailBackoff backoff) {
        this.group = group;
        this.position = fromIndex;
        this.handler = handler;
        this.cursors = cursors;
        this.backoff = backoff;
        this.thread = new Thread(this::run, "rkj-journal-tail-" + NUMBER.incrementAndGet());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Wakes the thread if it is waiting for an append. */
    void wake() {
        LockSupport.unpark(thread);
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void whenFailed(Consumer<Throwable> listener) {
        Throwable now;
        synchronized (failureListeners) {
            now = failure;
            if (now == null) {
                failureListeners.add(listener);
                return;
            }
        }
        listener.accept(now);
    }

    private void fail(Throwable t) {
        List<Consumer<Throwable>> listeners;
        synchronized (failureListeners) {
            failure = t;
            listeners = List.copyOf(failureListeners);
            failureListeners.clear();
        }
        for (Consumer<Throwable> listener : listeners) {
            try {
                listener.accept(t);
            } catch (RuntimeException ignored) {
                // a listener's own failure must not hide the tail's; the tail is stopping anyway
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            return; // called by the handler: the loop ends when it returns
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: what the tail's thread is doing (TIMED_WAITING while parked). */
    Thread.State threadState() {
        return thread.getState();
    }

    private void run() {
        Cursor cursor = null;
        try {
            cursor = cursors.open(position);
            int idle = 0;
            long idleSince = System.nanoTime();
            long nextStallCheck = 0;
            boolean suspectStuck = false;
            while (!stopping) {
                Envelope e = cursor.next();
                if (e != null) {
                    idle = 0;
                    suspectStuck = false;
                    long expected = position;
                    if (e.index() != expected) {
                        throw new JournalException("tail expected event " + expected + " but read event " + e.index()
                                + ": the journal is damaged; run `rkj journal verify` and restore it from a backup");
                    }
                    handler.accept(e);
                    position = expected + 1;
                    continue;
                }
                if (idle == 0) {
                    idleSince = System.nanoTime();
                }
                idle++;
                if (idle < TailBackoff.SPINS) {
                    Thread.onSpinWait();
                } else if (idle < TailBackoff.SPINS + TailBackoff.YIELDS) {
                    Thread.yield();
                } else {
                    long stallNanos = backoff.stallLimit().toNanos();
                    long now = System.nanoTime();
                    // Checking costs a Chronicle last-index look-up: only after a long idle spell, and twice
                    // in a row (a day roll can make a tail wait briefly for the next file) before failing.
                    if (stallNanos > 0 && now - idleSince >= stallNanos && now - nextStallCheck >= 0) {
                        nextStallCheck = now + Math.max(STALL_CHECK_NANOS, stallNanos / 5);
                        JournalException stuck = cursor.stuck();
                        if (stuck != null && suspectStuck) {
                            throw stuck;
                        }
                        suspectStuck = stuck != null;
                    }
                    LockSupport.parkNanos(this, backoff.parkNanos(idle));
                }
            }
        } catch (Throwable t) {
            if (!stopping) {
                fail(t);
            }
        } finally {
            if (cursor != null) {
                try {
                    cursor.close();
                } catch (RuntimeException e) {
                    if (failure == null && !stopping) {
                        fail(e);
                    }
                }
            }
            group.remove(this);
        }
    }

    @Override
    public String toString() {
        return thread.getName() + "@" + position;
    }
}
