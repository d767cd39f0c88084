package dev.rkj.engine.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the journal says about one pod: the fold of its events by
 * {@link PodLifecycle#evolve(PodState, PodEvent, Instant)}. Immutable; only {@code evolve} makes
 * new ones. Fields a pod has not reached yet are {@code null} (documented per field);
 * collections are never null.
 *
 * @param podId          the pod's id
 * @param revision       how many of the pod's events were applied; 0 before it was created
 * @param status         where it is; {@code EMBRYO} also before it was created (see {@link #exists()})
 * @param spec           what the user asked for; null before created
 * @param owner          the engine driving it: the creator while preparing, the starter once
 *                       started, or the engine that adopted it since; null before created
 * @param images         each app's resolved image, in the spec's app order; empty before resolved
 * @param verifications  each verified image's verification, by image id
 * @param trees          each rendered image's tree id in the image store, by image id
 * @param manifestDigest the written pod manifest's digest; null before prepared
 * @param stage1Pid      stage1's host pid; null before started
 * @param apps           each started app by name, with its exit once recorded
 * @param stopRequested  a stop was requested and has not failed since
 * @param forceStop      the stop requested is a forced one (SIGKILL)
 * @param launchRequestedBy the engine that asked to launch the pod; null if none asked
 * @param deleteRequestedBy the engine that asked to delete the pod and has not failed since; null
 *                       if none
 * @param exitCode       the pod's exit status; null unless it exited with one (not when lost or
 *                       when its launch failed)
 * @param exitReason     why it exited; null unless it exited with a status
 * @param lostReason     what recovery found when it declared the pod lost; null unless lost
 * @param failure        the last stage failure; null if none
 * @param garbageReason  why it was marked garbage; null unless it was
 * @param enteredAt      when it entered each status it reached
 * @param updatedAt      the time of its last event; null before created
 * @param isolators      what became of each isolator of its manifest when it started (ace.md);
 *                       empty before started, or when started by an rkj that did not say
 * @param warnings       what its start said the user should hear (e.g. an image's mount point given an
 *                       empty volume); empty if nothing
 * @param networks       the CNI networks it joined when it started, with its addresses; empty if none
 */
public record PodState(
        String podId,
        long revision,
        PodStatus status,
        PodSpec spec,
        PodOwner owner,
        List<PodImage> images,
        Map<String, ImageVerification> verifications,
        Map<String, String> trees,
        String manifestDigest,
        Long stage1Pid,
        Map<String, AppStatus> apps,
        boolean stopRequested,
        boolean forceStop,
        PodOwner launchRequestedBy,
        PodOwner deleteRequestedBy,
        Integer exitCode,
        String exitReason,
        String lostReason,
        StageFailure failure,
        String garbageReason,
        Map<PodStatus, Instant> enteredAt,
        Instant updatedAt,
        List<IsolatorOutcome> isolators,
        List<String> warnings,
        List<NetworkAttachment> networks) {

    public PodState {
        if (podId == null || podId.isBlank()) {
            throw new IllegalArgumentException("pod state without a pod id");
        }
        Objects.requireNonNull(status, "status");
        images = images == null ? List.of() : List.copyOf(images);
        verifications = verifications == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(verifications));
        trees = trees == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(trees));
        apps = apps == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(apps));
        enteredAt = enteredAt == null || enteredAt.isEmpty()
                ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(enteredAt));
        isolators = isolators == null ? List.of() : List.copyOf(isolators);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        networks = networks == null ? List.of() : List.copyOf(networks);
    }

    /** The state of a pod no event has touched yet: the state {@code decide} creates pods from. */
    public static PodState initial(String podId) {
        return new PodState(podId, 0, PodStatus.EMBRYO, null, null, List.of(), Map.of(), Map.of(), null, null,
                Map.of(), false, false, null, null, null, null, null, null, null, Map.of(), null, List.of(), List.of(), List.of());
    }

    /** Whether the pod was created (some event of it was applied). */
    public boolean exists() {
        return revision > 0;
    }

    /** The first app's image (a one-image pod's); null before resolved. */
    public PodImage image() {
        return images.isEmpty() ? null : images.get(0);
    }

    /**
     * The first image's verification once every image of the pod is verified; null before (see
     * {@link #verifications()} for each).
     */
    public ImageVerification verification() {
        return images.isEmpty() || nextUnverified().isPresent() ? null : verifications.get(images.get(0).id());
    }

    /** The first image's tree once every image of the pod is rendered; null before (see {@link #trees()}). */
    public String treeId() {
        return images.isEmpty() || nextUnrendered().isPresent() ? null : trees.get(images.get(0).id());
    }

    /** The first of the pod's images not verified yet, if any. */
    public Optional<PodImage> nextUnverified() {
        return images.stream().filter(i -> !verifications.containsKey(i.id())).findFirst();
    }

    /** The first of the pod's images not rendered yet, if any. */
    public Optional<PodImage> nextUnrendered() {
        return images.stream().filter(i -> !trees.containsKey(i.id())).findFirst();
    }

    /**
     * Each app of the pod in the spec's order: its name ({@code --name}, else derived from its
     * image's name once resolved; null before), its image (null before resolved) and its run
     * status (null before started).
     */
    public List<AppView> appViews() {
        if (spec == null) {
            return List.of();
        }
        List<AppView> views = new java.util.ArrayList<>();
        for (int i = 0; i < spec.apps().size(); i++) {
            PodImage img = i < images.size() ? images.get(i) : null;
            String name = spec.apps().get(i).name() != null ? spec.apps().get(i).name()
                    : img == null ? null : PodSpec.defaultAppName(img.name());
            views.add(new AppView(name, spec.apps().get(i).imageRef(), img, name == null ? null : apps.get(name)));
        }
        return views;
    }

    /**
     * One app of a pod, as {@link #appViews()} shows it.
     *
     * @param name     its name in the pod; null while its image is not resolved and no --name gave one
     * @param imageRef its image as the user named it
     * @param image    its resolved image; null before
     * @param status   its pid and exit; null before the pod started
     */
    public record AppView(String name, String imageRef, PodImage image, AppStatus status) {
        /** {@code running}, {@code exited}, or {@code -} before the pod started. */
        public String state() {
            return status == null ? "-" : status.hasExited() ? "exited" : "running";
        }
    }

    /** Whether recovery declared it lost (its engine died and left no outcome). */
    public boolean lost() {
        return lostReason != null;
    }

    /** When it entered {@code s}, if it did. */
    public Optional<Instant> enteredAt(PodStatus s) {
        return Optional.ofNullable(enteredAt.get(s));
    }

    /** When it was created. */
    public Optional<Instant> createdAt() {
        return enteredAt(PodStatus.EMBRYO);
    }

    /** When its apps started. */
    public Optional<Instant> startedAt() {
        return enteredAt(PodStatus.RUNNING);
    }

    /** When it exited (including lost and failed launches). */
    public Optional<Instant> exitedAt() {
        return enteredAt(PodStatus.EXITED);
    }

    /** How long it ran: from started to exited, if it did both. */
    public Optional<Duration> runTime() {
        Instant started = enteredAt.get(PodStatus.RUNNING);
        Instant exited = enteredAt.get(PodStatus.EXITED);
        return started == null || exited == null ? Optional.empty() : Optional.of(Duration.between(started, exited));
    }

    /** The app named {@code name}, if it was started. */
    public Optional<AppStatus> app(String name) {
        return Optional.ofNullable(apps.get(name));
    }

    Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The image a pod runs.
     *
     * @param id     {@code sha512-<hex>}
     * @param name   the name from its manifest
     * @param source where it came from
     */
    public record PodImage(String id, String name, ImageSource source) {
    }

    /**
     * The outcome of checking the image's signature.
     *
     * @param verified whether a trusted signature was found ({@code false}: deliberately skipped)
     * @param reason   the signer, or why it was skipped
     */
    public record ImageVerification(boolean verified, String reason) {
    }

    /**
     * One app of a started pod.
     *
     * @param name      its name in the pod
     * @param pid       its host pid; null if the launch did not report one
     * @param exitCode  its exit status; null while running
     * @param signal    the signal that killed it; null if none
     * @param oomKilled whether the OOM killer killed it
     * @param exitedAt  when its exit was recorded; null while running
     */
    public record AppStatus(String name, Long pid, Integer exitCode, Integer signal, boolean oomKilled, Instant exitedAt) {
        /** Whether its exit was recorded. */
        public boolean hasExited() {
            return exitCode != null;
        }
    }

    /**
     * A stage's failure.
     *
     * @param stage     the stage that failed
     * @param reason    what went wrong and what to do
     * @param retryable whether trying again can help
     * @param at        when it was recorded
     */
    public record StageFailure(Stage stage, String reason, boolean retryable, Instant at) {
    }

    /** A mutable copy of a state, for {@link PodLifecycle#evolve} only. */
    static final class Builder {
        private final String podId;
        private long revision;
        private PodStatus status;
        private PodSpec spec;
        private PodOwner owner;
        private List<PodImage> images;
        private final Map<String, ImageVerification> verifications;
        private final Map<String, String> trees;
        private String manifestDigest;
        private Long stage1Pid;
        private final Map<String, AppStatus> apps;
        private boolean stopRequested;
        private boolean forceStop;
        private PodOwner launchRequestedBy;
        private PodOwner deleteRequestedBy;
        private Integer exitCode;
        private String exitReason;
        private String lostReason;
        private StageFailure failure;
        private String garbageReason;
        private final EnumMap<PodStatus, Instant> enteredAt = new EnumMap<>(PodStatus.class);
        private Instant updatedAt;
        private List<IsolatorOutcome> isolators;
        private List<String> warnings;
        private List<NetworkAttachment> networks;

        private Builder(PodState s) {
            networks = s.networks;
            isolators = s.isolators;
            warnings = s.warnings;
            podId = s.podId;
            revision = s.revision;
            status = s.status;
            spec = s.spec;
            owner = s.owner;
            images = s.images;
            verifications = new TreeMap<>(s.verifications);
            trees = new TreeMap<>(s.trees);
            manifestDigest = s.manifestDigest;
            stage1Pid = s.stage1Pid;
            apps = new TreeMap<>(s.apps);
            stopRequested = s.stopRequested;
            forceStop = s.forceStop;
            launchRequestedBy = s.launchRequestedBy;
            deleteRequestedBy = s.deleteRequestedBy;
            exitCode = s.exitCode;
            exitReason = s.exitReason;
            lostReason = s.lostReason;
            failure = s.failure;
            garbageReason = s.garbageReason;
            enteredAt.putAll(s.enteredAt);
            updatedAt = s.updatedAt;
            warnings = s.warnings;
        }

        /** Counts one more event, applied at {@code time}. */
        Builder applied(Instant time) {
            revision++;
            updatedAt = time;
            return this;
        }

        /**
         * Moves to {@code next} at {@code time} if it lies further along the lifecycle (or records
         * when the current status was entered, for the first event); a fact that arrives late,
         * after a later one, never moves a pod back.
         */
        Builder advanceTo(PodStatus next, Instant time) {
            if (status.isBehind(next) || (status == next && !enteredAt.containsKey(next))) {
                status = next;
                enteredAt.putIfAbsent(next, time);
            }
            return this;
        }

        PodStatus status() {
            return status;
        }

        Builder spec(PodSpec v) {
            spec = v;
            return this;
        }

        Builder owner(PodOwner v) {
            owner = v;
            return this;
        }

        PodOwner owner() {
            return owner;
        }

        Builder images(List<PodImage> v) {
            images = v;
            return this;
        }

        Builder verification(String imageId, ImageVerification v) {
            verifications.put(imageId, v);
            return this;
        }

        Builder tree(String imageId, String treeId) {
            trees.put(imageId, treeId);
            return this;
        }

        Builder prepared(String digest) {
            manifestDigest = digest;
            return this;
        }

        Builder stage1Pid(Long v) {
            stage1Pid = v;
            return this;
        }

        Builder app(AppStatus v) {
            apps.put(v.name(), v);
            return this;
        }

        Optional<AppStatus> app(String name) {
            return Optional.ofNullable(apps.get(name));
        }

        Builder stopRequested(boolean requested, boolean force) {
            stopRequested = requested;
            forceStop = force;
            return this;
        }

        boolean forceStop() {
            return forceStop;
        }

        Builder launchRequestedBy(PodOwner v) {
            launchRequestedBy = v;
            return this;
        }

        Builder deleteRequestedBy(PodOwner v) {
            deleteRequestedBy = v;
            return this;
        }

        Builder exit(Integer code, String reason) {
            exitCode = code;
            exitReason = reason;
            return this;
        }

        Builder lostReason(String v) {
            lostReason = v;
            return this;
        }

        Builder failure(StageFailure v) {
            failure = v;
            return this;
        }

        Builder garbageReason(String v) {
            garbageReason = v;
            return this;
        }

        Builder isolators(List<IsolatorOutcome> v) {
            isolators = v;
            return this;
        }

        PodState build() {
            return new PodState(podId, revision, status, spec, owner, images, verifications, trees, manifestDigest,
                    stage1Pid, apps, stopRequested, forceStop, launchRequestedBy, deleteRequestedBy, exitCode,
                    exitReason, lostReason, failure, garbageReason, enteredAt, updatedAt, isolators, warnings,
                    networks);
        }

        Builder networks(List<NetworkAttachment> v) {
            networks = v;
            return this;
        }

        Builder warnings(List<String> v) {
            warnings = v;
            return this;
        }
    }
}
