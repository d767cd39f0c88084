package dev.rkj.engine.pod;

import java.util.List;

/** Several pods' ids start with the given prefix: the user must give more of the id. */
public final class AmbiguousPodIdException extends PodLookupException {
    private final List<String> candidates;

    AmbiguousPodIdException(String prefix, List<String> candidates) {
        super(prefix, "\"" + prefix + "\" matches " + candidates.size() + " pods: " + String.join(", ", candidates)
                + " (give more characters of the id)");
        this.candidates = List.copyOf(candidates);
    }

    /** The ids of the pods that match, sorted. */
    public List<String> candidates() {
        return candidates;
    }
}
