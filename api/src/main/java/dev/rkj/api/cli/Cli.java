package dev.rkj.api.cli;

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

    /** Everything rkj prints goes through {@link TerminalText#safe}: no control character from an image or a user reaches the terminal raw. */
    public Cli(PrintStream out, PrintStream err) {
        this.out = TerminalText.safe(out);
        this.err = TerminalText.safe(err);
    }

    public int execute(String... args) {
        RkjCommand root = new RkjCommand(out, err);
        CommandLine cli = new CommandLine(root);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        // Everything after the pod in `rkj enter UUID CMD...` is the command's, options included.
        cli.getSubcommands().get("enter").setStopAtPositional(true);
        cli.setParameterExceptionHandler((e, a) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println("rkj: " + e.getMessage() + " (see '" + help + " --help')");
            return ExitCodes.ERROR;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, root.debug()));
        cli.setExecutionStrategy(parsed -> {
            refuseWithoutRoot(parsed);
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
     * The commands that make or unmake pods need root (namespaces, overlayfs mounts, cgroups): said
     * once, up front, before anything is opened or fetched. Help and version requests are answered
     * for anyone.
     */
    static final java.util.Set<String> ROOT_COMMANDS = java.util.Set.of("run", "prepare", "run-prepared", "stop", "rm", "daemon",
            "gc", "enter");

    private static void refuseWithoutRoot(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        if (last.isUsageHelpRequested() || last.isVersionHelpRequested() || parsed.isUsageHelpRequested()) {
            return;
        }
        CommandLine.Model.CommandSpec spec = last.commandSpec();
        boolean podCommand = spec.parent() != null && spec.parent().parent() == null;
        if (podCommand && ROOT_COMMANDS.contains(spec.name()) && !Privileges.isRoot()) {
            throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), "",
                    new CliException("rkj " + spec.name() + " needs root: pods need namespaces, overlayfs mounts and"
                            + " cgroups; run it as root (sudo rkj " + spec.name() + " ...)"));
        }
    }

    private int report(Exception e, boolean debug) {
        Throwable shown = e;
        if (e instanceof CommandLine.ExecutionException && e.getCause() != null) {
            shown = e.getCause();
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
