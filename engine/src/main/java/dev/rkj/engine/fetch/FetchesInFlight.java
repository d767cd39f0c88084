package dev.rkj.engine.fetch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The downloads this process is doing now, for API clients ({@code GET /v1/fetches}): progress is
 * not a fact, so it is never journaled, and a finished download drops out. One per process
 * ({@link #PROCESS}): the engine's fetch stage and the API's image fetches both report here.
 */
public final class FetchesInFlight implements FetchProgress {
    /** This process's downloads. */
    public static final FetchesInFlight PROCESS = new FetchesInFlight();

    /**
     * One download.
     *
     * @param total bytes in all, or -1 when the server did not say
     */
    public record Download(String url, long bytes, long total, Instant started) {}

    private final ConcurrentHashMap<String, Download> downloads = new ConcurrentHashMap<>();

    @Override
    public void update(String subject, long bytes, long total, boolean done) {
        if (done) {
            downloads.remove(subject);
            return;
        }
        downloads.compute(subject, (k, old) -> new Download(subject, bytes, total,
                old == null ? Instant.now() : old.started()));
    }

    /** Forgets {@code subject}, whose download ended without a last report (it failed). */
    public void ended(String subject) {
        downloads.remove(subject);
    }

    /** The downloads in progress, oldest first. */
    public List<Download> list() {
        List<Download> list = new ArrayList<>(downloads.values());
        list.sort(Comparator.comparing(Download::started));
        return list;
    }

    /** Reports to this and to {@code other}. */
    public FetchProgress and(FetchProgress other) {
        return (subject, bytes, total, done) -> {
            update(subject, bytes, total, done);
            other.update(subject, bytes, total, done);
        };
    }
}
