package dev.rkj.engine.pod;

import java.util.Objects;
import java.util.Optional;

/**
 * The lifecycle refused a move on a pod: the message names the pod, the state it is in, the
 * move and why, e.g. {@code pod 6f1c... is exited: cannot start it (only a prepared pod can be
 * started)}.
 */
public final class IllegalPodTransition extends Exception {
    private final String podId;
    private final PodStatus from;
    private final PodMove move;
    private final String why;

    /**
     * @param podId the pod
     * @param from  its status, or {@code null} if it was never created
     * @param move  the refused move
     * @param why   why it is refused and what to do instead
     */
    public IllegalPodTransition(String podId, PodStatus from, PodMove move, String why) {
        super("pod " + podId + " " + describe(from) + ": cannot " + move.description() + " (" + why + ")");
        this.podId = podId;
        this.from = from;
        this.move = Objects.requireNonNull(move, "move");
        this.why = why;
    }

    /** The pod the move was refused for. */
    public String podId() {
        return podId;
    }

    /** The pod's status, empty if it was never created. */
    public Optional<PodStatus> from() {
        return Optional.ofNullable(from);
    }

    /** The refused move. */
    public PodMove move() {
        return move;
    }

    /** Why it was refused (the part of the message in parentheses). */
    public String why() {
        return why;
    }

    private static String describe(PodStatus status) {
        if (status == null) {
            return "does not exist";
        }
        return switch (status) {
            case EMBRYO -> "is an embryo";
            case ABORTED_PREPARE -> "is in aborted prepare";
            default -> "is " + status.displayName();
        };
    }
}
