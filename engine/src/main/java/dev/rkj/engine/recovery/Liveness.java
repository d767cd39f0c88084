package dev.rkj.engine.recovery;

import dev.rkj.engine.pod.PodOwner;

import java.io.IOException;

/**
 * Which engines are alive. An engine registers itself when it starts and stays registered until
 * it closes or dies (the real implementation holds an {@code flock} on
 * {@code <data dir>/engines/<engineId>.lock}, which the kernel drops when the process dies), so any
 * process can tell whether the owner of a pod is still there to drive it.
 */
public interface Liveness {

    /**
     * Marks {@code self} alive until the returned registration is closed (or the process dies).
     *
     * @throws IOException if the registration cannot be made (the message names the path)
     */
    Registration register(PodOwner self) throws IOException;

    /**
     * Whether {@code owner}'s engine is alive now.
     *
     * @throws IOException if that cannot be told (callers treat the owner as alive)
     */
    boolean isAlive(PodOwner owner) throws IOException;

    /** An engine's registration. */
    interface Registration extends AutoCloseable {
        /** Marks the engine gone. Idempotent. */
        @Override
        void close();
    }
}
