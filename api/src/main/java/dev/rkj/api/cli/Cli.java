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
        try {
            return cli.execute(args);
        } finally {
            root.close();
            out.flush();
            err.flush();
        }
    }

    private int report(Exception e, boolean debug) {
        Throwable shown = e;
        if (e instanceof CommandLine.ExecutionException && e.getCause() != null) {
            shown = e.getCause();
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
