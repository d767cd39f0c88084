package dev.rkj.eventlog;

/**
 * A journal operation failed: its message names the journal (directory or file), the problem
 * and what to do next, on one line.
 */
public class JournalException extends Exception {
    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
