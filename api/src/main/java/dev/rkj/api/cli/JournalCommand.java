package dev.rkj.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.run.UnknownPods;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalAnchor;
import dev.rkj.engine.snapshot.JournalRetention;
import java.util.Optional;
import dev.rkj.eventlog.JournalException;
import dev.rkj.eventlog.Json;
import dev.rkj.eventlog.Tail;
import dev.rkj.eventlog.UnknownEvent;
import dev.rkj.eventlog.VerifyResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code rkj journal}: read and check the event journal, rkj's source of truth. */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = "Show and verify the event journal.",
        subcommands = {JournalCommand.Show.class, JournalCommand.Verify.class, JournalCommand.Prune.class})
final class JournalCommand implements Runnable {
    @ParentCommand
    RkjCommand root;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                new picocli.CommandLine(this), "missing subcommand: show, verify or prune");
    }

    /** {@code rkj journal show}: the history, readably, one event a line. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the journal's events (all, or one pod's or image's story).")
    static final class Show implements Runnable {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

        @ParentCommand
        JournalCommand parent;

        @Option(names = "--aggregate", paramLabel = "ID", description = "only this pod UUID or image ID (a prefix is enough)")
        String aggregate;

        @Option(names = "--type", paramLabel = "T", description = "only events of this wire type, e.g. pod.started or pod.started/1")
        String type;

        @Option(names = "--from", paramLabel = "N", description = "start at journal index N (default: the oldest kept, 0 unless pruned)")
        Long from;

        @Option(names = "--json", description = "one JSON object a line, the envelope as stored")
        boolean json;

        @Option(names = "--follow", description = "keep printing new events as they are appended (Ctrl-C to stop)")
        boolean follow;

        private final Map<String, Instant> lastSeen = new HashMap<>();

        @Override
        public void run() {
            if (from != null && from < 0) {
                throw new CliException("--from must be 0 or more, got " + from);
            }
            PrintStream out = parent.root.out();
            try {
                Journal journal = parent.root.readContext().readJournal();
                long from = this.from == null ? journal.firstIndex() : this.from;
                if (!follow) {
                    journal.replay(from, e -> print(out, e));
                    return;
                }
                CountDownLatch stopped = new CountDownLatch(1);
                try (Tail tail = journal.tail(from, e -> print(out, e))) {
                    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
                    stopped.await();
                }
            } catch (JournalException e) {
                throw new CliException(e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private boolean selected(Envelope e) {
            if (aggregate != null && !e.aggregateId().startsWith(aggregate)) {
                return false;
            }
            if (type != null) {
                String wire = e.type().toString();
                return type.contains("/") ? wire.equals(type) : e.type().name().equals(type);
            }
            return true;
        }

        private void print(PrintStream out, Envelope e) {
            if (!selected(e)) {
                return;
            }
            if (json) {
                out.println(envelopeJson(e));
                return;
            }
            Instant previous = lastSeen.put(e.aggregateId(), e.time());
            String delta = previous == null ? "" : "  (+" + human(Duration.between(previous, e.time())) + ")";
            String unknown = e.event() instanceof UnknownEvent ? "  [type unknown to this build]" : "";
            out.printf("%6d  %s  %-22s %s%s%s%n      %s%n", e.index(), TIME.format(e.time()), e.type(),
                    e.aggregateId(), delta, unknown, summary(e.payloadJson(), e.aggregateId()));
        }

        static String human(Duration d) {
            long micros = d.toNanos() / 1_000;
            if (micros < 1_000) {
                return micros + "µs";
            }
            if (micros < 1_000_000) {
                return String.format("%.1fms", micros / 1_000.0);
            }
            if (micros < 120_000_000) {
                return String.format("%.2fs", micros / 1_000_000.0);
            }
            return d.toMinutes() + "m" + d.toSecondsPart() + "s";
        }

        /**
         * {@code key=value} pairs of the payload, nested objects flattened to dotted keys (and
         * arrays of objects to {@code key[i].field}), so a
         * line reads without a JSON viewer; nulls, empty values and the aggregate's own id are left out.
         */
        static String summary(String payloadJson, String aggregateId) {
            try {
                JsonNode node = Json.mapper().readTree(payloadJson);
                if (!node.isObject()) {
                    return TerminalText.escape(payloadJson);
                }
                StringBuilder b = new StringBuilder();
                flatten("", node, aggregateId, b);
                return b.toString();
            } catch (IOException ex) {
                return TerminalText.escape(payloadJson);
            }
        }

        private static void flatten(String prefix, JsonNode node, String aggregateId, StringBuilder b) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                String key = prefix + f.getKey();
                if (v.isNull() || (v.isContainerNode() && v.isEmpty()) || v.asText().equals(aggregateId)) {
                    continue;
                }
                if (v.isObject()) {
                    flatten(key + ".", v, aggregateId, b);
                    continue;
                }
                if (v.isArray() && v.get(0).isObject()) { // a pod's apps, its images: key[i].field
                    for (int i = 0; i < v.size(); i++) {
                        flatten(key + "[" + i + "].", v.get(i), aggregateId, b);
                    }
                    continue;
                }
                if (b.length() > 0) {
                    b.append(' ');
                }
                b.append(TerminalText.escape(key)).append('=').append(TerminalText.escape(v.isTextual() ? v.asText() : v.toString()));
            }
        }

        static String envelopeJson(Envelope e) {
            return dev.rkj.api.http.JsonViews.envelope(e).toString();
        }
    }

    /** {@code rkj journal verify}: recompute the hash chain and name the first broken index. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check the journal's hash chain; report the first altered or missing event.")
    static final class Verify implements Runnable {
        @ParentCommand
        JournalCommand parent;

        @Override
        public void run() {
            try {
                Journal journal = parent.root.readContext().readJournal();
                VerifyResult result = journal.verify();
                List<Path> unknown;
                try {
                    unknown = UnknownPods.find(parent.root.readContext().dataDir(), journal);
                } catch (JournalException unreadable) {
                    if (result.ok()) {
                        throw unreadable;
                    }
                    unknown = List.of(); // a broken chain is reported below; which pods it knows is unclear
                }
                for (Path entry : unknown) {
                    parent.root.err().println("rkj: " + UnknownPods.kind(entry) + " " + entry
                            + " is not a pod the journal knows");
                }
                if (!result.ok()) {
                    throw new CliException("journal verify failed at index " + result.firstBrokenIndex().getAsLong()
                            + ": " + result.problem());
                }
                Optional<JournalAnchor> anchor = journal.anchor();
                parent.root.out().println("journal OK: " + result.checked() + " events, hash chain verified"
                        + anchor.map(a -> " from index " + a.firstIndex() + " (older events were pruned; the chain is"
                                + " trusted from the anchor's hash " + a.previousHashHex().substring(0, 16) + "…)").orElse(""));
                if (!unknown.isEmpty()) {
                    throw new CliException(unknown.size() + " entr" + (unknown.size() == 1 ? "y" : "ies")
                            + " under pods/ are not in the journal (see above; a lost or truncated journal): remove"
                            + " them with `rkj gc --unknown-pods`, or restore the journal from a backup");
                }
            } catch (JournalException e) {
                throw new CliException(e.getMessage(), e);
            } catch (IOException e) {
                throw new CliException("cannot list the pods directory under " + parent.root.readContext().dataDir() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** {@code rkj journal prune}: delete old day files, keeping state (a snapshot at the new start). */
    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Delete the journal's oldest day files by age or size; every pod and image stays known"
                    + " (from a projection snapshot taken at the first event kept).",
            footer = {"", "Examples:",
                "  rkj journal prune --keep-days 30        # delete the day files older than 30 days",
                "  rkj journal prune --keep-size 10G       # keep the newest files within 10 GiB",
                "Event cursors older than what is kept get 410 Gone from the API; rkj journal verify checks"
                        + " the chain from the first kept event."})
    static final class Prune implements Runnable {
        @ParentCommand
        JournalCommand parent;

        @Option(names = "--keep-days", paramLabel = "N", description = "keep the day files of the last N days")
        Integer keepDays;

        @Option(names = "--keep-size", paramLabel = "SIZE", description = "keep the newest day files within SIZE (e.g. 500M, 10G)")
        String keepSize;

        @Override
        public void run() {
            dev.rkj.eventlog.Retention retention = RetentionSpec.of(keepDays, keepSize, "--keep-days", "--keep-size");
            Context context = parent.root.context();
            try {
                ChronicleJournal journal = (ChronicleJournal) context.journal();
                JournalRetention.Pruned pruned = JournalRetention.prune(journal, context.snapshots(), retention,
                        Instant.now());
                pruned.warnings().forEach(w -> parent.root.err().println("rkj: warning: " + TerminalText.escape(w)));
                parent.root.out().println(pruned.files() == 0
                        ? "nothing to prune: the journal starts at index " + pruned.firstIndex()
                        : "pruned " + pruned.files() + " day file" + (pruned.files() == 1 ? "" : "s") + " ("
                                + RetentionSpec.human(pruned.bytes()) + "): the journal now starts at index "
                                + pruned.firstIndex());
            } catch (JournalException e) {
                throw new CliException(e.getMessage(), e);
            } catch (IOException e) {
                throw new CliException("cannot write the projection snapshot in " + context.snapshots().directory()
                        + " (" + e.getMessage() + "): nothing was pruned; check free space and permissions", e);
            }
        }
    }
}
