package dev.rkj.engine.fetch;

/**
 * Progress of one download, reported as it goes: never journaled (a chunk is not a fact). Called
 * from Vert.x's event loop or the fetching thread: implementations must be quick and thread-safe.
 */
@FunctionalInterface
public interface FetchProgress {
    /** Reports nothing. */
    FetchProgress NONE = (subject, bytes, total, done) -> { };

    /**
     * @param subject what is fetched (its URL or file)
     * @param bytes   bytes done so far
     * @param total   bytes in all, or {@code -1} when unknown
     * @param done    whether this is the last report for {@code subject}
     */
    void update(String subject, long bytes, long total, boolean done);
}
