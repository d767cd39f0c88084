package dev.rkj.engine.image;

import java.util.Optional;

/**
 * Base of the checked errors about an image archive: names the archive ({@link #source()}) and,
 * when the problem is tied to one tar entry, that entry ({@link #entry()}).
 */
public abstract class ImageArchiveException extends Exception {
    private final String source;
    private final String entry;

    protected ImageArchiveException(String source, String entry, String problem, Throwable cause) {
        super(format(source, entry, problem), cause);
        this.source = source;
        this.entry = entry;
    }

    /** The archive (usually its path) the problem was found in. */
    public String source() {
        return source;
    }

    /**
     * The tar entry name as written in the archive, when the problem is tied to one entry (the
     * message abbreviates a long one).
     */
    public Optional<String> entry() {
        return Optional.ofNullable(entry);
    }

    private static String format(String source, String entry, String problem) {
        StringBuilder message = new StringBuilder(source);
        if (entry != null) {
            message.append(": entry '").append(PathLimits.abbreviate(entry)).append('\'');
        }
        return message.append(": ").append(problem).toString();
    }
}
