package dev.rkj.engine.pod;

import dev.rkj.engine.Grantor;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A request to record something about a pod, given to {@link PodLifecycle#decide}. Users' intents
 * ({@link CreatePod}, {@link RequestLaunch}, {@link StopPod}, {@link RemovePod}, {@link RequestDelete}) and stages' outcomes
 * ({@link RecordRendered}, {@link StartPod}...) are both commands: the lifecycle checks each
 * against the pod's state before it becomes an event.
 *
 * <p>Commands name a pod by its full id: resolve user-given prefixes first with
 * {@link PodProjection#resolvePrefix(String)}.
 */
public sealed interface PodCommand {

    /** The pod, a full canonical UUID. */
    String podId();

    /** The move this command makes, named in a refusal. */
    PodMove move();

    /**
     * Create a pod ({@code rkj run}, {@code rkj prepare}), prepared by {@code owner}; {@code grantor}
     * is who asks, recorded if the spec grants privileges beyond the defaults; with {@code launch}
     * ({@code rkj run}), {@code owner} also asks to launch it once prepared, in the same append.
     */
    record CreatePod(String podId, PodSpec spec, PodOwner owner, Grantor grantor, boolean launch) implements PodCommand {
        public CreatePod {
            PodIds.requireValid(podId);
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(grantor, "grantor");
        }

        /** A creation without a launch request ({@code rkj prepare}). */
        public CreatePod(String podId, PodSpec spec, PodOwner owner, Grantor grantor) {
            this(podId, spec, owner, grantor, false);
        }

        /** A creation by a caller that does not say who it is ({@link Grantor#UNSTATED}), not launched. */
        public CreatePod(String podId, PodSpec spec, PodOwner owner) {
            this(podId, spec, owner, Grantor.UNSTATED, false);
        }

        @Override
        public PodMove move() {
            return PodMove.CREATE;
        }
    }

    /** Record the images the pod's apps' image references resolved to, in app order (fetch stage). */
    record ResolveImage(String podId, java.util.List<PodEvent.ResolvedImage> images) implements PodCommand {
        public ResolveImage {
            PodIds.requireValid(podId);
            if (images == null || images.isEmpty()) {
                throw new IllegalArgumentException("pod " + podId + ": no resolved image to record");
            }
            images = java.util.List.copyOf(images);
        }

        /** The resolution of a one-image pod. */
        public ResolveImage(String podId, String imageId, String imageName, ImageSource source) {
            this(podId, java.util.List.of(new PodEvent.ResolvedImage(imageId, imageName, source)));
        }

        @Override
        public PodMove move() {
            return PodMove.RESOLVE_IMAGE;
        }
    }

    /**
     * Record that the image's signature was verified, or deliberately not ({@code verified}
     * false, allowed only with {@code --insecure-options=image}) (verify stage).
     */
    record RecordVerification(String podId, String imageId, boolean verified, String reason, String keyFingerprint,
                              String trustedPrefix) implements PodCommand {
        public RecordVerification {
            PodIds.requireValid(podId);
            requireText(imageId, "image id");
            requireText(reason, "verification reason");
        }

        /** A check that names no key. */
        public RecordVerification(String podId, String imageId, boolean verified, String reason) {
            this(podId, imageId, verified, reason, null, null);
        }

        @Override
        public PodMove move() {
            return PodMove.RECORD_VERIFICATION;
        }
    }

    /** Record the tree the image was rendered into, by its id in the image store (render stage). */
    record RecordRendered(String podId, String imageId, String treeId) implements PodCommand {
        public RecordRendered {
            PodIds.requireValid(podId);
            requireText(imageId, "image id");
            requireText(treeId, "tree id");
        }

        @Override
        public PodMove move() {
            return PodMove.RECORD_RENDERED;
        }
    }

    /** Record that the pod directory and manifest are written (prepare stage). */
    record PreparePod(String podId, String manifestDigest) implements PodCommand {
        public PreparePod {
            PodIds.requireValid(podId);
            requireText(manifestDigest, "manifest digest");
        }

        @Override
        public PodMove move() {
            return PodMove.PREPARE;
        }
    }

    /** Record that stage1 started the apps, driven by {@code owner} (launch stage), with what the user should hear. */
    record StartPod(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner,
                    List<IsolatorOutcome> isolators, List<String> warnings, List<NetworkAttachment> networks)
            implements PodCommand {
        /** A start on no CNI network. */
        public StartPod(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner,
                        List<IsolatorOutcome> isolators, List<String> warnings) {
            this(podId, stage1Pid, appPids, owner, isolators, warnings, List.of());
        }

        /** A start that reports no warning. */
        public StartPod(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner,
                        List<IsolatorOutcome> isolators) {
            this(podId, stage1Pid, appPids, owner, isolators, List.of());
        }

        /** A start that reports no isolator. */
        public StartPod(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner) {
            this(podId, stage1Pid, appPids, owner, List.of());
        }

        public StartPod {
            isolators = isolators == null ? List.of() : List.copyOf(isolators);
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
            networks = networks == null ? List.of() : List.copyOf(networks);
            PodIds.requireValid(podId);
            requirePid(stage1Pid, "stage1");
            Map<String, Long> pids = new TreeMap<>();
            if (appPids != null) {
                for (Map.Entry<String, Long> app : appPids.entrySet()) {
                    requireText(app.getKey(), "app name");
                    requirePid(app.getValue() == null ? 0 : app.getValue(), "app " + app.getKey());
                    pids.put(app.getKey(), app.getValue());
                }
            }
            appPids = Collections.unmodifiableMap(pids);
            Objects.requireNonNull(owner, "owner");
        }

        @Override
        public PodMove move() {
            return PodMove.START;
        }
    }

    /** Record one app's exit (launch stage, reading stage1's status). */
    record RecordAppExit(String podId, String app, int exitCode, Integer signal, boolean oomKilled) implements PodCommand {
        public RecordAppExit {
            PodIds.requireValid(podId);
            requireText(app, "app name");
            requireExitCode(exitCode);
            if (signal != null && (signal < 1 || signal > 64)) {
                throw new IllegalArgumentException("signal " + signal + " is not a Linux signal number (1-64)");
            }
        }

        @Override
        public PodMove move() {
            return PodMove.RECORD_APP_EXIT;
        }
    }

    /**
     * Ask to launch the pod once it is prepared ({@code rkj run-prepared}); {@code requester} must
     * be the engine driving it (adopt it first), and launches it.
     */
    record RequestLaunch(String podId, PodOwner requester, Grantor grantor) implements PodCommand {
        /** @param grantor the user who asks, recorded with the request; null if not stated */
        public RequestLaunch {
            PodIds.requireValid(podId);
            Objects.requireNonNull(requester, "requester");
        }

        /** A launch request whose caller does not say who it is. */
        public RequestLaunch(String podId, PodOwner requester) {
            this(podId, requester, null);
        }

        @Override
        public PodMove move() {
            return PodMove.REQUEST_LAUNCH;
        }
    }

    /**
     * Ask to delete the garbage pod ({@code rkj rm}, {@code rkj gc}, or recovery taking over a dead
     * engine's request); {@code requester} deletes it and records {@link DeletePod}.
     */
    record RequestDelete(String podId, PodOwner requester, Grantor grantor) implements PodCommand {
        /** @param grantor the user who asks, recorded with the request; null if none did (recovery) or not stated */
        public RequestDelete {
            PodIds.requireValid(podId);
            Objects.requireNonNull(requester, "requester");
        }

        /** A delete request no user states (recovery resuming a dead engine's). */
        public RequestDelete(String podId, PodOwner requester) {
            this(podId, requester, null);
        }

        @Override
        public PodMove move() {
            return PodMove.REQUEST_DELETE;
        }
    }

    /** Ask the owning engine to stop the running pod ({@code rkj stop [--force]}). */
    record StopPod(String podId, boolean force, Grantor grantor) implements PodCommand {
        /** @param grantor the user who asks, recorded with the request; null if not stated */
        public StopPod {
            PodIds.requireValid(podId);
        }

        /** A stop request whose caller does not say who it is. */
        public StopPod(String podId, boolean force) {
            this(podId, force, null);
        }

        @Override
        public PodMove move() {
            return PodMove.STOP;
        }
    }

    /**
     * Record the pod's exit (launch stage, or recovery from stage1's written status), with the CNI
     * networks its release took it off.
     */
    record RecordExit(String podId, int exitCode, String reason, List<NetworkAttachment> networksRemoved)
            implements PodCommand {
        public RecordExit {
            PodIds.requireValid(podId);
            requireExitCode(exitCode);
            requireText(reason, "exit reason");
            networksRemoved = networksRemoved == null ? List.of() : List.copyOf(networksRemoved);
        }

        /** An exit that took the pod off no network. */
        public RecordExit(String podId, int exitCode, String reason) {
            this(podId, exitCode, reason, List.of());
        }

        @Override
        public PodMove move() {
            return PodMove.RECORD_EXIT;
        }
    }

    /**
     * Mark the pod garbage (gc: expired prepared pods, aborted pods, exited pods, abandoned
     * preparations). With {@code whileOwnedBy}, only while the pod's owner is still that engine
     * (the one gc found gone): refused once another engine has adopted the pod.
     */
    record MarkGarbage(String podId, String reason, PodOwner whileOwnedBy) implements PodCommand {
        public MarkGarbage {
            PodIds.requireValid(podId);
            requireText(reason, "garbage reason");
        }

        /** Whoever owns the pod. */
        public MarkGarbage(String podId, String reason) {
            this(podId, reason, null);
        }

        @Override
        public PodMove move() {
            return PodMove.MARK_GARBAGE;
        }
    }

    /**
     * Remove the pod ({@code rkj rm}): marks it garbage now, whatever its age; the caller then
     * deletes its resources and records {@link DeletePod}.
     */
    record RemovePod(String podId) implements PodCommand {
        /** The garbage reason {@link PodLifecycle} records for {@code rkj rm}. */
        public static final String REASON = "removed with rkj rm";

        public RemovePod {
            PodIds.requireValid(podId);
        }

        @Override
        public PodMove move() {
            return PodMove.REMOVE;
        }
    }

    /**
     * Record that a garbage pod's directory, mounts and cgroups are gone (gc stage), with the CNI
     * networks the deletion took it off.
     */
    record DeletePod(String podId, List<NetworkAttachment> networksRemoved) implements PodCommand {
        public DeletePod {
            PodIds.requireValid(podId);
            networksRemoved = networksRemoved == null ? List.of() : List.copyOf(networksRemoved);
        }

        /** A deletion that took the pod off no network. */
        public DeletePod(String podId) {
            this(podId, List.of());
        }

        @Override
        public PodMove move() {
            return PodMove.DELETE;
        }
    }

    /** Record a stage's failure, with a reason the user can act on (any stage). */
    record FailStage(String podId, Stage stage, String reason, boolean retryable) implements PodCommand {
        public FailStage {
            PodIds.requireValid(podId);
            Objects.requireNonNull(stage, "stage");
            requireText(reason, "failure reason");
        }

        @Override
        public PodMove move() {
            return PodMove.FAIL_STAGE;
        }
    }

    /**
     * Declare the pod lost: its engine died and left no outcome (recovery; gc, for an abandoned
     * preparation). With {@code whileOwnedBy}, only while the pod's owner is still that engine:
     * refused once another engine has adopted the pod.
     */
    record MarkLost(String podId, String reason, PodOwner whileOwnedBy) implements PodCommand {
        public MarkLost {
            PodIds.requireValid(podId);
            requireText(reason, "lost reason");
        }

        /** Whoever owns the pod. */
        public MarkLost(String podId, String reason) {
            this(podId, reason, null);
        }

        @Override
        public PodMove move() {
            return PodMove.MARK_LOST;
        }
    }

    /**
     * Take over driving the pod from {@code previousOwner} (recovery, when that engine is gone;
     * {@code rkj run-prepared}, before launching a pod another engine prepared).
     */
    record AdoptPod(String podId, PodOwner previousOwner, PodOwner owner, String reason) implements PodCommand {
        public AdoptPod {
            PodIds.requireValid(podId);
            Objects.requireNonNull(owner, "owner");
            requireText(reason, "adoption reason");
        }

        @Override
        public PodMove move() {
            return PodMove.ADOPT;
        }
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is empty");
        }
    }

    private static void requirePid(long pid, String what) {
        if (pid <= 0) {
            throw new IllegalArgumentException(what + " pid " + pid + " is not a process id (> 0)");
        }
    }

    private static void requireExitCode(int exitCode) {
        if (exitCode < 0 || exitCode > 255) {
            throw new IllegalArgumentException("exit code " + exitCode + " is out of range (0-255)");
        }
    }
}
