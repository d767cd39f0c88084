package dev.rkj.eventlog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads stored envelopes through one Chronicle tailer. Like the tailer, it belongs to the thread
 * that created it: a replay, a verify or one tail.
 *
 * <p>{@link #seek} finds a start index without scanning from 0: a binary search over the day
 * files by their first envelope, then, since indexes are dense within a file, one jump to the
 * excerpt that must hold it (checked, with a scan of that file as the fallback).
 */
final class ChronicleReader implements AutoCloseable {
    private static final int RETRIES = 100;
    private static final long RETRY_PARK_NANOS = 1_000_000;

    private final ChronicleJournal journal;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final ExcerptTailer tailer;
    private long skipBelow = Long.MIN_VALUE;
    private long lastExcerpt = -1;
    private long lastEnvelope = -1;

    ChronicleReader(ChronicleJournal journal, SingleChronicleQueue queue) {
        this.journal = journal;
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.tailer = queue.createTailer();
    }

    /** Lets any thread use this reader, one at a time (its owner serializes the use): returns this reader. */
    ChronicleReader shared() {
        tailer.singleThreadedCheckDisabled(true);
        return this;
    }

    /** Positions the reader so that {@link #next} returns the envelope {@code fromIndex} first (or later ones, if it lies ahead). */
    void seek(long fromIndex) throws JournalException {
        try {
            skipBelow = fromIndex;
            if (fromIndex == 0) {
                tailer.toStart();
                return;
            }
            int first = queue.firstCycle();
            int last = queue.lastCycle();
            if (first > last) {
                tailer.toStart();
                return;
            }
            List<Long> cycles = new ArrayList<>(queue.listCyclesBetween(first, last));
            long[] best = null; // {excerpt index, envelope index} of the first envelope of the chosen file
            int lo = 0;
            int hi = cycles.size() - 1;
            // The newest file first: a snapshot's tail and a tail's resume start there, and each file
            // probed costs Chronicle a store to open and map, so a long history is not paid for.
            long[] newest = firstFrom(cycles.get(hi).intValue());
            if (newest != null && newest[1] <= fromIndex) {
                best = newest;
                lo = hi + 1;
            } else {
                hi--;
            }
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long[] probe = firstFrom(cycles.get(mid).intValue());
                if (probe != null && probe[1] <= fromIndex) {
                    best = probe;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (best == null) {
                tailer.toStart();
                return;
            }
            int cycle = rollCycle.toCycle(best[0]);
            long sequence = rollCycle.toSequenceNumber(best[0]) + (fromIndex - best[1]);
            long lastExcerptNow = queue.lastIndex();
            if (sequence < rollCycle.maxMessagesPerCycle()) {
                long target = rollCycle.toIndex(cycle, sequence);
                if (target <= lastExcerptNow) {
                    if (tailer.moveToIndex(target)) {
                        StoredEnvelope there = readOne();
                        if (there != null && there.index() == fromIndex && tailer.moveToIndex(target)) {
                            return;
                        }
                    }
                } else if (lastExcerptNow >= best[0] && tailer.moveToIndex(lastExcerptNow)) {
                    return; // fromIndex lies ahead: start at the newest envelope and skip up to it
                }
            }
            if (!tailer.moveToIndex(best[0])) {
                tailer.toStart();
            }
        } catch (RuntimeException | AssertionError | InternalError e) { // assertions: Chronicle's own checks
            throw journal.readFailure(this, e);
        }
    }

    /** The first envelope at or after the start of {@code cycle}: {excerpt index, envelope index}, or null. */
    long[] firstFrom(int cycle) throws JournalException {
        if (!tailer.moveToIndex(rollCycle.toIndex(cycle, 0)) && !tailer.moveToCycle(cycle)) {
            return null;
        }
        StoredEnvelope e = readOne();
        return e == null ? null : new long[] {lastExcerpt, e.index()};
    }

    /** The next envelope (skipping those before the sought index), or null if none is there yet. */
    StoredEnvelope next() throws JournalException {
        try {
            while (true) {
                StoredEnvelope e = readOne();
                if (e == null) {
                    return null;
                }
                if (e.index() >= skipBelow) {
                    skipBelow = Long.MIN_VALUE;
                    return e;
                }
            }
        } catch (RuntimeException | AssertionError | InternalError e) { // assertions: Chronicle's own checks
            throw journal.readFailure(this, e);
        }
    }

    /**
     * Like {@link #next}, but when nothing is there, looks again for a while: for a reader that
     * knows more envelopes exist (a rolled day file may take a moment to be seen).
     */
    StoredEnvelope nextExpected() throws JournalException {
        for (int attempt = 0; ; attempt++) {
            StoredEnvelope e = next();
            if (e != null || attempt == RETRIES) {
                return e;
            }
            if (attempt == 0) {
                queue.refreshDirectoryListing();
            }
            LockSupport.parkNanos(RETRY_PARK_NANOS);
        }
    }

    /**
     * Null while the reader may just be waiting for an append; otherwise why it cannot move on:
     * the queue holds later excerpts than the one it is stuck before.
     */
    JournalException stuck() {
        long newest = queue.lastIndex();
        long at = tailer.index();
        if (newest < 0 || at > newest) {
            return null;
        }
        return damagedAt(at, where() + " cannot be read although later ones exist (its header is broken)");
    }

    private StoredEnvelope readOne() throws JournalException {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            journal.countRead();
            long excerpt = dc.index();
            StoredEnvelope e;
            try {
                e = EnvelopeFormat.read(dc.wire().bytes());
            } catch (EnvelopeFormat.BadEnvelope bad) {
                throw damagedAt(excerpt, where() + " is not a readable envelope ("
                        + bad.getMessage() + ")");
            }
            lastExcerpt = excerpt;
            lastEnvelope = e.index();
            return e;
        }
    }

    /** An error naming the file that holds {@code excerpt} and what is wrong there. */
    JournalException damagedAt(long excerpt, String problem) {
        return damagedAt(excerpt, problem, null);
    }

    private JournalException damagedAt(long excerpt, String problem, Throwable cause) {
        return QueueFiles.damaged(QueueFiles.fileFor(journal.directory(), rollCycle, rollCycle.toCycle(excerpt)),
                problem + " at excerpt " + rollCycle.toSequenceNumber(excerpt), cause);
    }

    /** An error naming the file the reader is in (or was last in) and what is wrong there. */
    JournalException damagedHere(String problem) {
        return damagedHere(problem, null);
    }

    JournalException damagedHere(String problem, Throwable cause) {
        return damagedAt(lastExcerpt >= 0 ? lastExcerpt : tailer.index(), problem, cause);
    }

    private String where() {
        return lastEnvelope < 0 ? "the first excerpt read" : "the excerpt after event " + lastEnvelope;
    }

    /** The envelope index last read, or -1. */
    long lastEnvelope() {
        return lastEnvelope;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
