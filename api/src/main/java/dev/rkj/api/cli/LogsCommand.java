package dev.rkj.api.cli;

import dev.rkj.engine.pod.PodLookupException;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.read.LogRecord;
import dev.rkj.engine.read.NoLogException;
import dev.rkj.engine.read.PodLogs;
import dev.rkj.engine.read.LogRecords;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.Stage1Plan;
import dev.rkj.stage1.kernel.LinuxKernel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj logs}: what a pod's apps wrote to stdout and stderr, kept by stage1 as records in
 * {@code logs/<app>} (and {@code logs/<app>.1} once rotated) until the pod is removed;
 * {@code --follow} keeps printing until its stage1 ends. Read-only: it needs no engine and writes
 * nothing. Choosing, reading and following is {@link PodLogs}'s; this prints.
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
        Printer printer = new Printer(root.out(), root.err(), timestamps);
        String name = app;
        try (PodLogs logs = PodLogs.open(LinuxKernel.get(), pod, dir, app, from, tail, follow)) {
            name = logs.app();
            for (List<LogRecord> records = logs.next(); ; records = logs.next()) {
                printer.print(records);
                if (logs.done()) {
                    break;
                }
                if (records.isEmpty()) {
                    Thread.sleep(PodLogs.FOLLOW_POLL.toMillis());
                }
            }
        } catch (NoLogException e) {
            throw new CliException(e.reason() == NoLogException.Reason.SEVERAL_APPS
                    ? e.getMessage() + " with --app NAME" : e.getMessage(), e);
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
                    byte[] stamp = (LogRecords.stamp(r.time()) + " ").getBytes(StandardCharsets.US_ASCII);
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
}
