package dev.rkj.engine.pod;

/**
 * A pod id or id prefix given by a user did not name exactly one pod: see
 * {@link NoSuchPodException} and {@link AmbiguousPodIdException}.
 */
public abstract sealed class PodLookupException extends Exception
        permits NoSuchPodException, AmbiguousPodIdException {
    private final String prefix;

    PodLookupException(String prefix, String message) {
        super(message);
        this.prefix = prefix;
    }

    /** The id or prefix as the user gave it. */
    public String prefix() {
        return prefix;
    }
}
