package dev.rkj.engine.read;

import dev.rkj.engine.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * What {@code rkj logs} (and the daemon's logs) keep of an app's {@link LogRecord}s: {@code --since}
 * and {@code --tail}. Pure functions.
 */
public final class LogRecords {
    /** A record's time as it begins a line with timestamps: ISO 8601 in UTC (as times are printed elsewhere), to the nanosecond. */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);

    private LogRecords() {}

    /** {@code time} as a line of the log shown with timestamps begins: {@code 2026-12-05T10:00:00.123456789Z}. */
    public static String stamp(Instant time) {
        return STAMP.format(time);
    }

    /**
     * The time {@code text} names: a duration before {@code now} ({@code 10m}, {@code 1h30m}, as
     * {@link Durations} reads them), or an ISO 8601 time: {@code 2026-12-05T10:00:00Z}, with an
     * offset, or without one in {@code zone}, or a date (its midnight in {@code zone}).
     *
     * @throws IllegalArgumentException saying what is accepted
     */
    public static Instant since(String text, Instant now, ZoneId zone) {
        String t = text.strip();
        Duration ago = null;
        try {
            ago = Durations.parse(t);
        } catch (IllegalArgumentException notADuration) {
            // a time, then
        }
        if (ago != null) {
            return ago.compareTo(Duration.between(Instant.EPOCH, now)) >= 0 ? Instant.EPOCH : now.minus(ago);
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            // without an offset, then
        }
        try {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            // a date, then
        }
        try {
            return LocalDate.parse(t).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("`" + text + "` is neither a duration (10m, 1h30m) nor an ISO 8601"
                    + " time (2026-12-05T10:00:00Z, 2026-12-05T10:00, 2026-12-05)");
        }
    }

    /** The records written at or after {@code since}; a line that is not a record has no time and is left out. */
    public static List<LogRecord> since(List<LogRecord> records, Instant since) {
        return records.stream().filter(r -> r.isRecord() && !r.time().isBefore(since)).toList();
    }

    /**
     * The records of the last {@code lines} lines: a line ends with a whole record (F, or a line
     * that is not a record); the parts before it belong to it; a last part with no end yet is a line.
     */
    public static List<LogRecord> tail(List<LogRecord> records, int lines) {
        if (lines < 0) {
            throw new IllegalArgumentException("a tail of " + lines + " lines: give 0 or more");
        }
        int seen = 0;
        for (int i = records.size() - 1; i >= 0; i--) {
            if (!records.get(i).partial() || i == records.size() - 1) {
                if (seen == lines) {
                    return records.subList(i + 1, records.size());
                }
                seen++;
            }
        }
        return records;
    }
}
