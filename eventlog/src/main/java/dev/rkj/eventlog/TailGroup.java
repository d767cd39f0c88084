package dev.rkj.eventlog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The running tails of one journal: started, woken after each append, closed with the journal. */
final class TailGroup {
    private final List<TailThread> tails = new CopyOnWriteArrayList<>();
    private final TailBackoff backoff;
    private boolean closed; // guarded by this

    TailGroup(TailBackoff backoff) {
        this.backoff = backoff;
    }

    synchronized Tail start(long fromIndex, Consumer<Envelope> handler, TailThread.CursorFactory cursors) {
        if (closed) {
            throw new IllegalStateException("the journal is closed: open it again to tail it");
        }
        if (fromIndex < 0) {
            throw new IllegalArgumentException("tail must start at index 0 or later, got " + fromIndex);
        }
        if (handler == null) {
            throw new IllegalArgumentException("tail handler is null: pass the consumer of envelopes");
        }
        TailThread tail = new TailThread(this, fromIndex, handler, cursors, backoff);
        tails.add(tail);
        tail.start();
        return tail;
    }

    TailBackoff backoff() {
        return backoff;
    }

    void wakeAll() {
        for (TailThread tail : tails) {
            tail.wake();
        }
    }

    void remove(TailThread tail) {
        tails.remove(tail);
    }

    /** Closes every tail, waiting for their threads; no tail starts after this. */
    void closeAll() {
        synchronized (this) {
            closed = true;
        }
        for (TailThread tail : List.copyOf(tails)) {
            tail.close();
        }
    }
}
