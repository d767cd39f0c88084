package dev.rkj.engine;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them, the one rule for reading and printing them: {@code 0},
 * {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h30m}, {@code 2d}; ISO-8601 ({@code PT30M}) is
 * read too. Printed the same way ({@code 1h30m}, never {@code PT1H30M}), in hours at most.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|d|h|m|s)");

    private Durations() {
    }

    /**
     * Reads {@code text}.
     *
     * @throws IllegalArgumentException saying what a duration looks like
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            if (t.startsWith("p")) {
                Duration iso = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (iso.isNegative()) {
                    throw new IllegalArgumentException("negative");
                }
                return iso;
            }
            Duration total = Duration.ZERO;
            Matcher m = PART.matcher(t);
            int end = 0;
            while (m.find() && m.start() == end) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMillis(n);
                });
                end = m.end();
            }
            if (end == 0 || end != t.length()) {
                throw new IllegalArgumentException("unexpected text");
            }
            return total;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration: write e.g. 0s, 500ms, 90s, 10m, 1h30m");
        }
    }

    /** {@code d} as people write it, in hours at most (as Go and rkt do): {@code 0s}, {@code 250ms}, {@code 1h30m}, {@code 51h}. */
    public static String words(Duration d) {
        if (d.isNegative()) {
            return "-" + words(d.negated());
        }
        long seconds = d.getSeconds();
        if (seconds == 0) {
            return d.isZero() ? "0s" : d.toMillis() + "ms";
        }
        StringBuilder b = new StringBuilder();
        append(b, seconds / 3600, 'h');
        append(b, (seconds % 3600) / 60, 'm');
        append(b, seconds % 60, 's');
        return b.toString();
    }

    private static void append(StringBuilder b, long n, char unit) {
        if (n > 0) {
            b.append(n).append(unit);
        }
    }
}
