package dev.rkj.eventlog;

import java.time.Duration;

/**
 * How an idle tail waits: it spins briefly, then yields, then parks for growing periods up to
 * {@code maxPark}; an append in this process unparks it at once. A tail that stays stuck for
 * {@code stallLimit} while the storage holds later events reports the journal as damaged.
 *
 * @param maxPark    the longest single park: how late an append by another process may be seen
 * @param stallLimit how long a tail may be stuck before it fails; zero disables the check
 */
record TailBackoff(Duration maxPark, Duration stallLimit) {
    static final int SPINS = 64;
    static final int YIELDS = 16;
    static final long FIRST_PARK_NANOS = 20_000;

    /** Chronicle: other processes append too, so poll at least every millisecond. */
    static final TailBackoff CHRONICLE = new TailBackoff(Duration.ofMillis(1), Duration.ofSeconds(5));
    /** In memory: only appends in this process exist, and they unpark the tail. */
    static final TailBackoff IN_MEMORY = new TailBackoff(Duration.ofMillis(100), Duration.ZERO);

    long parkNanos(int idleRounds) {
        int doublings = Math.min(idleRounds - SPINS - YIELDS, 16);
        return Math.min(maxPark.toNanos(), FIRST_PARK_NANOS << Math.max(doublings, 0));
    }
}
