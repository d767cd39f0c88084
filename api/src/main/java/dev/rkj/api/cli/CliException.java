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

    /**
     * The command failed and has already said why, one line per failure (several pods, some
     * refused): nothing more is printed, and the command exits 254.
     */
    static CliException alreadyReported() {
        return new CliException("", null) {
            private static final long serialVersionUID = 1L;

            @Override
            boolean reported() {
                return true;
            }
        };
    }

    /** Whether the failure was already printed ({@link #alreadyReported()}). */
    boolean reported() {
        return false;
    }
}
