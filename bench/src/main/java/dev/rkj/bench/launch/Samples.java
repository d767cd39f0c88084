package dev.rkj.bench.launch;

import java.util.Arrays;

/** A series of durations in nanoseconds, with nearest-rank percentiles in milliseconds. */
public final class Samples {
    private final String name;
    private long[] nanos = new long[64];
    private int size;

    public Samples(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public synchronized void add(long durationNanos) {
        if (durationNanos < 0) {
            throw new IllegalArgumentException(name + ": negative duration " + durationNanos + " ns");
        }
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        nanos[size++] = durationNanos;
    }

    public synchronized int size() {
        return size;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** The {@code p}th percentile (nearest rank) in milliseconds; NaN when empty. */
    public synchronized double percentileMillis(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.min(size - 1, Math.max(0, rank - 1))] / 1e6;
    }

    public double p50() {
        return percentileMillis(50);
    }

    public double p90() {
        return percentileMillis(90);
    }

    public double p99() {
        return percentileMillis(99);
    }

    public synchronized double meanMillis() {
        if (size == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += nanos[i];
        }
        return sum / size / 1e6;
    }
}
