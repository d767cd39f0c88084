package dev.rkj.engine.read;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Which journal position a read shows: the latest, or the state as of an earlier point
 * ({@code rkj list --at INDEX|TIME}).
 *
 * <ul>
 *   <li>{@link AtIndex}: the state right after the event at that index (inclusive): events
 *       {@code 0..index} are folded.</li>
 *   <li>{@link AtTime}: the events in journal order up to the first one recorded after that
 *       instant: the state as it was at that instant.</li>
 * </ul>
 */
public sealed interface AsOf {

    /** Whether the envelope at {@code index}, recorded at {@code time}, is part of the state shown. */
    boolean includes(long index, Instant time);

    /** The latest state: every event. */
    record Latest() implements AsOf {
        @Override
        public boolean includes(long index, Instant time) {
            return true;
        }

        @Override
        public String toString() {
            return "now";
        }
    }

    /** The state right after the event at {@code index}. */
    record AtIndex(long index) implements AsOf {
        public AtIndex {
            if (index < 0) {
                throw new IllegalArgumentException("journal index " + index + " is negative: indexes start at 0");
            }
        }

        @Override
        public boolean includes(long i, Instant time) {
            return i <= index;
        }

        @Override
        public String toString() {
            return "index " + index;
        }
    }

    /** The state at {@code instant}: every event recorded at or before it. */
    record AtTime(Instant instant) implements AsOf {
        public AtTime {
            java.util.Objects.requireNonNull(instant, "instant");
        }

        @Override
        public boolean includes(long index, Instant time) {
            return !time.isAfter(instant);
        }

        @Override
        public String toString() {
            return instant.toString();
        }
    }

    /** Every event. */
    static AsOf latest() {
        return new Latest();
    }

    /**
     * Parses what a user gives {@code --at}: a journal index ({@code 42}), an ISO-8601 instant or
     * date-time with an offset ({@code 2026-12-05T03:00:00Z}, {@code 2026-12-05T04:00+01:00}), or a
     * date-time or date without one, taken as UTC, the zone {@code rkj list} prints
     * ({@code 2026-12-05T03:00}, {@code 2026-12-05 03:00:00}, {@code 2026-12-05}).
     *
     * @throws IllegalArgumentException naming the value and the forms accepted
     */
    static AsOf parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.matches("-?\\d+")) {
            try {
                return new AtIndex(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("journal index " + t + " is too large");
            }
        }
        String iso = t.replace(' ', 'T');
        try {
            return new AtTime(Instant.parse(iso));
        } catch (DateTimeException ignored) {
            // not an instant in Z form
        }
        try {
            return new AtTime(OffsetDateTime.parse(iso).toInstant());
        } catch (DateTimeException ignored) {
            // no offset
        }
        try {
            return new AtTime(LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC));
        } catch (DateTimeException ignored) {
            // not a date-time
        }
        try {
            return new AtTime(LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is neither a journal index nor a time: give an index"
                    + " (e.g. 42, see rkj journal show) or an ISO-8601 time (e.g. 2026-12-05T03:00:00Z;"
                    + " without an offset it is UTC, as rkj list prints)");
        }
    }
}
