package dev.rkj.engine.read;

import java.util.List;

/**
 * A pod's log cannot be read as asked: the app named is not one of the pod's, several apps and
 * none named, the pod has not run, or the app has no log. The message names the pod and what to do
 * in words that fit every face ({@code rkj logs}, the daemon's logs route); {@link #reason} lets a
 * face pick its status.
 */
public final class NoLogException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why there is no log to read. */
    public enum Reason {
        /** The app asked for is not one of the pod's ({@link #apps} are). */
        NO_SUCH_APP,
        /** The pod has several apps ({@link #apps}) and none was named. */
        SEVERAL_APPS,
        /** The pod has not run: it has no apps to log yet. */
        NOT_RUN,
        /** The app has no log file (yet). */
        NO_LOG
    }

    private final Reason reason;
    private final transient List<String> apps;

    NoLogException(Reason reason, List<String> apps, String message) {
        super(message);
        this.reason = reason;
        this.apps = List.copyOf(apps);
    }

    public Reason reason() {
        return reason;
    }

    /** The pod's apps, as far as they are known. */
    public List<String> apps() {
        return apps;
    }
}
