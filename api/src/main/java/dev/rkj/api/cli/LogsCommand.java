package dev.rkj.api.cli;

import dev.rkj.engine.pod.PodLookupException;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.read.AppLog;
import dev.rkj.engine.read.LogRecord;
import dev.rkj.engine.read.LogRecords;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.Stage1Plan;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.LinuxKernel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj logs}: what a pod's apps wrote to stdout and stderr, kept by stage1 as records in
 * {@code logs/<app>} (and {@code logs/<app>.1} once rotated) until the pod is removed;
 * {@code --follow} keeps printing until its stage1 ends. Read-only: it needs no engine and writes
 * nothing. Reading and following is {@link AppLog}'s; this prints.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print the output of a pod's apps (running or exited): stdout to stdout, stderr to stderr.",
            "Each app's log is capped at " + LogsCommand.CAP_MIB + " MiB: past it the older part is kept as"
                + " logs/<app>.1 and what was before it is dropped, so an app's logs never take more than "
                + 2 * LogsCommand.CAP_MIB + " MiB."},
        footer = {"", "Examples:", "  rkj logs 5f3a                  # everything the app wrote",
            "  rkj logs --tail 20 --follow 5f3a  # the last 20 lines, then what comes until the pod ends",
            "  rkj logs --since 10m -t 5f3a    # the last ten minutes, each line with its time"})
final class LogsCommand implements Callable<Integer> {
    static final long CAP_MIB = Stage1Plan.DEFAULT_LOG_MAX_SIZE >> 20;
    private static final long POLL_MILLIS = 100;
    /** As the CLI prints times elsewhere: ISO 8601 with the zone (UTC), here to the nanosecond. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);

    @ParentCommand
    RkjCommand root;

    @Option(names = {"--follow", "-f"}, description = "keep printing new output until the pod ends")
    boolean follow;

    @Option(names = "--app", paramLabel = "NAME", description = "only this app (the default when the pod has one)")
    String app;

    @Option(names = {"--tail", "-n"}, paramLabel = "N", description = "only the last N lines (after --since)")
    Integer tail;

    @Option(names = "--since", paramLabel = "DUR|TIME",
            description = "only what was written since then: 10m, 1h30m, or an ISO 8601 time (2026-12-05T10:00:00Z, 2026-12-05)")
    String since;

    @Option(names = {"--timestamps", "-t"}, description = "begin each line with the time stage1 read it")
    boolean timestamps;

    @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a prefix is enough)")
    String uuid;

    @Override
    public Integer call() throws Exception {
        if (tail != null && tail < 0) {
            throw new CliException("--tail " + tail + " is negative: give a number of lines, 0 or more");
        }
        Instant from;
        try {
            from = since == null ? null : LogRecords.since(since, Instant.now(), ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw new CliException("--since " + e.getMessage(), e);
        }
        PodState pod;
        try {
            pod = PodCommands.read(root, null).pod(uuid).state();
        } catch (PodLookupException e) {
            throw new CliException(e.getMessage(), e);
        }
        PodDir dir = new PodDir(root.readContext().dataDir().resolve(Stage1Host.PODS).resolve(pod.podId()));
        List<String> apps = apps(pod, dir);
        if (apps.isEmpty()) {
            throw new CliException("pod " + pod.podId() + " is " + pod.status().displayName()
                    + ": it has no logs until it runs");
        }
        String name = apps.get(0);
        Printer printer = new Printer(root.out(), root.err(), timestamps);
        try (AppLog log = AppLog.of(dir, name)) {
            if (!follow && !log.exists()) {
                throw new CliException("pod " + pod.podId() + " has no log for app " + name
                        + " (an interactive pod keeps none; a pod that has not run has none yet)");
            }
            List<LogRecord> first = follow ? log.poll() : log.end();
            if (from != null) {
                first = LogRecords.since(first, from);
            }
            printer.print(tail == null ? first : LogRecords.tail(first, tail));
            while (follow && running(dir)) {
                Thread.sleep(POLL_MILLIS);
                printer.print(from == null ? log.poll() : LogRecords.since(log.poll(), from));
            }
            if (follow) { // what the app wrote as the pod ended
                printer.print(from == null ? log.end() : LogRecords.since(log.end(), from));
            }
        } catch (IOException e) {
            throw new CliException("cannot read the log of app " + name + " of pod " + pod.podId() + ": " + e.getMessage(), e);
        }
        return ExitCodes.OK;
    }

    /** Prints records' content: stdout's to out, stderr's to err; a part without its newline stays open. */
    static final class Printer {
        private final PrintStream out;
        private final PrintStream err;
        private final boolean timestamps;
        private final boolean[] atLineStart = {true, true};

        Printer(PrintStream out, PrintStream err, boolean timestamps) {
            this.out = out;
            this.err = err;
            this.timestamps = timestamps;
        }

        void print(List<LogRecord> records) {
            for (LogRecord r : records) {
                int s = r.stream().ordinal();
                PrintStream to = r.stream() == LogRecord.Stream.STDERR ? err : out;
                if (timestamps && atLineStart[s] && r.isRecord()) {
                    byte[] stamp = (TIME.format(r.time()) + " ").getBytes(StandardCharsets.US_ASCII);
                    to.write(stamp, 0, stamp.length);
                }
                to.write(r.content(), 0, r.content().length);
                if (!r.partial()) {
                    to.write('\n');
                }
                atLineStart[s] = !r.partial();
            }
            out.flush();
            err.flush();
        }
    }

    /** The apps to print: {@code --app}, else the pod's one app (several need {@code --app}). */
    private List<String> apps(PodState pod, PodDir dir) throws IOException {
        List<String> known = new ArrayList<>(pod.apps().keySet());
        if (known.isEmpty() && Files.isDirectory(dir.logsDir())) {
            try (Stream<Path> logs = Files.list(dir.logsDir())) {
                logs.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(PodDir.ROTATED_LOG_SUFFIX))
                        .sorted().forEach(known::add);
            }
        }
        if (app != null) {
            if (!known.contains(app)) {
                throw new CliException("pod " + pod.podId() + " has no app " + app + ": its apps are " + known);
            }
            return List.of(app);
        }
        if (known.size() > 1) {
            throw new CliException("pod " + pod.podId() + " has several apps " + known + ": choose one with --app NAME");
        }
        return known;
    }

    /** Whether the pod's stage1 still holds its lock (it may still write). */
    private static boolean running(PodDir dir) {
        try {
            return new PodLock(LinuxKernel.get()).held(dir.path());
        } catch (KernelException e) {
            return false;
        }
    }
}
