package dev.rkj.engine.fetch;

/**
 * A download or discovery failed: the message names the URL or image name, what went wrong and
 * what to do, in one line.
 */
public class FetchException extends Exception {
    private final boolean transientFailure;

    public FetchException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public FetchException(String message) {
        this(message, false, null);
    }

    /** Whether trying again later can help (a timeout, a refused connection), as opposed to a 404. */
    public boolean isTransient() {
        return transientFailure;
    }
}
