package dev.rkj.api.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/** Left-aligned columns separated by two spaces, as rkt's tabwriter printed them; each cell escaped ({@link TerminalText#escape}). */
final class Table {
    /** Absolute times under {@code --full}: ISO 8601 with the zone (UTC), to the second. */
    private static final java.time.format.DateTimeFormatter FULL_TIME =
            java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(java.time.ZoneOffset.UTC);

    private Table() {}

    /** A time in a table: "3 minutes ago", or ISO 8601 with its zone under {@code --full}; "" if none. */
    static String time(java.time.Instant t, boolean full, java.time.Instant now) {
        if (t == null) {
            return "";
        }
        return full ? FULL_TIME.format(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                : ago(java.time.Duration.between(t, now));
    }


    static void print(List<String[]> rows, PrintStream out) {
        if (rows.isEmpty()) {
            return;
        }
        rows = rows.stream().map(row -> java.util.Arrays.stream(row).map(TerminalText::escape).toArray(String[]::new)).toList();
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }

    /** How long ago, as people say it: "now", "1 second ago", "3 days ago". */
    static String ago(Duration d) {
        long seconds = Math.max(0, d.getSeconds());
        if (seconds < 1) {
            return "now";
        }
        long[] limits = {60, 3600, 86400, 86400L * 30, 86400L * 365};
        String[] units = {"second", "minute", "hour", "day", "month"};
        long[] sizes = {1, 60, 3600, 86400, 86400L * 30};
        for (int i = 0; i < limits.length; i++) {
            if (seconds < limits[i]) {
                long count = seconds / sizes[i];
                return count + " " + units[i] + (count == 1 ? "" : "s") + " ago";
            }
        }
        long years = seconds / (86400L * 365);
        return years + " year" + (years == 1 ? "" : "s") + " ago";
    }
}
