package dev.rkj.engine.pod;

import java.util.Objects;

/**
 * The engine that drives a pod: the one that prepares it ({@link PodEvent.PodCreated}) and then
 * the one that runs it ({@link PodEvent.PodStarted}). Recovery uses it to tell a pod driven by a
 * live engine from one whose engine died.
 *
 * @param engineId the engine instance's id, fresh for every daemon start or in-process CLI run
 * @param hostPid  that engine's process id in the host PID namespace
 */
public record PodOwner(String engineId, long hostPid) {
    public PodOwner {
        Objects.requireNonNull(engineId, "engineId");
        if (engineId.isBlank()) {
            throw new IllegalArgumentException("pod owner: engineId is blank (give the engine instance id)");
        }
        if (hostPid <= 0) {
            throw new IllegalArgumentException("pod owner " + engineId + ": hostPid " + hostPid
                    + " is not a process id (give the engine's pid, > 0)");
        }
    }

    @Override
    public String toString() {
        return "engine " + engineId + " (pid " + hostPid + ")";
    }
}
