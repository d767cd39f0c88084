package dev.rkj.eventlog;

import java.time.Clock;
import java.time.Instant;
import net.openhft.chronicle.core.time.TimeProvider;

/** Chronicle's time (which picks the day file) from the journal's {@link Clock}. */
final class ClockTimeProvider implements TimeProvider {
    private final Clock clock;

    ClockTimeProvider(Clock clock) {
        this.clock = clock;
    }

    @Override
    public long currentTimeMillis() {
        return clock.millis();
    }

    @Override
    public long currentTimeMicros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    @Override
    public long currentTimeNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
