package dev.rkj.engine.read;

import dev.rkj.engine.pod.PodState;

import java.util.Objects;

/**
 * One pod as a read shows it.
 *
 * @param state      its state: the journal's, or, when its end was found but not recorded, the
 *                   state that end leads to
 * @param unrecorded null when the journal holds {@code state}; else why the end shown is not
 *                   recorded (yet): its live engine records it, the data directory is read-only...
 */
public record PodRead(PodState state, String unrecorded) {
    public PodRead {
        Objects.requireNonNull(state, "state");
    }

    /** Whether the journal holds what is shown. */
    public boolean recorded() {
        return unrecorded == null;
    }
}
