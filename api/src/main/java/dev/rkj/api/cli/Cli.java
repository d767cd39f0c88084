package dev.rkj.api.cli;

import dev.rkj.api.http.CliRoute;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs one {@code rkj} command line and returns its exit code; it never calls {@code System.exit}.
 *
 * <p>Every failure becomes one line on stderr and exit 254, with the stack trace only under
 * {@code --debug}: a bad flag or unknown command, a user error ({@link CliException} or any
 * checked domain exception, whose message says what to do), or a bug.
 */
public final class Cli {
    private final PrintStream out;
    private final PrintStream err;
    private final Invocation caller;
    private String notHere; // why the daemon leaves this command line to the client, once found
    private java.util.function.BiFunction<String, String, java.net.URI> discoveryPages =
            dev.rkj.engine.fetch.Discovery::specPage;

    /** Everything rkj prints goes through {@link TerminalText#safe}: no control character from an image or a user reaches the terminal raw. */
    public Cli(PrintStream out, PrintStream err) {
        this(out, err, Invocation.local());
    }

    Cli(PrintStream out, PrintStream err, Invocation caller) {
        this.out = TerminalText.safe(out);
        this.err = TerminalText.safe(err);
        this.caller = caller;
    }

    /**
     * Runs a thin client's command line in the daemon (see {@link dev.rkj.api.http.CliRoute}) over
     * the daemon's open data directory; the forwarding rule is {@link #refuseWhatStaysInProcess}.
     */
    static int executeFor(CliRoute.Session session, Context shared) throws CliRoute.NotHere {
        if (session.uid() != 0) {
            // The uid is the kernel's (SO_PEERCRED). Commands run here with the daemon's privileges,
            // so only root's do: a member of the socket's group runs its commands in-process, as itself.
            throw new CliRoute.NotHere("the daemon runs commands for root only");
        }
        Cli cli = new Cli(session.out(), session.err(), Invocation.remote(session, shared));
        int code = cli.execute(session.args().toArray(String[]::new));
        if (cli.notHere != null) {
            throw new CliRoute.NotHere(cli.notHere);
        }
        return code;
    }

    /**
     * Discovery asks {@code pages.apply(scheme, prefix)} for a prefix's page instead of the spec's
     * {@code https://PREFIX?ac-discovery=1}: tests point it at a loopback server, as an appc name cannot carry a port.
     */
    Cli discoveringAt(java.util.function.BiFunction<String, String, java.net.URI> pages) {
        this.discoveryPages = pages;
        return this;
    }

    public int execute(String... args) {
        RkjCommand root = new RkjCommand(out, err, caller);
        root.discoveryPages = discoveryPages;
        CommandLine cli = new CommandLine(root);
        named(args).ifPresentOrElse(cli::addSubcommand, () -> RkjCommand.SUBCOMMANDS.forEach(cli::addSubcommand));
        if (caller.remote()) { // a relative path is the client's, not the daemon's
            cli.registerConverter(java.nio.file.Path.class, caller::path);
        }
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        // Everything after the pod in `rkj enter UUID CMD...` is the command's, options included.
        CommandLine enter = cli.getSubcommands().get("enter");
        if (enter != null) {
            enter.setStopAtPositional(true);
        }
        // rkt's grammar: IMAGE [app flags] [-- ARGS] [---] IMAGE...: PodOptions reads what follows the first image.
        for (String pod : new String[] {"run", "prepare"}) {
            CommandLine command = cli.getSubcommands().get(pod);
            if (command != null) {
                command.setStopAtPositional(true);
            }
        }
        cli.setParameterExceptionHandler((e, a) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println("rkj: " + e.getMessage() + " (see '" + help + " --help')");
            return ExitCodes.ERROR;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, root.debug()));
        cli.setExecutionStrategy(parsed -> {
            refuseWithoutRoot(parsed, caller);
            if (caller.remote()) {
                refuseWhatStaysInProcess(parsed, root);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        try {
            return cli.execute(args);
        } finally {
            root.close();
            out.flush();
            err.flush();
        }
    }

    /**
     * The one subcommand a command line names, found by skipping the global options before it; empty
     * when it names none or one that is not known (help, completion and picocli's "did you mean" then
     * get the whole tree) or asks for help with {@code rkj help}.
     */
    static java.util.Optional<Class<?>> named(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--debug") || a.startsWith("--dir=") || a.startsWith("--system-config=")) {
                continue;
            }
            if (a.equals("--dir") || a.equals("--system-config")) {
                i++;
                continue;
            }
            if (a.startsWith("-")) {
                return java.util.Optional.empty();
            }
            for (Class<?> c : RkjCommand.SUBCOMMANDS) {
                CommandLine.Command command = c.getAnnotation(CommandLine.Command.class);
                if (!command.name().equals("help") && !command.name().equals("completion")
                        && (command.name().equals(a) || java.util.Arrays.asList(command.aliases()).contains(a))) {
                    return java.util.Optional.of(c);
                }
            }
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }

    /**
     * The commands that make or unmake pods need root (namespaces, overlayfs mounts, cgroups): said
     * once, up front, before anything is opened or fetched. Help and version requests are answered
     * for anyone.
     */
    static final java.util.Set<String> ROOT_COMMANDS = java.util.Set.of("run", "prepare", "run-prepared", "stop", "rm", "daemon",
            "gc", "enter", "metadata-service");

    private static void refuseWithoutRoot(CommandLine.ParseResult parsed, Invocation caller) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        if (last.isUsageHelpRequested() || last.isVersionHelpRequested() || parsed.isUsageHelpRequested()) {
            return;
        }
        CommandLine.Model.CommandSpec spec = last.commandSpec();
        boolean podCommand = spec.parent() != null && spec.parent().parent() == null;
        if (podCommand && ROOT_COMMANDS.contains(spec.name()) && !caller.isRoot()) {
            throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), "",
                    new CliException("rkj " + spec.name() + " needs root: pods need namespaces, overlayfs mounts and"
                            + " cgroups; run it as root (sudo rkj " + spec.name() + " ...)"));
        }
    }

    /**
     * What the daemon leaves to the client, which then runs it in-process as before: a command line
     * for another data directory than the daemon's, {@code --debug} (it would turn on the daemon's
     * logging), and what needs the client's own process: {@code daemon}, {@code enter}, {@code dashboard} (it asks the daemon over its socket itself); and, from a
     * client that does not relay its terminal, {@code run --interactive} (and {@code run-prepared} of an
     * interactive pod, see {@link PodCommands}).
     */
    private void refuseWhatStaysInProcess(CommandLine.ParseResult parsed, RkjCommand root) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        String name = last.commandSpec().name();
        String why = null;
        if (root.debug()) {
            why = "--debug logs in the client's own process";
        } else if (last.commandSpec().userObject() instanceof PodCommands.Run run && run.options.interactive
                && !caller.hasTerminal()) {
            why = "run --interactive needs the client's terminal, which this client does not relay";
        } else if (!last.isUsageHelpRequested() && (name.equals("daemon") || name.equals("enter")
                || name.equals("metadata-service") || name.equals("dashboard"))) {
            why = "rkj " + name + " runs in the client's own process";
        } else if (last.commandSpec().userObject() instanceof TrustCommand trust && trust.keyFile != null
                && !trust.skipReview) {
            why = "rkj trust asks on the client's terminal before trusting a key";
        } else if (!root.systemConfig().equals(caller.shared().systemConfig())) {
            why = "the system configuration directory is not the daemon's";
        } else if (!root.dataDirIsShared()) {
            why = "the data directory is not the daemon's";
        }
        if (why != null) {
            throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), "", new InProcessOnly(why));
        }
    }

    /** Thrown where the daemon finds, before anything is printed or changed, that the client must run the command itself. */
    static final class InProcessOnly extends RuntimeException {
        InProcessOnly(String reason) {
            super(reason, null, false, false);
        }
    }

    private int report(Exception e, boolean debug) {
        Throwable shown = e;
        if (e instanceof CommandLine.ExecutionException && e.getCause() != null) {
            shown = e.getCause();
        }
        if (shown instanceof InProcessOnly stay) {
            notHere = stay.getMessage();
            return ExitCodes.ERROR;
        }
        if (shown instanceof CliException c && c.reported()) {
            return c.exitCode();
        }
        String message = shown.getMessage();
        if (message == null || message.isBlank() || !(shown instanceof CliException || isDomainError(shown))) {
            message = "internal error: " + shown + (debug ? "" : " (run with --debug for the stack trace)");
        }
        err.println("rkj: " + message.replace('\n', ' '));
        if (debug) {
            shown.printStackTrace(err);
        }
        return shown instanceof CliException c ? c.exitCode() : ExitCodes.ERROR;
    }

    /** Checked exceptions of rkj's modules carry messages written for users. */
    private static boolean isDomainError(Throwable t) {
        return !(t instanceof RuntimeException) && !(t instanceof Error)
                || t.getClass().getName().startsWith("dev.rkj.");
    }
}
