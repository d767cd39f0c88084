package dev.rkj.engine.store;

import java.util.List;

/**
 * An ACI was refused and nothing was stored: the archive is unsafe or malformed (the message names
 * the entry), or its manifest is invalid ({@link #problems()} lists every problem with its JSON
 * path, e.g. {@code $.app.exec: ...}).
 */
public final class InvalidImageException extends ImageStoreException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final List<String> problems;

    InvalidImageException(String source, String message, List<String> problems, Throwable cause) {
        super(message, cause);
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file or URL the image came from. */
    public String source() {
        return source;
    }

    /** Every problem found in the manifest, each as {@code <json path>: <what is wrong>}; empty for archive problems. */
    public List<String> problems() {
        return problems;
    }
}
