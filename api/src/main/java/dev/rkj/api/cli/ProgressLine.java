package dev.rkj.api.cli;

import dev.rkj.engine.fetch.FetchProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Download progress on stderr: on a terminal, one bar redrawn in place (bytes, rate, ETA); piped,
 * a plain line every few seconds and one at the end, so logs stay readable.
 */
final class ProgressLine implements FetchProgress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long PLAIN_NANOS = 5_000_000_000L;
    private static final int BAR = 24;

    private final PrintStream err;
    private final boolean terminal;
    private String subject;
    private long started;
    private long lastShown;

    ProgressLine(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** For this command's stderr: a bar when stderr is this process's and a terminal. */
    static ProgressLine of(RkjCommand root) {
        return new ProgressLine(root.err(), root.err() == System.err && System.console() != null);
    }

    @Override
    public synchronized void update(String what, long bytes, long total, boolean done) {
        long now = System.nanoTime();
        if (!what.equals(subject)) {
            subject = what;
            started = now;
            lastShown = 0;
        }
        if (done && bytes <= 0) { // a failed download: its error says the rest
            if (terminal && lastShown != 0) {
                err.println();
            }
            subject = null;
            return;
        }
        if (!done && now - lastShown < (terminal ? REDRAW_NANOS : PLAIN_NANOS)) {
            return;
        }
        lastShown = now;
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        double rate = bytes / seconds;
        String amount = total > 0 ? mb(bytes) + "/" + mb(total) + " MB" : mb(bytes) + " MB";
        String speed = String.format(Locale.ROOT, "%.1f MB/s", rate / 1e6);
        String eta = total > 0 && rate > 0 && !done ? " ETA " + Math.round((total - bytes) / rate) + "s" : "";
        String name = TerminalText.escape(what);
        if (terminal) {
            int filled = total > 0 ? (int) Math.min(BAR, BAR * bytes / total) : 0;
            String bar = "[" + "=".repeat(filled) + " ".repeat(BAR - filled) + "]";
            err.print("\r" + name + " " + bar + " " + amount + " " + speed + eta + "\u001b[K");
            if (done) {
                err.println();
            }
        } else {
            err.println("rkj: " + (done ? "fetched " : "fetching ") + name + ": " + amount + ", " + speed + eta);
        }
        err.flush();
        if (done) {
            subject = null;
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }
}
