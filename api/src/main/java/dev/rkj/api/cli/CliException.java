package dev.rkj.api.cli;

/**
 * An error a user can act on: printed as one line to stderr ({@code rkj: <message>}), with the
 * stack trace only under {@code --debug}, and the command exits with {@link #exitCode()}.
 */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public CliException(String message) {
        this(message, null);
    }

    public CliException(String message, Throwable cause) {
        this(message, cause, ExitCodes.ERROR);
    }

    public CliException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
