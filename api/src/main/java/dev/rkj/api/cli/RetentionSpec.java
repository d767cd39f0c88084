package dev.rkj.api.cli;

import dev.rkj.eventlog.Retention;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Journal retention as the command line gives it: days to keep and a size to keep ({@code 500M},
 * {@code 10G}, plain bytes), for {@code rkj journal prune} and {@code rkj daemon --journal-retention}.
 */
final class RetentionSpec {
    private RetentionSpec() {
    }

    /** {@code --keep-days} and {@code --keep-size} (either may be null, not both). */
    static Retention of(Integer keepDays, String keepSize, String daysFlag, String sizeFlag) {
        if (keepDays == null && keepSize == null) {
            throw new CliException("say what to keep: " + daysFlag + " N, " + sizeFlag + " SIZE (e.g. 10G), or both");
        }
        if (keepDays != null && keepDays < 0) {
            throw new CliException(daysFlag + " must be 0 or more, got " + keepDays);
        }
        return new Retention(Optional.ofNullable(keepDays).map(d -> Duration.ofDays(d)),
                keepSize == null ? OptionalLong.empty() : OptionalLong.of(bytes(keepSize, sizeFlag)));
    }

    /** {@code --journal-retention}: {@code 7d}, {@code 10G}, or both as {@code 7d,10G}. */
    static Retention parse(String spec) {
        Integer days = null;
        String size = null;
        for (String part : spec.split(",")) {
            String p = part.strip().toLowerCase(Locale.ROOT);
            if (p.endsWith("d") && p.length() > 1 && p.substring(0, p.length() - 1).chars().allMatch(Character::isDigit)) {
                days = Integer.valueOf(p.substring(0, p.length() - 1));
            } else {
                size = p;
            }
        }
        if (days == null && size == null) {
            throw new CliException("--journal-retention " + TerminalText.escape(spec)
                    + " says nothing to keep: give days (7d), a size (10G), or both (7d,10G)");
        }
        return of(days, size, "--journal-retention Nd", "--journal-retention SIZE");
    }

    static long bytes(String text, String flag) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit > 1) {
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CliException(flag + " " + TerminalText.escape(text)
                    + " is not a size: give bytes or a number with K, M, G or T (e.g. 10G)");
        }
    }

    static String human(long bytes) {
        if (bytes < 1 << 20) {
            return (bytes >> 10) + " KiB";
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }
}
