package dev.rkj.bench.launch;

import java.util.concurrent.atomic.AtomicLongArray;

/** The {@link Mark}s of one pod: each taken once, on whatever thread reaches it. */
public final class PodTimeline {
    private final AtomicLongArray marks = new AtomicLongArray(Mark.values().length);

    /** Records {@code mark} now, unless it was recorded already (redelivered work keeps the first). */
    public void mark(Mark mark) {
        marks.compareAndSet(mark.ordinal(), 0, System.nanoTime());
    }

    /** Records {@code mark} as taken at {@code nanoTime}, unless it was recorded already. */
    public void mark(Mark mark, long nanoTime) {
        marks.compareAndSet(mark.ordinal(), 0, nanoTime);
    }

    public boolean has(Mark mark) {
        return marks.get(mark.ordinal()) != 0;
    }

    /** Nanoseconds from {@code from} to {@code to}. */
    public long between(Mark from, Mark to) {
        long a = marks.get(from.ordinal());
        long b = marks.get(to.ordinal());
        if (a == 0 || b == 0) {
            throw new IllegalStateException("pod timeline lacks " + (a == 0 ? from : to));
        }
        return b - a;
    }
}
