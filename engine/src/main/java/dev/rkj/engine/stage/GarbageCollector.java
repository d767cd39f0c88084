package dev.rkj.engine.stage;

import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.PodCommand.MarkGarbage;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.eventlog.JournalException;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@code rkj gc}, as rkt does it: marks garbage the pods whose time is up, then asks to delete
 * every garbage pod ({@code pod.delete-requested}, carried out by the {@link GcVerticle}).
 * <ul>
 *   <li>exited pods, once they have been exited for the grace period;</li>
 *   <li>aborted-prepare pods, at once (they never ran);</li>
 *   <li>prepared pods never run, once they have been prepared for the expiry time.</li>
 * </ul>
 */
public final class GarbageCollector {
    private final PodRecorder recorder;
    private final Function<String, Future<Void>> delete;
    private final Clock clock;

    /**
     * @param delete records a pod's delete request and completes when its deletion is recorded, or
     *               fails with the recorded gc failure
     */
    public GarbageCollector(PodRecorder recorder, Function<String, Future<Void>> delete, Clock clock) {
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.delete = Objects.requireNonNull(delete, "delete");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Collects.
     *
     * @param gracePeriod    how long an exited pod is kept
     * @param expirePrepared how long a prepared pod may wait to be run
     * @param markOnly       only mark, delete nothing
     * @return fails only if the journal cannot be written
     */
    public Future<GcReport> collect(Duration gracePeriod, Duration expirePrepared, boolean markOnly) {
        Instant now = clock.instant();
        List<String> marked = new ArrayList<>();
        List<String> garbage = new ArrayList<>();
        try {
            for (PodState listed : recorder.projection().all()) {
                PodState pod = recorder.current(listed.podId());
                String reason = reasonToCollect(pod, now, gracePeriod, expirePrepared);
                if (reason != null && mark(pod.podId(), reason)) {
                    marked.add(pod.podId());
                }
                if (recorder.current(pod.podId()).status() == PodStatus.GARBAGE) {
                    garbage.add(pod.podId());
                }
            }
        } catch (JournalException e) {
            return Future.failedFuture(e);
        }
        if (markOnly || garbage.isEmpty()) {
            return Future.succeededFuture(new GcReport(marked, List.of(), Map.of()));
        }
        List<String> deleted = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, String> failed = new ConcurrentHashMap<>();
        List<Future<Void>> deletions = new ArrayList<>();
        for (String podId : garbage) {
            deletions.add(delete.apply(podId)
                    .onSuccess(v -> deleted.add(podId))
                    .recover(e -> {
                        failed.put(podId, String.valueOf(e.getMessage()));
                        return Future.succeededFuture();
                    }));
        }
        return Future.join(deletions).transform(ar -> {
            List<String> inOrder = new ArrayList<>(garbage);
            inOrder.retainAll(deleted);
            return Future.succeededFuture(new GcReport(marked, inOrder, failed));
        });
    }

    /** Why gc takes the pod now, or null if it does not. */
    static String reasonToCollect(PodState pod, Instant now, Duration grace, Duration expirePrepared) {
        return switch (pod.status()) {
            case EXITED -> olderThan(pod.exitedAt(), now, grace) ? "exited more than " + words(grace) + " ago" : null;
            case ABORTED_PREPARE -> "its preparation was aborted";
            case PREPARED -> olderThan(pod.enteredAt(PodStatus.PREPARED), now, expirePrepared)
                    ? "prepared more than " + words(expirePrepared) + " ago and never run" : null;
            default -> null;
        };
    }

    private boolean mark(String podId, String reason) throws JournalException {
        try {
            return !recorder.record(new MarkGarbage(podId, reason)).isEmpty();
        } catch (IllegalPodTransition e) {
            return false; // it moved on meanwhile (run, removed by another engine)
        }
    }

    private static boolean olderThan(Optional<Instant> since, Instant now, Duration age) {
        return since.isPresent() && !since.get().plus(age).isAfter(now);
    }

    /** A duration as people write it: {@code 30m}, {@code 1h30m}, {@code 45s}, {@code 0s}. */
    static String words(Duration d) {
        long seconds = d.getSeconds();
        if (seconds == 0) {
            return d.isZero() ? "0s" : d.toMillis() + "ms";
        }
        StringBuilder b = new StringBuilder();
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        if (h > 0) {
            b.append(h).append('h');
        }
        if (m > 0) {
            b.append(m).append('m');
        }
        if (s > 0) {
            b.append(s).append('s');
        }
        return b.toString();
    }
}
