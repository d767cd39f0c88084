package dev.rkj.engine.stage;

import dev.rkj.engine.Durations;
import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.PodCommand;
import dev.rkj.engine.pod.PodCommand.MarkGarbage;
import dev.rkj.engine.pod.PodCommand.MarkLost;
import dev.rkj.engine.pod.PodOwner;
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
 *   <li>prepared pods never run, once they have been prepared for the expiry time, if this engine
 *       owns them or their owner is gone (another live engine may be about to run them: its own
 *       gc expires them);</li>
 *   <li>pods abandoned mid-preparation (embryo, preparing; their owner engine is gone), once they
 *       have not changed for the grace period: recorded lost (aborted prepare), then garbage.</li>
 * </ul>
 * Every mark is decided through the {@link PodRecorder}, against the pod's latest state: a pod
 * that started meanwhile is never marked (see {@code PodLifecycle}), and the marks about a gone
 * owner are compare-and-set on that owner, so an engine that adopted the pod meanwhile keeps it.
 */
public final class GarbageCollector {
    private final PodRecorder recorder;
    private final Clock clock;
    private final PodOwner me;
    private final Function<PodOwner, String> whyGone;

    /**
     * @param me      this engine: its own prepared pods expire, another live engine's do not
     * @param whyGone why a pod's owner engine is gone (its engine lock is free), or null if it is
     *                alive or cannot be told
     */
    public GarbageCollector(PodRecorder recorder, Clock clock, PodOwner me, Function<PodOwner, String> whyGone) {
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.me = Objects.requireNonNull(me, "me");
        this.whyGone = Objects.requireNonNull(whyGone, "whyGone");
    }

    /**
     * Collects.
     *
     * @param gracePeriod    how long an exited pod is kept, and an abandoned preparation
     * @param expirePrepared how long a prepared pod may wait to be run
     * @param markOnly       only mark, delete nothing
     * @param delete         records a pod's delete request (saying who asked for this collection) and
     *                       completes when its deletion is recorded, or fails with the recorded gc failure
     * @return fails only if the journal cannot be written
     */
    public Future<GcReport> collect(Duration gracePeriod, Duration expirePrepared, boolean markOnly,
                                    Function<String, Future<Void>> delete) {
        Instant now = clock.instant();
        List<String> marked = new ArrayList<>();
        List<String> garbage = new ArrayList<>();
        try {
            for (PodState listed : recorder.projection().all()) {
                PodState pod = recorder.current(listed.podId());
                List<PodCommand> marks = marks(pod, now, gracePeriod, expirePrepared);
                if (!marks.isEmpty() && record(marks)) {
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

    /** The commands that make the pod garbage now (in order), or none if gc does not take it. */
    private List<PodCommand> marks(PodState pod, Instant now, Duration grace, Duration expirePrepared) {
        String reason = reasonToCollect(pod, now, grace, expirePrepared);
        if (reason != null) {
            return List.of(new MarkGarbage(pod.podId(), reason));
        }
        boolean prepared = pod.status() == PodStatus.PREPARED
                && olderThan(pod.enteredAt(PodStatus.PREPARED), now, expirePrepared);
        boolean abandoned = pod.status().isBeingPrepared() && olderThan(Optional.ofNullable(pod.updatedAt()), now, grace);
        if (!prepared && !abandoned) {
            return List.of();
        }
        if (prepared && me.equals(pod.owner())) {
            return List.of(new MarkGarbage(pod.podId(), "prepared more than " + words(expirePrepared)
                    + " ago and never run", me));
        }
        String gone = pod.owner() == null ? "it has no owner"
                : me.equals(pod.owner()) ? null : whyGone.apply(pod.owner());
        if (gone == null) {
            return List.of(); // another live engine owns it: it may be about to run it; or this one prepares it
        }
        if (prepared) {
            return List.of(new MarkGarbage(pod.podId(), "prepared more than " + words(expirePrepared)
                    + " ago and never run; " + gone, pod.owner()));
        }
        return List.of(
                new MarkLost(pod.podId(), "its preparation was abandoned: " + gone + " and the pod has not changed for"
                        + " more than " + words(grace), pod.owner()),
                new MarkGarbage(pod.podId(), "its preparation was abandoned", pod.owner()));
    }

    /**
     * Why gc takes the pod now whoever owns it, or null: exited pods after the grace period,
     * aborted preparations at once. (Prepared and abandoned pods also depend on their owner: see
     * {@link #collect}.)
     */
    static String reasonToCollect(PodState pod, Instant now, Duration grace, Duration expirePrepared) {
        return switch (pod.status()) {
            case EXITED -> olderThan(pod.exitedAt(), now, grace) ? "exited more than " + words(grace) + " ago" : null;
            case ABORTED_PREPARE -> "its preparation was aborted";
            default -> null;
        };
    }

    /** Records the commands in order; true if the pod ends marked by them. */
    private boolean record(List<PodCommand> commands) throws JournalException {
        boolean appended = false;
        for (PodCommand command : commands) {
            try {
                appended |= !recorder.record(command).isEmpty();
            } catch (IllegalPodTransition e) {
                return false; // it moved on meanwhile (started, adopted, removed by another engine)
            }
        }
        return appended;
    }

    private static boolean olderThan(Optional<Instant> since, Instant now, Duration age) {
        return since.isPresent() && !since.get().plus(age).isAfter(now);
    }

    /** A duration as people write it: {@code 30m}, {@code 1h30m}, {@code 45s}, {@code 0s}. */
    static String words(Duration d) {
        return Durations.words(d);
    }
}
