package dev.rkj.api.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.Durations;
import dev.rkj.engine.Engine;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.engine.host.StoreImages;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.store.AmbiguousImageException;
import dev.rkj.engine.store.ImageNotFoundException;
import dev.rkj.engine.EngineException;
import dev.rkj.engine.pod.PodLookupException;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.read.AsOf;
import dev.rkj.engine.read.PodRead;
import dev.rkj.engine.read.PodSnapshot;
import dev.rkj.eventlog.JournalException;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.engine.stage.GcReport;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.kernel.LinuxKernel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** rkt's pod commands: run, prepare, run-prepared, list, status, stop, rm, gc, enter, cat-manifest. */
final class PodCommands {
    /** How long a command waits for the engine to record something that happens at once. */
    static final Duration PROMPT = Duration.ofMinutes(2);
    /**
     * How long {@code run} and {@code status --wait} wait for a pod's end: as long as the app runs.
     * Not unbounded in effect: the engine fails the wait as soon as the pod can no longer end as
     * awaited (it was deleted, the journal cannot be read or written, or its engine is gone and
     * cannot be taken over), see {@link Engine#awaitStatus}.
     */
    static final Duration FOREVER = Duration.ofDays(3650);

    private PodCommands() {}

    /**
     * Waits in the foreground for a pod this process launched to end, stopping it if the user
     * interrupts rkj, and turns its end into {@code rkj run}'s exit code.
     */
    static int awaitExit(RkjCommand root, Engine engine, String podId) throws EngineException, PodLookupException {
        if (root.invocation().remote()) {
            PodState pod = engine.pod(podId);
            return pod.spec() != null && pod.spec().interactive() ? attachToExit(root, engine, pod)
                    : followToExit(root, engine, podId);
        }
        Thread hook = stopOnInterrupt(engine, podId);
        try {
            PodState pod = Engine.await(engine.awaitStatus(podId, p -> p.status() == PodStatus.RUNNING || settled(p),
                    FOREVER), FOREVER);
            warnIgnoredIsolators(root, pod);
            if (pod.spec() != null && pod.spec().interactive()) { // this terminal is the app's until it is done
                root.out().flush();
                try {
                    attach(AttachClient.local(LinuxKernel.get()), new PodDir(podDir(root, pod)).attach(), engine, podId);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException("interrupted while attaching to pod " + podId);
                }
            }
            PodState end = Engine.await(engine.awaitStatus(podId, PodCommands::settled, FOREVER), FOREVER);
            return exitCode(end);
        } finally {
            removeHook(hook);
        }
    }

    private static void attach(AttachClient.UserTerminal user, Path socket, Engine engine, String podId)
            throws InterruptedException {
        try {
            AttachClient.relay(LinuxKernel.get(), user, socket, () -> {
                try {
                    return settled(engine.pod(podId));
                } catch (PodLookupException e) {
                    return true; // removed: nothing to attach to
                }
            });
        } catch (IOException e) {
            throw new CliException("cannot attach to pod " + podId + " at " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Through the daemon: the client's Ctrl-C, SIGTERM or hangup stops the pod, as in-process. */
    private static void stopOnClientSignal(RkjCommand root, Engine engine, String podId) {
        Invocation caller = root.invocation();
        caller.onSignal(() -> {
            try {
                stopInterrupted(engine, podId, caller.grantor("run"));
            } catch (EngineException | PodLookupException e) {
                root.err().println("rkj: cannot stop pod " + podId + ": " + e.getMessage());
            }
        });
    }

    /**
     * {@code rkj run --interactive} through the daemon: the thin client's terminal, relayed by it,
     * attached to the pod's pty until the app is done, then its exit status. The client's SIGTERM
     * or hangup stops the pod as in-process; the client gone (killed) detaches (stage1 reads EOF:
     * nobody holds the user's terminal) and ends this thread; the pod runs on.
     */
    private static int attachToExit(RkjCommand root, Engine engine, PodState pod) throws EngineException, PodLookupException {
        Invocation caller = root.invocation();
        String podId = pod.podId();
        stopOnClientSignal(root, engine, podId);
        try {
            root.out().flush();
            attach(caller.terminal(), new PodDir(podDir(root, pod)).attach(), engine, podId);
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            return exitCode(Engine.await(engine.awaitStatus(podId, PodCommands::settled, FOREVER), FOREVER));
        } catch (InterruptedException e) { // the client is gone: nobody to tell, and the pod runs on
            Thread.currentThread().interrupt();
            throw CliException.alreadyReported();
        } catch (EngineException e) {
            if (Thread.currentThread().isInterrupted()) { // gone while the pod's end was awaited
                throw CliException.alreadyReported();
            }
            throw e;
        } finally {
            caller.onSignal(null);
        }
    }

    /**
     * Tells, once, on stderr, which of the pod's isolators rkj ignored (ace.md: an executor must say):
     * {@code rkj: warning: app web: os/linux/apparmor-profile ignored: rkj applies no AppArmor profiles};
     * then the start's other warnings (an image's mount point given an empty volume).
     */
    static void warnIgnoredIsolators(RkjCommand root, PodState pod) {
        pod.isolators().stream().filter(i -> i.outcome() == dev.rkj.engine.pod.IsolatorOutcome.Outcome.IGNORED)
                .forEach(i -> root.err().println("rkj: warning: " + i.describe()));
        pod.warnings().forEach(w -> root.err().println("rkj: warning: " + w));
    }

    /** The pod will never run again: it exited, its preparation was aborted, or it is gone. */
    static boolean settled(PodState s) {
        return s.status().isFinished();
    }

    static int exitCode(PodState end) {
        if (end.status() == PodStatus.ABORTED_PREPARE || end.exitCode() == null) {
            String why = end.failure() != null ? end.failure().stage().name().toLowerCase() + ": " + end.failure().reason()
                    : end.lostReason() != null ? end.lostReason() : "pod ended as " + end.status().displayName();
            throw new CliException("pod " + end.podId() + " failed: " + why);
        }
        return end.exitCode();
    }

    /** How long an interrupted {@code rkj run}'s pod has after SIGTERM before it is killed. */
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(5);

    /**
     * Stops the pod if the user interrupts {@code rkj run} (Ctrl-C, SIGTERM, a hangup): SIGTERM, then
     * SIGKILL after {@link #INTERRUPT_GRACE}, so the pod does not outlive the command.
     */
    private static Thread stopOnInterrupt(Engine engine, String podId) {
        Thread hook = new Thread(() -> {
            try {
                stopInterrupted(engine, podId, Invocation.local().grantor("run"));
            } catch (Exception e) {
                // the JVM is going down; the pod's own engine-less status is recovered by the next rkj
            }
        }, "rkj-run-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** What an interrupted {@code rkj run} does to its pod: SIGTERM, SIGKILL after {@link #INTERRUPT_GRACE}. */
    private static void stopInterrupted(Engine engine, String podId, dev.rkj.engine.Grantor grantor) throws EngineException, PodLookupException {
        PodState s = engine.pod(podId);
        if (s.status() == PodStatus.RUNNING) {
            Engine.await(engine.stop(podId, false, grantor), Duration.ofSeconds(5));
            try {
                Engine.await(engine.awaitStatus(podId, PodCommands::settled, INTERRUPT_GRACE),
                        INTERRUPT_GRACE.plusSeconds(1));
            } catch (EngineException ignoresSigterm) { // an interactive shell does: as rkj stop, SIGKILL
                Engine.await(engine.stop(podId, true, grantor), Duration.ofSeconds(5));
                Engine.await(engine.awaitStatus(podId, PodCommands::settled, Duration.ofSeconds(5)),
                        Duration.ofSeconds(6));
            }
        }
    }

    /** How often a {@code run} through the daemon looks for the app's new output and the pod's end. */
    private static final long FOLLOW_MILLIS = 50;

    /**
     * {@code rkj run} through the daemon: the pod's stage1 writes to the daemon's stdout, so the
     * client gets the app's output from its log (as {@code rkj logs --follow}) until the pod ends,
     * then its exit status. The client's Ctrl-C, SIGTERM or hangup stops the pod as in-process; the
     * client gone (killed) ends this thread and leaves the pod running, as a killed in-process run does.
     */
    private static int followToExit(RkjCommand root, Engine engine, String podId) throws PodLookupException {
        Invocation caller = root.invocation();
        stopOnClientSignal(root, engine, podId);
        PodDir dir = new PodDir(podDir(root, engine.pod(podId)));
        LogsCommand.Printer printer = new LogsCommand.Printer(root.out(), root.err(), false);
        dev.rkj.engine.read.AppLog log = null;
        boolean warned = false;
        try {
            while (true) {
                PodState s = engine.pod(podId);
                if (!warned && (s.stage1Pid() != null || settled(s))) {
                    warnIgnoredIsolators(root, s);
                    warned = true;
                }
                if (log == null && !s.apps().isEmpty()) {
                    log = dev.rkj.engine.read.AppLog.of(dir, s.apps().keySet().iterator().next());
                }
                if (log != null) {
                    printer.print(settled(s) ? log.end() : log.poll());
                }
                if (settled(s)) {
                    return exitCode(s);
                }
                Thread.sleep(FOLLOW_MILLIS);
            }
        } catch (IOException e) {
            throw new CliException("cannot read the output of pod " + podId + " in " + dir.logsDir() + ": " + e.getMessage()
                    + " (the pod runs on: see rkj status " + podId + ")", e);
        } catch (InterruptedException e) { // the client is gone: nobody to tell, and the pod runs on
            Thread.currentThread().interrupt();
            throw CliException.alreadyReported();
        } finally {
            caller.onSignal(null);
            if (log != null) {
                try {
                    log.close();
                } catch (IOException e) {
                    // nothing was written through it
                }
            }
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    static void saveUuid(Path file, String podId) {
        if (file == null) {
            return;
        }
        try {
            Files.writeString(file, podId);
        } catch (IOException e) {
            throw new CliException("cannot write the pod UUID to " + file + ": " + e.getMessage(), e);
        }
    }

    /** A time in {@code status}: ISO 8601 in UTC, to the millisecond ({@code 2026-12-05T03:00:00.123Z}). */
    static String time(Instant t) {
        return t == null ? "" : t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    }

    /**
     * {@code rkj run}: prepare and run a pod in the foreground; exits with the app's status (of several
     * apps, the first to fail's, or 0).
     */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run images as a pod in the foreground, one app each; exit with the app's status.",
                "A pod of several apps exits with the status of the first app to fail, or 0 if all succeed."})
    static final class Run implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        RkjCommand root;

        @Mixin
        PodOptions options;

        @Option(names = {"--detach", "-d"}, description = "start the pod, print its UUID and return; the pod runs on"
                + " (its output: rkj logs UUID; its end: rkj status UUID)")
        boolean detach;

        @Override
        public Integer call() throws Exception {
            var spec = options.spec();
            if (detach && spec.interactive()) {
                throw new CliException("--detach and --interactive do not go together: an interactive pod needs this"
                        + " terminal; leave one out");
            }
            refuseWhatCannotRun(root, spec, options.pullPolicy());
            // A detached pod outlives this command: its stage1 must not write to this terminal.
            Engine engine = detach && !root.invocation().remote() ? root.context().engine(false, Context.DISCARD, null) : root.context().engine();
            String podId = Engine.await(engine.createPod(spec, root.invocation().grantor("run"), true), PROMPT);
            saveUuid(options.uuidFileSave, podId);
            if (detach) {
                PodState s = Engine.await(engine.awaitStatus(podId, p -> p.status() == PodStatus.RUNNING || settled(p),
                        PROMPT), PROMPT);
                if (s.status() == PodStatus.ABORTED_PREPARE || settled(s) && s.exitCode() == null) {
                    exitCode(s); // says why in one line
                }
                warnIgnoredIsolators(root, s);
                root.out().println(podId);
                return ExitCodes.OK;
            }
            return awaitExit(root, engine, podId);
        }
    }


    /** {@code rkj prepare}: fetch, verify, render and prepare a pod without running it; prints its UUID. */
    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = "Prepare a pod (fetch, verify, render, set up its root) and print its UUID.")
    static final class Prepare implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        RkjCommand root;

        @Mixin
        PodOptions options;

        @Override
        public Integer call() throws Exception {
            var spec = options.spec();
            refuseWhatCannotRun(root, spec, options.pullPolicy());
            Engine engine = root.context().engine();
            String podId = Engine.await(engine.createPod(spec, root.invocation().grantor("prepare"), false), PROMPT);
            PodState s = Engine.await(engine.awaitStatus(podId,
                    p -> p.status() == PodStatus.PREPARED || p.status() == PodStatus.ABORTED_PREPARE, PROMPT), PROMPT);
            if (s.status() != PodStatus.PREPARED) {
                exitCode(s);
            }
            saveUuid(options.uuidFileSave, podId);
            root.out().println(podId);
            return ExitCodes.OK;
        }
    }

    /** {@code rkj run-prepared UUID}: run a prepared pod in the foreground. */
    @Command(name = "run-prepared", mixinStandardHelpOptions = true,
            description = "Run a prepared pod in the foreground; exit with the app's status.")
    static final class RunPrepared implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        RkjCommand root;

        @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a prefix is enough)")
        String uuid;

        @Override
        public Integer call() throws Exception {
            Engine engine = root.context().engine();
            if (!root.invocation().hasTerminal()) {
                PodState p = lookup(engine, uuid);
                if (p.spec() != null && p.spec().interactive()) {
                    throw new Cli.InProcessOnly("run-prepared of an interactive pod needs the client's terminal, which this"
                            + " client does not relay");
                }
            }
            PodState started = Engine.await(engine.runPrepared(uuid, root.invocation().grantor("run-prepared")), PROMPT);
            return awaitExit(root, engine, started.podId());
        }
    }

    /**
     * Reads the pods with no engine: the latest state, after settling pods whose stage1 is gone
     * (see {@link PodReader}), or the state as of {@code at} ({@code --at INDEX|TIME}).
     */
    static PodSnapshot read(RkjCommand root, String at) {
        AsOf asOf;
        try {
            asOf = at == null ? AsOf.latest() : AsOf.parse(at);
        } catch (IllegalArgumentException e) {
            throw new CliException("--at " + e.getMessage());
        }
        try {
            return root.readContext().reader().read(asOf);
        } catch (IllegalArgumentException e) {
            throw new CliException("--at " + at + ": " + e.getMessage(), e);
        } catch (JournalException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    static final String AT_HELP = "show the state as of a journal position: INDEX (after the event at that index,"
            + " see rkj journal show) or TIME (ISO-8601, e.g. 2026-12-05T03:00:00Z; without an offset it is UTC,"
            + " as rkj list prints; the events recorded at or before it)";

    /** {@code rkj list [--at INDEX|TIME]}: the pods, as rkt shows them. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List pods.")
    static final class ListPods implements Runnable {
        @ParentCommand
        RkjCommand root;

        @Option(names = "--format", paramLabel = "FORMAT", description = OutputFormat.DESCRIPTION)
        OutputFormat format = OutputFormat.table;

        @Option(names = "--no-legend", description = "leave out the header line")
        boolean noLegend;

        @Option(names = "--full", description = "full UUIDs, image IDs and absolute times (ISO 8601, UTC)")
        boolean full;

        @Option(names = "--at", paramLabel = "INDEX|TIME", description = AT_HELP)
        String at;

        @Override
        public void run() {
            List<PodRead> pods = read(root, at).list();
            PrintStream out = root.out();
            if (format == OutputFormat.json) {
                ArrayNode array = Json.mapper().createArrayNode();
                for (PodRead p : pods) {
                    array.add(json(p));
                }
                out.println(array.toString());
                return;
            }
            List<String[]> rows = new ArrayList<>();
            if (!noLegend) {
                rows.add(new String[] {"UUID", "APPS", "IMAGE NAME", "STATE", "CREATED", "STARTED", "EXIT", "NETWORKS"});
            }
            boolean unrecorded = false;
            Instant now = Instant.now();
            for (PodRead read : pods) {
                PodState p = read.state();
                List<String> names = new ArrayList<>();
                List<String> images = new ArrayList<>();
                for (PodState.AppView app : p.appViews()) {
                    names.add(app.name() == null ? "-" : app.name());
                    images.add(app.image() == null ? app.imageRef()
                            : full ? app.image().name() + " (" + app.image().id() + ")" : app.image().name());
                }
                String apps = names.isEmpty() ? "-" : String.join(",", names);
                String image = images.isEmpty() ? "-" : String.join(",", images);
                unrecorded |= !read.recorded();
                rows.add(new String[] {full ? p.podId() : p.podId().substring(0, 8), apps, image,
                    p.status().displayName() + (read.recorded() ? "" : "*"),
                    Table.time(p.createdAt().orElse(null), full, now), Table.time(p.startedAt().orElse(null), full, now),
                    p.exitCode() == null ? "" : p.exitCode().toString(),
                    dev.rkj.engine.pod.NetworkAttachment.describe(p.networks())});
            }
            Table.print(rows, out);
            if (unrecorded) {
                root.err().println("rkj: * its stage1 is gone: the state shown is what it left, not yet in the"
                        + " journal (see rkj status UUID)");
            }
        }

        static ObjectNode json(PodRead read) {
            ObjectNode n = json(read.state());
            if (!read.recorded()) {
                n.put("recorded", false);
                n.put("unrecorded_reason", read.unrecorded());
            }
            return n;
        }

        static ObjectNode json(PodState p) {
            return dev.rkj.api.http.JsonViews.pod(p);
        }
    }

    /**
     * {@code rkj status [--wait | --at INDEX|TIME] UUID...}: a pod's state, pid and exit statuses, as
     * key=value lines.
     */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the status of a pod.",
            footer = {"", "Lines: state, created, started, pid, exited, app-NAME (exit status), failure, lost, and one"
                    + " isolator=... per isolator of the pod's manifest: applied, modified or ignored, and why; and one"
                    + " warning=... per warning of its start (an image's mount point given an empty volume); networks="
                    + "NAME:ip4=ADDR... for a pod on CNI networks."})
    static final class Status implements Runnable {
        @ParentCommand
        RkjCommand root;

        @Option(names = "--wait", arity = "0..1", fallbackValue = "true", paramLabel = "DURATION",
                description = "wait until the pod has exited: for ever, or at most DURATION (e.g. 30s, 5m)")
        String waitForExit;

        @Option(names = "--wait-ready", arity = "0..1", fallbackValue = "true", paramLabel = "DURATION",
                description = "wait until the pod's apps are running (or it ended): for ever, or at most DURATION")
        String waitReady;

        @Option(names = "--format", paramLabel = "FORMAT", description = OutputFormat.DESCRIPTION)
        OutputFormat format = OutputFormat.table;

        @Option(names = "--at", paramLabel = "INDEX|TIME", description = AT_HELP)
        String at;

        @Parameters(arity = "1..*", paramLabel = "UUID",
                description = "the pod (a prefix is enough); several pods are shown one after the other")
        List<String> uuids = new ArrayList<>();

        @Override
        public void run() {
            Duration exitLimit = waitLimit("--wait", waitForExit);
            Duration readyLimit = waitLimit("--wait-ready", waitReady);
            if ((exitLimit != null || readyLimit != null) && at != null) {
                throw new CliException("--wait and --at exclude each other: --at shows the past, --wait waits for the future");
            }
            if (uuids.size() == 1) {
                show(status(uuids.get(0), exitLimit, readyLimit), false);
                return;
            }
            boolean failed = false;
            for (String uuid : uuids) {
                try {
                    show(status(uuid, exitLimit, readyLimit), true);
                } catch (CliException e) {
                    root.err().println("rkj: status " + quoted(uuid) + ": " + e.getMessage());
                    failed = true;
                }
            }
            if (failed) {
                throw CliException.alreadyReported(); // one line per pod above; the others were shown
            }
        }

        private PodRead status(String uuid, Duration exitLimit, Duration readyLimit) {
            if (exitLimit != null || readyLimit != null) {
                // Waiting needs an engine that records the pod's exit as it happens, even if its own engine is gone.
                Engine engine = root.context().engine(true);
                PodState p = lookup(engine, uuid);
                if (readyLimit != null) {
                    p = awaitOrSay(engine, p, s -> s.stage1Pid() != null || settled(s), readyLimit, "running");
                }
                if (exitLimit != null) {
                    p = awaitOrSay(engine, p, PodCommands::settled, exitLimit, "exited");
                }
                return new PodRead(p, null);
            }
            try {
                return read(root, at).pod(uuid);
            } catch (PodLookupException e) {
                throw new CliException(e.getMessage() + (at == null ? "" : " as of --at " + at), e);
            }
        }

        /** One pod's status; with {@code named}, led by its UUID (several pods: a JSON object a line, or blocks). */
        private void show(PodRead read, boolean named) {
            PodState p = read.state();
            PrintStream out = root.out();
            if (format == OutputFormat.json) {
                out.println(ListPods.json(read));
                return;
            }
            if (named) {
                out.println("uuid=" + p.podId());
            }
            out.println("state=" + p.status().displayName());
            out.println("created=" + time(p.createdAt().orElse(null)));
            out.println("started=" + time(p.startedAt().orElse(null)));
            if (p.stage1Pid() != null) {
                out.println("pid=" + p.stage1Pid());
            }
            out.println("exited=" + settled(p));
            for (PodState.AppView app : p.appViews()) {
                if (app.name() == null) {
                    continue;
                }
                out.println("app-" + app.name() + "-image=" + (app.image() == null ? app.imageRef() : app.image().name()));
                out.println("app-" + app.name() + "-state=" + app.state());
                if (app.status() != null && app.status().exitCode() != null) {
                    out.println("app-" + app.name() + "=" + app.status().exitCode());
                }
            }
            if (p.failure() != null) {
                out.println("failure=" + p.failure().stage().name().toLowerCase() + ": " + p.failure().reason());
            }
            if (p.lostReason() != null) {
                out.println("lost=" + p.lostReason());
            }
            for (dev.rkj.engine.pod.IsolatorOutcome i : p.isolators()) {
                out.println("isolator=" + i.describe());
            }
            p.warnings().forEach(w -> out.println("warning=" + w));
            if (!p.networks().isEmpty()) {
                out.println("networks=" + dev.rkj.engine.pod.NetworkAttachment.describe(p.networks()));
            }
            if (!read.recorded()) {
                out.println("unrecorded=" + read.unrecorded());
            }
            if (named) {
                out.println();
            }
        }
    }

    /** {@code rkj stop [--force] UUID...}: SIGTERM (or SIGKILL) the pods' apps. */
    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop running pods.",
            footer = {"", "Examples:", "  rkj stop 5f3a                 # SIGTERM, then SIGKILL after 10s",
                "  rkj stop --timeout=1m 5f3a    # give the apps a minute",
                "  rkj stop --force 5f3a         # SIGKILL at once (as --timeout=0)"})
    static final class Stop implements Runnable {
        @ParentCommand
        RkjCommand root;

        @Option(names = "--force", description = "kill the apps (SIGKILL) at once instead of asking them to stop (SIGTERM)")
        boolean force;

        @Option(names = {"--timeout", "-t"}, paramLabel = "DURATION", defaultValue = "10s",
                description = "how long the apps have to end after SIGTERM before they get SIGKILL (default ${DEFAULT-VALUE}; 0 kills at once)")
        String timeout;

        @Option(names = "--uuid-file", paramLabel = "FILE", description = "read the pod's UUID from FILE (as written by --uuid-file-save)")
        Path uuidFile;

        @Parameters(arity = "0..*", paramLabel = "UUID", description = "the pods (prefixes are enough)")
        List<String> uuids = new ArrayList<>();

        @Override
        public void run() {
            Duration grace = duration("--timeout", timeout);
            List<String> ids = podIds(uuids, uuidFile);
            Engine engine = root.context().engine();
            List<String> failed = new ArrayList<>();
            for (String id : ids) {
                try {
                    root.out().println(stop(engine, id, force || grace.isZero(), grace));
                } catch (CliException e) {
                    root.err().println("rkj: stop " + quoted(id) + ": " + e.getMessage());
                    failed.add(id);
                }
            }
            if (!failed.isEmpty()) {
                throw CliException.alreadyReported(); // one line per pod above; the others were stopped
            }
        }

        /** SIGTERM, and SIGKILL once {@code grace} has passed with the pod still running (podman's way). */
        private String stop(Engine engine, String id, boolean kill, Duration grace) {
            dev.rkj.engine.Grantor grantor = root.invocation().grantor("stop");
            PodState p = await(engine.stop(id, kill, grantor));
            if (!kill) {
                try {
                    Engine.await(engine.awaitStatus(p.podId(), PodCommands::settled, grace), grace.plusSeconds(5));
                    return p.podId();
                } catch (EngineException e) {
                    if (!(e.getCause() instanceof java.util.concurrent.TimeoutException)) {
                        throw new CliException(e.getMessage(), e);
                    }
                }
                await(engine.stop(p.podId(), true, grantor));
            }
            await(engine.awaitStatus(p.podId(), PodCommands::settled, PROMPT));
            return p.podId();
        }
    }

    /** {@code rkj rm UUID...}: remove exited (or prepared, aborted) pods and everything they left. */
    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove pods that are not running.")
    static final class Remove implements Runnable {
        @ParentCommand
        RkjCommand root;

        @Option(names = "--uuid-file", paramLabel = "FILE", description = "read the pod's UUID from FILE (as written by --uuid-file-save)")
        Path uuidFile;

        @Parameters(arity = "0..*", paramLabel = "UUID", description = "the pods (prefixes are enough)")
        List<String> uuids = new ArrayList<>();

        @Override
        public void run() {
            List<String> ids = podIds(uuids, uuidFile);
            Engine engine = root.context().engine();
            List<String> failed = new ArrayList<>();
            for (String id : ids) {
                try {
                    String podId = lookup(engine, id).podId();
                    await(engine.remove(podId, root.invocation().grantor("rm")));
                    root.out().println("\"" + podId + "\"");
                } catch (CliException e) {
                    root.err().println("rkj: rm " + quoted(id) + ": " + e.getMessage());
                    failed.add(id);
                }
            }
            if (!failed.isEmpty()) {
                throw CliException.alreadyReported(); // one line per pod above; the others were removed
            }
        }
    }

    /** {@code rkj gc}: mark exited pods as garbage and sweep the ones past the grace period. */
    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = "Garbage-collect pods: unmount, remove cgroups and directories of exited pods.")
    static final class Gc implements Runnable {
        @ParentCommand
        RkjCommand root;

        @Option(names = "--grace-period", paramLabel = "D", defaultValue = "30m",
                description = "how long exited pods are kept before they are swept (default 30m; e.g. 0s, 90s, 10m, 1h)")
        String gracePeriod;

        @Option(names = "--expire-prepared", paramLabel = "D", defaultValue = "24h",
                description = "how long prepared pods are kept unused (default 24h)")
        String expirePrepared;

        @Option(names = "--mark-only", description = "only mark pods as garbage; sweep nothing")
        boolean markOnly;

        @Option(names = "--unknown-pods", description = "also remove pod directories the journal does not know"
                + " (left by a lost or truncated journal; see rkj journal verify)")
        boolean unknownPods;

        @Override
        public void run() {
            Engine engine = root.context().engine();
            GcReport report = await(engine.gc(duration("--grace-period", gracePeriod),
                    duration("--expire-prepared", expirePrepared), markOnly, root.invocation().grantor("gc")));
            report.marked().forEach(id -> root.out().println("Marked pod \"" + id + "\" as garbage"));
            report.deleted().forEach(id -> root.out().println("Garbage collected pod \"" + id + "\""));
            report.failed().forEach((id, why) -> root.err().println("rkj: could not collect pod " + id + ": " + why));
            if (unknownPods && !markOnly) {
                GcReport unknown = await(engine.collectUnknownPods());
                unknown.deleted().forEach(id -> root.out().println("Removed unknown pod directory \"" + id + "\""));
                unknown.failed().forEach((id, why) -> root.err().println("rkj: could not remove " + id + ": " + why));
                report = new GcReport(report.marked(), report.deleted(), merged(report.failed(), unknown.failed()));
            }
            if (!report.failed().isEmpty()) {
                throw new CliException("gc could not collect " + report.failed().size() + " pod(s); see above, then retry rkj gc");
            }
        }
    }

    private static java.util.Map<String, String> merged(java.util.Map<String, String> a, java.util.Map<String, String> b) {
        java.util.Map<String, String> all = new java.util.TreeMap<>(a);
        all.putAll(b);
        return all;
    }

    /** {@code rkj enter UUID [CMD...]}: run a command in a running pod, through stage1. */
    @Command(name = "enter", mixinStandardHelpOptions = true,
            description = "Run a command (default /bin/sh) inside a running pod's namespaces and root.")
    static final class Enter implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        RkjCommand root;

        @Option(names = "--app", paramLabel = "NAME", description = "the app whose root and environment to use")
        String app;

        @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a prefix is enough)")
        String uuid;

        @Parameters(index = "1..*", paramLabel = "CMD", description = "the command and its arguments")
        List<String> command = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            Engine engine = root.context().engine();
            PodState p = lookup(engine, uuid);
            if (p.status() != PodStatus.RUNNING) {
                throw new CliException("pod " + p.podId() + " is " + p.status().displayName()
                        + ": only a running pod can be entered");
            }
            List<String> argv = new ArrayList<>();
            argv.add(root.context().stage1Binary().toString());
            argv.add("enter");
            argv.add(podDir(root, p).toString());
            if (app != null) {
                argv.add("--app");
                argv.add(app);
            }
            argv.add("--");
            argv.addAll(command.isEmpty() ? List.of("/bin/sh") : command);
            Process process = new ProcessBuilder(argv).inheritIO().start();
            return process.waitFor();
        }
    }

    /** {@code rkj cat-manifest UUID}: the pod's manifest as rkj wrote it. */
    @Command(name = "cat-manifest", mixinStandardHelpOptions = true, description = "Print a pod's manifest.")
    static final class CatManifest implements Runnable {
        @ParentCommand
        RkjCommand root;

        @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a prefix is enough)")
        String uuid;

        @Override
        public void run() {
            PodState p;
            try {
                p = read(root, null).pod(uuid).state();
            } catch (PodLookupException e) {
                throw new CliException(e.getMessage(), e);
            }
            if (p.manifestDigest() == null) {
                throw new CliException("pod " + p.podId() + " is " + p.status().displayName()
                        + ": it has no manifest until it is prepared");
            }
            Path manifest = new PodDir(podDir(root, p)).manifest();
            try {
                root.out().println(Files.readString(manifest).strip());
            } catch (IOException e) {
                throw new CliException("cannot read the manifest of pod " + p.podId() + " at " + manifest
                        + ": " + e.getMessage(), e);
            }
        }
    }

    static PodState lookup(Engine engine, String uuid) {
        try {
            return engine.pod(uuid);
        } catch (dev.rkj.engine.pod.PodLookupException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    static <T> T await(io.vertx.core.Future<T> future) {
        return await(future, PROMPT);
    }

    static <T> T await(io.vertx.core.Future<T> future, Duration timeout) {
        try {
            return Engine.await(future, timeout);
        } catch (EngineException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    /**
     * What is known to fail before a pod is made of {@code spec} is refused in one line and leaves
     * no aborted pod behind: an image the verifier refuses whatever it is (no
     * {@code --insecure-options=image}), and an image named by ID that is not in the store. A URL
     * or a name is fetched here, per {@code policy}, with progress on this terminal, so the pod finds it
     * in the store. A file is checked by {@link PodOptions#spec}.
     */
    static void refuseWhatCannotRun(RkjCommand root, PodSpec spec, dev.rkj.engine.fetch.PullPolicy policy)
            throws Exception {
        try { // a network no net.d names: refused before a pod exists
            dev.rkj.engine.net.NetworkConfigs.of(root.context().dataDir()).requireKnown(spec.networking());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        for (PodSpec.AppSpec app : spec.apps()) {
            java.util.Optional<String> refused = HostEngine.verifier(root.context().imageStore(), root.trustStore())
                    .refusesAnyImage(spec, app.imageRef());
            if (refused.isPresent()) {
                throw new CliException(refused.get());
            }
        }
        try (RemoteFetch remote = new RemoteFetch(root)) {
            for (PodSpec.AppSpec app : spec.apps()) {
                String ref = app.imageRef();
                if (RemoteFetch.remote(ref)) {
                    remote.fetch(ref, policy, spec.insecureOptions().contains(PodSpec.InsecureOption.HTTP),
                            spec.insecureOptions().contains(PodSpec.InsecureOption.TLS), null,
                            dev.rkj.engine.store.SignaturePolicy.of(spec.allows(PodSpec.InsecureOption.IMAGE),
                                    root.trustStore()));
                } else if (!StoreImages.isFileReference(ref)) {
                    refuseAnImageNotInTheStore(root, ref);
                }
            }
        }
    }

    private static void refuseAnImageNotInTheStore(RkjCommand root, String ref) throws Exception {
        try {
            root.context().imageStore().resolve(ref);
        } catch (ImageNotFoundException e) {
            boolean onDisk;
            try {
                onDisk = Files.exists(Path.of(ref));
            } catch (java.nio.file.InvalidPathException notAPath) {
                onDisk = false;
            }
            throw new CliException(e.getMessage() + (onDisk ? "; to run the file " + ref + " here, write it as ./" + ref
                    : ""), e);
        } catch (AmbiguousImageException | IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    /** A pod id as given, quoted when empty so that a line still shows it. */
    static String quoted(String id) {
        return id.isEmpty() ? "\"\"" : id;
    }

    /** The pods named on the command line and in {@code --uuid-file}; at least one. */
    static List<String> podIds(List<String> given, Path uuidFile) {
        List<String> ids = new ArrayList<>(given);
        if (uuidFile != null) {
            try {
                String uuid = Files.readString(uuidFile).strip();
                if (uuid.isEmpty()) {
                    throw new CliException("--uuid-file " + uuidFile + " is empty: it should hold a pod's UUID");
                }
                ids.add(uuid);
            } catch (IOException e) {
                throw new CliException("cannot read --uuid-file " + uuidFile + ": "
                        + (e instanceof java.nio.file.NoSuchFileException ? "it does not exist" : e.getMessage()), e);
            }
        }
        if (ids.isEmpty()) {
            throw new CliException("give at least one pod: its UUID (a prefix is enough) or --uuid-file FILE");
        }
        return ids;
    }

    /** A {@code --wait[=DURATION]} flag as rkt reads it: absent or false, no wait; given or true, for ever. */
    static Duration waitLimit(String flag, String value) {
        if (value == null || value.equalsIgnoreCase("false")) {
            return null;
        }
        return value.equalsIgnoreCase("true") ? FOREVER : duration(flag, value);
    }

    /** The pod's state once {@code until} holds; a one-line error naming its state if {@code limit} passes first. */
    private static PodState awaitOrSay(Engine engine, PodState pod, java.util.function.Predicate<PodState> until,
                                       Duration limit, String awaited) {
        try {
            return Engine.await(engine.awaitStatus(pod.podId(), until, limit), limit.plusSeconds(5));
        } catch (EngineException e) {
            if (e.getCause() instanceof java.util.concurrent.TimeoutException) {
                throw new CliException("pod " + pod.podId() + " is not " + awaited + " after " + Durations.words(limit)
                        + ": it is " + engine.projection().get(pod.podId()).map(s -> s.status().displayName()).orElse("gone"));
            }
            throw new CliException(e.getMessage(), e);
        }
    }

    /** A duration flag's value, as {@link Durations} reads it. */
    static Duration duration(String flag, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException(flag + ": " + e.getMessage());
        }
    }

    /** The pod's directory under the data directory: derived from its id, never stored in an event. */
    private static Path podDir(RkjCommand root, PodState pod) {
        return root.readContext().dataDir().resolve(Stage1Host.PODS).resolve(pod.podId());
    }
}
