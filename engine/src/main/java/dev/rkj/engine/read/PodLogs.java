package dev.rkj.engine.read;

import dev.rkj.engine.pod.PodState;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One app's log of a pod as {@code rkj logs} and the daemon's {@code GET /v1/pods/{id}/logs} give
 * it: which app ({@link #app}), the records kept ({@code since}, then the last {@code tail}
 * lines) and, when following, what the app writes next until its stage1 ends (stage1 holds the pod
 * lock while it may write; once the lock is free, the rest of the log is read and the reading is
 * {@link #done}). Reading and rotation are {@link AppLog}'s.
 *
 * <p>One instance is used by one thread at a time. It never writes.
 */
public final class PodLogs implements Closeable {
    /** How long a follower waits before looking again when the last look found nothing new. */
    public static final Duration FOLLOW_POLL = Duration.ofMillis(100);

    private final Kernel kernel;
    private final PodDir dir;
    private final AppLog log;
    private final String app;
    private final Instant since;
    private final Integer tail;
    private final boolean follow;
    private boolean started;
    private boolean done;

    private PodLogs(Kernel kernel, PodDir dir, String app, Instant since, Integer tail, boolean follow) {
        this.kernel = kernel;
        this.dir = dir;
        this.app = app;
        this.log = AppLog.of(dir, app);
        this.since = since;
        this.tail = tail;
        this.follow = follow;
    }

    /**
     * Opens the log of {@code app} (null: the pod's only app) of {@code pod}, whose directory is
     * {@code dir}.
     *
     * @param since  only the records written at or after it; null for all
     * @param tail   only the last {@code tail} lines of what is there at first (0 or more); null for all
     * @param follow go on with what the app writes until its stage1 ends
     * @throws NoLogException naming the pod, and the apps it has when {@code app} is not one
     */
    public static PodLogs open(Kernel kernel, PodState pod, PodDir dir, String app, Instant since, Integer tail,
                               boolean follow) throws NoLogException, IOException {
        Objects.requireNonNull(kernel, "kernel");
        if (tail != null && tail < 0) {
            throw new IllegalArgumentException("a tail of " + tail + " lines: give 0 or more");
        }
        String name = app(pod, dir, app);
        PodLogs logs = new PodLogs(kernel, dir, name, since, tail, follow);
        if (!follow && !logs.log.exists()) {
            throw new NoLogException(NoLogException.Reason.NO_LOG, List.of(name), "pod " + pod.podId()
                    + " has no log for app " + name + " (a pod that has not run has none yet)");
        }
        return logs;
    }

    /** The app to read: {@code asked} if it is one of the pod's, else the pod's one app. */
    static String app(PodState pod, PodDir dir, String asked) throws NoLogException, IOException {
        List<String> known = new ArrayList<>(pod.apps().keySet());
        if (known.isEmpty() && Files.isDirectory(dir.logsDir())) {
            try (Stream<Path> logs = Files.list(dir.logsDir())) {
                logs.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(PodDir.ROTATED_LOG_SUFFIX))
                        .sorted().forEach(known::add);
            }
        }
        if (asked != null) {
            if (!known.contains(asked)) {
                throw new NoLogException(NoLogException.Reason.NO_SUCH_APP, known, "pod " + pod.podId()
                        + " has no app " + asked + ": its apps are " + known);
            }
            return asked;
        }
        if (known.isEmpty()) {
            throw new NoLogException(NoLogException.Reason.NOT_RUN, known, "pod " + pod.podId() + " is "
                    + pod.status().displayName() + ": it has no logs until it runs");
        }
        if (known.size() > 1) {
            throw new NoLogException(NoLogException.Reason.SEVERAL_APPS, known, "pod " + pod.podId()
                    + " has several apps " + known + ": name one of them");
        }
        return known.get(0);
    }

    /** The app whose log this is. */
    public String app() {
        return app;
    }

    /**
     * The next records: first what is kept ({@code since}, {@code tail}); then, following, what was
     * written since the last call (often nothing: wait {@link #FOLLOW_POLL} before the next); once
     * stage1 has ended, the rest, and {@link #done} is true.
     *
     * @throws IOException naming the file that cannot be read
     */
    public List<LogRecord> next() throws IOException {
        if (done) {
            return List.of();
        }
        List<LogRecord> records;
        if (!started) {
            started = true;
            done = !follow;
            records = follow ? log.poll() : log.end();
            records = since == null ? records : LogRecords.since(records, since);
            return tail == null ? records : LogRecords.tail(records, tail);
        }
        boolean running = stage1Running();
        records = running ? log.poll() : log.end(); // the lock is free: stage1 wrote its last
        done = !running;
        return since == null ? records : LogRecords.since(records, since);
    }

    /** Whether everything there will ever be was returned. */
    public boolean done() {
        return done;
    }

    private boolean stage1Running() {
        try {
            return new PodLock(kernel).held(dir.path());
        } catch (KernelException e) {
            return false; // the pod directory is gone: nothing more will be written
        }
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
