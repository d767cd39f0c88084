package dev.rkj.eventlog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The running tails of one journal: started, woken after each append, closed with the journal. */
final class TailGroup {
    private final List<TailThread> tails = new CopyOnWriteArrayList<>();
    private final TailBackoff backoff;

    TailGroup(TailBackoff backoff) {
        this.backoff = backoff;
    }

    Tail start(long fromIndex, Consumer<Envelope> handler, TailThread.CursorFactory cursors) {
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

    void closeAll() {
        for (TailThread tail : List.copyOf(tails)) {
            tail.close();
        }
    }
}
