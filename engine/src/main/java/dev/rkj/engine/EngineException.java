package dev.rkj.engine;

/**
 * The engine could not start (its journal, data directory or engine lock) or could not carry out a
 * request; the message names the path or the pod and what to do.
 */
public class EngineException extends Exception {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
