package dev.rkj.engine.pod;

import dev.rkj.engine.Grantor;
import dev.rkj.engine.pod.PodEvent.AppExited;
import dev.rkj.engine.pod.PodEvent.PodAdopted;
import dev.rkj.engine.pod.PodEvent.ImageRendered;
import dev.rkj.engine.pod.PodEvent.ImageResolved;
import dev.rkj.engine.pod.PodEvent.ImageVerified;
import dev.rkj.engine.pod.PodEvent.PodCreated;
import dev.rkj.engine.pod.PodEvent.PodDeleted;
import dev.rkj.engine.pod.PodEvent.PodExited;
import dev.rkj.engine.pod.PodEvent.PodLost;
import dev.rkj.engine.pod.PodEvent.PodMarkedGarbage;
import dev.rkj.engine.pod.PodEvent.PodPrepared;
import dev.rkj.engine.pod.PodEvent.PodStarted;
import dev.rkj.engine.pod.PodEvent.PodStopRequested;
import dev.rkj.engine.pod.PodEvent.StageFailed;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * One pod's story, step by step, from its journal entries: what happened, when, how long after
 * the previous step, and how long the pod spent in each status. Backs
 * {@code rkj journal show --aggregate <uuid>}; it formats nothing beyond one line per step.
 */
public final class PodHistory {
    private final String podId;
    private final List<Step> steps;
    private final List<Phase> phases;
    private final PodState state;

    private PodHistory(String podId, List<Step> steps, List<Phase> phases, PodState state) {
        this.podId = podId;
        this.steps = List.copyOf(steps);
        this.phases = List.copyOf(phases);
        this.state = state;
    }

    /**
     * The history of pod {@code podId} from its journal entries, in any order (sorted by index;
     * a repeated index counts once). Entries that are not {@link PodEvent}s (events this build
     * does not know) appear as steps that change nothing.
     *
     * @throws IllegalArgumentException if a pod event in {@code entries} is for another pod
     */
    public static PodHistory of(String podId, Collection<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::index));
        PodState state = PodState.initial(podId);
        List<Step> steps = new ArrayList<>();
        List<Phase> phases = new ArrayList<>();
        Instant start = null;
        Instant previous = null;
        long lastIndex = -1;
        for (Entry entry : sorted) {
            if (entry.index() == lastIndex) {
                continue;
            }
            lastIndex = entry.index();
            String summary;
            if (entry.event() instanceof PodEvent event) {
                if (!event.podId().equals(podId)) {
                    throw new IllegalArgumentException("journal entry " + entry.index() + " is for pod " + event.podId()
                            + ", not for pod " + podId);
                }
                state = PodLifecycle.evolve(state, event, entry.time());
                summary = summarize(event);
            } else {
                summary = "unrecognized event: " + entry.event();
            }
            start = start == null ? entry.time() : start;
            previous = previous == null ? entry.time() : previous;
            steps.add(new Step(entry.index(), entry.time(), summary, state.status(),
                    Duration.between(start, entry.time()), Duration.between(previous, entry.time())));
            previous = entry.time();
            Phase current = phases.isEmpty() ? null : phases.get(phases.size() - 1);
            if (state.exists() && (current == null || current.status() != state.status())) {
                if (current != null) {
                    phases.set(phases.size() - 1, new Phase(current.status(), current.since(), entry.time()));
                }
                phases.add(new Phase(state.status(), entry.time(), null));
            }
        }
        return new PodHistory(podId, steps, phases, state);
    }

    /** The pod's id. */
    public String podId() {
        return podId;
    }

    /** Every step, in journal order. */
    public List<Step> steps() {
        return steps;
    }

    /** The statuses the pod went through, in order, each with when it began and ended. */
    public List<Phase> phases() {
        return phases;
    }

    /** How long the pod spent in {@code status}, if it left it (a pod enters each status once). */
    public Optional<Duration> timeIn(PodStatus status) {
        for (Phase phase : phases) {
            if (phase.status() == status) {
                return phase.duration();
            }
        }
        return Optional.empty();
    }

    /** The pod's state after its last event. */
    public PodState state() {
        return state;
    }

    /**
     * A journal entry of the pod, as the journal's envelope gives it.
     *
     * @param index the entry's journal index
     * @param time  when it was appended
     * @param event the decoded event: a {@link PodEvent}, or whatever the journal made of an
     *              event this build does not know
     */
    public record Entry(long index, Instant time, Object event) {
        public Entry {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(event, "event");
        }
    }

    /**
     * One thing that happened to the pod.
     *
     * @param index         the journal index
     * @param time          when it was recorded
     * @param summary       what happened, in one line
     * @param status        the pod's status after it
     * @param sinceStart    time since the pod's first entry
     * @param sincePrevious time since the previous entry (zero for the first)
     */
    public record Step(long index, Instant time, String summary, PodStatus status, Duration sinceStart,
                       Duration sincePrevious) {
    }

    /**
     * A stretch of time the pod spent in one status.
     *
     * @param status the status
     * @param since  when the pod entered it
     * @param until  when it left it; null if it is still there
     */
    public record Phase(PodStatus status, Instant since, Instant until) {
        /** How long it lasted; empty while the pod is still in it. */
        public Optional<Duration> duration() {
            return until == null ? Optional.empty() : Optional.of(Duration.between(since, until));
        }
    }

    /** {@code ", asked by uid 0 (root), rkj stop command line"}, or nothing if who asked is not recorded. */
    /** {@code ; left networks default:ip4=172.16.28.5}, or nothing for none. */
    private static String networksRemoved(List<NetworkAttachment> networks) {
        return networks.isEmpty() ? "" : "; left networks " + NetworkAttachment.describe(networks);
    }

    private static String askedBy(Grantor who) {
        return who == null ? "" : ", asked by " + who.describe();
    }

    /** One line saying what {@code event} means. */
    static String summarize(PodEvent event) {
        event = PodEvent.current(event);
        if (event instanceof PodCreated e) {
            return (e.spec().apps().size() == 1 ? "created for image " : "created for images ")
                    + String.join(", ", e.spec().apps().stream().map(PodSpec.AppSpec::imageRef).toList())
                    + " by " + e.owner() + askedBy(e.requestedBy());
        } else if (event instanceof ImageResolved e) {
            return (e.images().size() == 1 ? "image resolved to " : "images resolved to ") + String.join(", ",
                    e.images().stream().map(i -> i.imageId() + " (" + i.imageName() + ", " + i.source().displayName()
                            + ")").toList());
        } else if (event instanceof ImageVerified e) {
            return (e.verified() ? "image verified: " : "image not verified: ") + e.reason();
        } else if (event instanceof ImageRendered e) {
            return "image rendered as tree " + e.treeId();
        } else if (event instanceof PodPrepared e) {
            return "prepared (pod manifest " + e.manifestDigest() + ")";
        } else if (event instanceof PodStarted e) {
            StringJoiner apps = new StringJoiner(", ");
            e.appPids().forEach((app, pid) -> apps.add(app + " pid " + pid));
            StringJoiner notAsAsked = new StringJoiner("; ", "; isolators not applied as asked: ", "").setEmptyValue("");
            e.isolators().stream().filter(i -> i.outcome() != IsolatorOutcome.Outcome.APPLIED)
                    .forEach(i -> notAsAsked.add(i.describe()));
            return "started: stage1 pid " + e.stage1Pid() + ", apps " + (e.appPids().isEmpty() ? "none reported" : apps)
                    + ", driven by " + e.owner() + notAsAsked
                    + e.warnings().stream().map(w -> "; warning: " + w).collect(Collectors.joining());
        } else if (event instanceof AppExited e) {
            String how = e.signal() == null ? "exited with code " + e.exitCode()
                    : "was killed by signal " + e.signal() + " (exit code " + e.exitCode() + ")";
            return "app " + e.app() + " " + how + (e.oomKilled() ? ", out of memory" : "");
        } else if (event instanceof PodEvent.LaunchRequested e) {
            return "launch requested by " + e.requester() + askedBy(e.requestedBy());
        } else if (event instanceof PodEvent.DeleteRequested e) {
            return "deletion requested by " + e.requester() + askedBy(e.requestedBy());
        } else if (event instanceof PodStopRequested e) {
            return (e.force() ? "forced stop requested" : "stop requested") + askedBy(e.requestedBy());
        } else if (event instanceof PodExited e) {
            return "exited with code " + e.exitCode() + ": " + e.reason() + networksRemoved(e.networksRemoved());
        } else if (event instanceof PodMarkedGarbage e) {
            return "marked garbage: " + e.reason();
        } else if (event instanceof PodDeleted e) {
            return "deleted" + networksRemoved(e.networksRemoved());
        } else if (event instanceof StageFailed e) {
            return e.stage().displayName() + " failed: " + e.reason()
                    + (e.retryable() ? " (trying again may help)" : " (trying again will not help)");
        } else if (event instanceof PodLost e) {
            return "lost: " + e.reason();
        } else if (event instanceof PodEvent.PrivilegesGranted e) {
            StringJoiner what = new StringJoiner(", ");
            if (!e.capabilities().isEmpty()) {
                what.add("capabilities " + String.join(",", e.capabilities()));
            }
            e.insecureOptions().forEach(o -> what.add("--insecure-options=" + o.flagValue()));
            return "privileges granted: " + what + " by " + e.grantor().describe();
        } else if (event instanceof PodAdopted e) {
            return "adopted by " + e.owner() + (e.previousOwner() == null ? "" : " from " + e.previousOwner())
                    + ": " + e.reason();
        }
        throw new AssertionError("PodHistory does not describe " + event.getClass().getName());
    }
}
