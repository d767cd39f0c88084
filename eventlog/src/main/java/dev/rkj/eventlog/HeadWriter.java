package dev.rkj.eventlog;

import java.util.Optional;

/**
 * Keeps {@link JournalHead} up to date off the append path: appends {@link #offer} their newest
 * envelope and go on; one daemon thread ({@code rkj-journal-head}) writes the latest offer, so a
 * burst of appends costs one durable write. {@link #close()} writes what is pending before it
 * returns, so a process that closes its journal leaves the head exact; a crash leaves it behind by
 * at most the last few appends, which verify tolerates (the head is a lower bound).
 */
final class HeadWriter implements AutoCloseable {
    private final JournalHead head;
    private JournalHead.Head wanted; // guarded by this
    private Thread thread; // guarded by this
    private boolean closed; // guarded by this
    private volatile JournalException failure;

    HeadWriter(JournalHead head) {
        this.head = head;
    }

    /** Asks for {@code newest} to be recorded (later offers supersede earlier ones). */
    synchronized void offer(JournalHead.Head newest) {
        if (closed) {
            return;
        }
        if (wanted == null || newest.index() > wanted.index()) {
            wanted = newest;
        }
        if (thread == null) {
            thread = new Thread(this::run, "rkj-journal-head");
            thread.setDaemon(true);
            thread.start();
        }
        notifyAll();
    }

    /** Why the last write of the head file failed (a full disk, say), if it did; cleared by the next success. */
    Optional<JournalException> failure() {
        return Optional.ofNullable(failure);
    }

    private void run() {
        while (true) {
            JournalHead.Head next;
            synchronized (this) {
                while (wanted == null && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (wanted == null) {
                    return;
                }
                next = wanted;
                wanted = null;
            }
            try {
                head.advanceTo(next);
                failure = null;
            } catch (JournalException e) {
                failure = e; // the head stays behind: still a true lower bound
            }
        }
    }

    /** Writes what is pending, then stops the thread. Idempotent. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            notifyAll();
            t = thread;
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
