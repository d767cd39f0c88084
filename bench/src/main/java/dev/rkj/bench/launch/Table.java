package dev.rkj.bench.launch;

import java.io.PrintStream;
import java.util.Locale;

/** Fixed-width tables of samples for the benchmark's report. */
public final class Table {
    private final PrintStream out;
    private final int nameWidth;

    public Table(PrintStream out, int nameWidth) {
        this.out = out;
        this.nameWidth = nameWidth;
    }

    /** Header of a percentile table. */
    public void percentileHeader(String title) {
        out.println();
        out.println(title);
        out.printf(Locale.ROOT, "%-" + nameWidth + "s %5s %9s %9s %9s%n", "series", "n", "p50 ms", "p90 ms", "p99 ms");
    }

    public void percentileRow(Samples s) {
        out.printf(Locale.ROOT, "%-" + nameWidth + "s %5d %9.3f %9.3f %9.3f%n", s.name(), s.size(), s.p50(), s.p90(), s.p99());
    }

    /** Header of a breakdown table: segments whose means add up. */
    public void breakdownHeader(String title) {
        out.println();
        out.println(title);
        out.printf(Locale.ROOT, "%-" + nameWidth + "s %9s %9s %9s%n", "segment", "mean ms", "p50 ms", "p90 ms");
    }

    public void breakdownRow(Samples s) {
        out.printf(Locale.ROOT, "%-" + nameWidth + "s %9.3f %9.3f %9.3f%n", s.name(), s.meanMillis(), s.p50(), s.p90());
    }

    /** {@code a}'s p50 over {@code b}'s. */
    public void ratioRow(Samples a, Samples b) {
        if (a.isEmpty() || b.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "  %-" + (nameWidth + 40) + "s %6.2fx%n", a.name() + "  vs  " + b.name(), a.p50() / b.p50());
    }

    public void line(String format, Object... args) {
        out.printf(Locale.ROOT, format + "%n", args);
    }
}
