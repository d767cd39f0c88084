package dev.rkj.engine.appc;

/**
 * One thing wrong with a manifest: where ({@code jsonPath}, e.g. {@code $.app.exec[0]}) and what.
 * Paths use the spec's spelling of keys whatever case the input used.
 */
public record Problem(String jsonPath, String message) {
    public Problem {
        if (jsonPath == null || message == null) {
            throw new IllegalArgumentException("a problem needs a path and a message");
        }
    }

    @Override
    public String toString() {
        return jsonPath + ": " + message;
    }
}
