package dev.rkj.eventlog;

import java.time.Duration;

/**
 * How an idle tail waits: it spins briefly, then yields, then parks, starting at
 * {@code firstPark} and doubling up to {@code maxPark}; an append in this process unparks it at
 * once. A tail that stays stuck for {@code stallLimit} while the storage holds later events
 * reports the journal as damaged.
 *
 * @param firstPark  the first park after spinning and yielding
 * @param maxPark    the longest single park: how late an append by another process may be seen
 * @param stallLimit how long a tail may be stuck before it fails; zero disables the check
 */
record TailBackoff(Duration firstPark, Duration maxPark, Duration stallLimit) {
    static final int SPINS = 64;
    static final int YIELDS = 16;

    /** Chronicle: other processes append too, so poll at least every millisecond. */
    static final TailBackoff CHRONICLE =
            new TailBackoff(Duration.ofNanos(20_000), Duration.ofMillis(1), Duration.ofSeconds(5));
    /** In memory: only appends in this process exist, and they unpark the tail. */
    static final TailBackoff IN_MEMORY =
            new TailBackoff(Duration.ofNanos(20_000), Duration.ofMillis(100), Duration.ZERO);

    /** Parks only by wake-up, in practice: for tests that prove appends wake the tail. */
    static TailBackoff parkFor(Duration park) {
        return new TailBackoff(park, park, Duration.ZERO);
    }

    long parkNanos(int idleRounds) {
        long first = firstPark.toNanos();
        long max = maxPark.toNanos();
        int doublings = Math.max(idleRounds - SPINS - YIELDS, 0);
        if (doublings >= Long.numberOfLeadingZeros(first) - 1) {
            return max;
        }
        return Math.min(max, first << doublings);
    }
}
