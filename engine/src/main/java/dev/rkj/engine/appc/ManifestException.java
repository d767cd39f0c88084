package dev.rkj.engine.appc;

import java.util.List;
import java.util.stream.Collectors;

/** A manifest could not be read: every problem found, each with its JSON path. */
public final class ManifestException extends Exception {
    private final transient List<Problem> problems;

    public ManifestException(String what, List<Problem> problems) {
        super(message(what, problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ManifestException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    private static String message(String what, List<Problem> problems) {
        return "invalid " + what + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + "); fix these fields and retry:\n"
                + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
    }

    /** All problems: values of the wrong JSON type first, then the others in reading order. */
    public List<Problem> problems() {
        return problems;
    }
}
