package dev.rkj.api.cli;

import dev.rkj.api.http.JsonViews;
import dev.rkj.engine.read.EventFeed;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj events}: the journal's events after an index, each with its pod's or image's state
 * after it; with {@code --follow}, then every new one as it is appended, until interrupted. The
 * index is the cursor: {@code --after} the last index seen resumes with nothing missed or repeated.
 * Read-only.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Show the journal's events with the state each left, and follow new ones.",
        footer = {"", "Examples:", "  rkj events --follow                     # everything so far, then live",
            "  rkj events --after 120 --format=json    # what came after index 120, one JSON object a line",
            "  rkj events -f --aggregate 5f3a2b1c-...  # one pod's events, live"})
final class EventsCommand implements Callable<Integer> {
    /** Envelopes read per poll: bounds one read's work and memory. */
    private static final int BATCH = 512;
    private static final long MAX_WAIT_MILLIS = 100;

    @ParentCommand
    RkjCommand root;

    @Option(names = "--after", paramLabel = "INDEX", description = "only events after this journal index (default: from the first)")
    Long after;

    @Option(names = {"--follow", "-f"}, description = "keep printing new events as they are appended (Ctrl-C ends)")
    boolean follow;

    @Option(names = "--aggregate", paramLabel = "ID", description = "only this pod's (full UUID) or image's (full ID) events")
    String aggregate;

    @Option(names = "--type", paramLabel = "TYPE", split = ",", description = "only events of these types (e.g. pod.started,pod.exited)")
    List<String> types = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json: one JSON object a line")
    OutputFormat format = OutputFormat.table;

    @Option(names = "--no-legend", description = "no header line in the table")
    boolean noLegend;

    @Override
    public Integer call() throws JournalException, InterruptedException {
        Journal journal = root.readContext().readJournal();
        long start = after == null ? journal.firstIndex() - 1 : after; // every event still kept
        if (start < -1) {
            throw new CliException("--after " + start + " is not a journal index: give 0 or more (or leave it out for every event)");
        }
        long end = journal.nextIndex();
        if (start >= end) {
            throw new CliException("--after " + start + " is beyond the journal's last index (" + (end - 1)
                    + "): give an index seen in rkj events or rkj journal show");
        }
        EventFeed feed = new EventFeed(journal, start,
                new EventFeed.Filter(Optional.ofNullable(aggregate), Set.copyOf(types)), root.readContext().snapshots());
        PrintStream out = root.out();
        if (format == OutputFormat.table && !noLegend) {
            out.println(String.join("  ", "INDEX", "TIME", "AGGREGATE", "TYPE", "STATE"));
        }
        long wait = 1;
        while (true) {
            List<EventFeed.Item> items = feed.poll(BATCH);
            items.forEach(item -> out.println(format == OutputFormat.json ? JsonViews.event(item).toString() : line(item)));
            out.flush();
            if (!feed.caughtUp()) {
                wait = 1;
                continue;
            }
            if (!follow) {
                return 0;
            }
            Thread.sleep(wait); // appends by other processes: polled, backing off while idle
            wait = Math.min(MAX_WAIT_MILLIS, wait * 2);
        }
    }

    private static String line(EventFeed.Item item) {
        Envelope env = item.envelope();
        String state = item.pod().map(p -> p.status().displayName())
                .or(() -> item.image().map(i -> "stored"))
                .orElse(item.envelope().type().name().startsWith("image.") ? "removed" : "-");
        return env.index() + "  " + env.time().truncatedTo(ChronoUnit.MILLIS) + "  " + TerminalText.escape(env.aggregateId())
                + "  " + env.type().name() + "  " + state;
    }
}
