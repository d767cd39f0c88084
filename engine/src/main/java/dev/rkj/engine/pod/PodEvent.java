package dev.rkj.engine.pod;

import dev.rkj.engine.Grantor;
import dev.rkj.eventlog.Superseded;
import dev.rkj.eventlog.WireName;

import dev.rkj.engine.pod.PodSpec.InsecureOption;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A fact about one pod, as stored in the journal. The journal's envelope carries the time and
 * the index, so events do not repeat them.
 *
 * <p>Wire format rules: each event names itself with {@link WireName} ({@code pod.started/1});
 * renaming a class or a nested type is harmless, but renaming or retyping a field, or renaming an
 * enum constant used by a field, needs a new {@code version} and a reader for the old one.
 * Nullable fields say so; collections are never null. Events carry ids and names, never host
 * paths: a path is derived from the data directory, so a data directory that moves still replays.
 * An old version stays here as a {@link Superseded} record; read events through {@link #current}.
 * Every wire name and version has a golden sample under {@code src/test/resources/wire/}.
 */
public sealed interface PodEvent {

    /** {@code event} in its current version (see {@link Superseded}). */
    static PodEvent current(PodEvent event) {
        return Superseded.latest(event);
    }

    /** The pod's id, a full UUID; also the journal aggregate id. */
    String podId();

    /**
     * The pod was created: its id is taken and the engine {@code owner} prepares it. Moves to
     * {@link PodStatus#EMBRYO}. Version 6 added the spec's {@code networking} (CNI networks); version
     * 5, read as {@link PodCreatedV5}, holds the per-app spec ({@link PodSpec}: pod-level
     * options and one spec per app, each with its image); versions 1 to 4 held the single-image
     * {@link PodSpecV4}. Version 4 added {@code requestedBy}; version 3 added the spec's
     * {@code appName}, {@code user}, {@code group} and {@code workingDir}; version 2 added
     * {@code capsRetain}, {@code capsRemove} and {@code pidsLimit}. Older versions are read as
     * {@link PodCreatedV4}, {@link PodCreatedV3}, {@link PodCreatedV2} and {@link PodCreatedV1}.
     *
     * @param requestedBy who asked ({@code rkj run} or {@code prepare} on the command line, or the
     *                    daemon's API and its caller), or {@code null} if the caller did not say
     */
    @WireName(value = "pod.created", version = 6)
    record PodCreated(String podId, PodSpec spec, PodOwner owner, Grantor requestedBy) implements PodEvent {
        public PodCreated {
            requirePodId(podId);
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(owner, "owner");
            requestedBy = stated(requestedBy);
        }

        /** A creation whose caller did not say who it is. */
        public PodCreated(String podId, PodSpec spec, PodOwner owner) {
            this(podId, spec, owner, null);
        }
    }

    /**
     * {@code pod.created/5}, as journals written before CNI networks hold it: {@code net} default
     * had only {@code lo}. Never written any more; folded and described as its {@link #upcast()}.
     */
    @WireName(value = "pod.created", version = 5)
    record PodCreatedV5(String podId, PodSpecV5 spec, PodOwner owner, Grantor requestedBy)
            implements PodEvent, Superseded<PodEvent> {
        public PodCreatedV5 {
            requirePodId(podId);
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(owner, "owner");
        }

        /** The same fact as the current version. */
        @Override
        public PodCreated upcast() {
            return new PodCreated(podId, spec.upcast(), owner, requestedBy);
        }
    }

    /**
     * {@code pod.created/4}, as journals written before version 5 hold it: the single-image spec.
     * Never written any more; folded and described as its {@link #upcast()}.
     */
    @WireName(value = "pod.created", version = 4)
    record PodCreatedV4(String podId, PodSpecV4 spec, PodOwner owner, Grantor requestedBy)
            implements PodEvent, Superseded<PodEvent> {
        public PodCreatedV4 {
            requirePodId(podId);
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(owner, "owner");
        }

        /** The same fact as the current version: a pod of one app. */
        @Override
        public PodCreated upcast() {
            return new PodCreated(podId, spec.upcast(), owner, requestedBy);
        }
    }

    /**
     * {@code pod.created/3}, as journals written before version 4 hold it: who asked is not
     * recorded (read as {@code null}). Never written any more; folded and described as its
     * {@link #upcast()}.
     */
    @WireName(value = "pod.created", version = 3)
    record PodCreatedV3(String podId, PodSpecV4 spec, PodOwner owner) implements PodEvent, Superseded<PodEvent> {
        public PodCreatedV3 {
            requirePodId(podId);
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(owner, "owner");
        }

        /** The same fact as the current version. */
        @Override
        public PodCreated upcast() {
            return new PodCreated(podId, spec.upcast(), owner, null);
        }
    }

    /**
     * {@code pod.created/2}, as journals written before version 3 hold it: its spec has no
     * {@code appName}, {@code user}, {@code group} or {@code workingDir}, which read as
     * {@code null} (the image's own). Never written any more; folded and described as its
     * {@link #upcast()}.
     */
    @WireName(value = "pod.created", version = 2)
    record PodCreatedV2(String podId, PodSpecV4 spec, PodOwner owner) implements PodEvent, Superseded<PodEvent> {
        public PodCreatedV2 {
            requirePodId(podId);
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(owner, "owner");
        }

        /** The same fact as the current version. */
        @Override
        public PodCreated upcast() {
            return new PodCreated(podId, spec.upcast(), owner);
        }
    }

    /**
     * {@code pod.created/1}, as journals written before version 2 hold it: its spec has no
     * {@code capsRetain}, {@code capsRemove} or {@code pidsLimit}, which read as their defaults
     * (none given), nor the fields of version 3. Never written any more; folded and described as
     * its {@link #upcast()}.
     */
    @WireName(value = "pod.created", version = 1)
    record PodCreatedV1(String podId, PodSpecV4 spec, PodOwner owner) implements PodEvent, Superseded<PodEvent> {
        public PodCreatedV1 {
            requirePodId(podId);
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(owner, "owner");
        }

        /** The same fact as the current version. */
        @Override
        public PodCreated upcast() {
            return new PodCreated(podId, spec.upcast(), owner);
        }
    }

    /**
     * The pod was created with privileges beyond rkj's defaults, granted by the user who created
     * it: appended with {@link PodCreated}, in the same append. Changes no status.
     *
     * @param capabilities    the capabilities outside appc's default set that the user granted with
     *                        {@code --caps-retain}, by {@code CAP_*} name; empty if none
     * @param insecureOptions the pod's protections the user switched off with
     *                        {@code --insecure-options} ({@code capabilities}: every capability and
     *                        an image may lower no_new_privs; {@code paths}: no masked paths;
     *                        {@code seccomp}: no seccomp filter)
     * @param grantor         who asked, and how
     */
    @WireName(value = "pod.privileges-granted", version = 1)
    record PrivilegesGranted(String podId, Set<String> capabilities, Set<InsecureOption> insecureOptions,
                             Grantor grantor) implements PodEvent {
        public PrivilegesGranted {
            requirePodId(podId);
            capabilities = capabilities == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(capabilities));
            EnumSet<InsecureOption> options = EnumSet.noneOf(InsecureOption.class);
            if (insecureOptions != null) {
                options.addAll(insecureOptions);
            }
            insecureOptions = Collections.unmodifiableSet(options);
            Objects.requireNonNull(grantor, "grantor");
            if (capabilities.isEmpty() && insecureOptions.isEmpty()) {
                throw new IllegalArgumentException("pod " + podId + ": a privileges grant grants nothing");
            }
        }
    }

    /**
     * The pod's image references resolved to images in the store, one per app in the spec's
     * order. Moves to {@link PodStatus#PREPARING}. Version 2 carries every app's image; version 1
     * (one image) is read as {@link ImageResolvedV1}.
     *
     * @param images each app's image, in the order of the spec's apps
     */
    @WireName(value = "pod.image-resolved", version = 2)
    record ImageResolved(String podId, java.util.List<ResolvedImage> images) implements PodEvent {
        public ImageResolved {
            requirePodId(podId);
            if (images == null || images.isEmpty()) {
                throw new IllegalArgumentException("pod " + podId + ": an image resolution without images");
            }
            images = java.util.List.copyOf(images);
        }

        /** The resolution of a one-image pod. */
        public ImageResolved(String podId, String imageId, String imageName, ImageSource source) {
            this(podId, java.util.List.of(new ResolvedImage(imageId, imageName, source)));
        }

        /** The first app's image id (a one-image pod's). */
        public String imageId() {
            return images.get(0).imageId();
        }
    }

    /**
     * One app's image, resolved.
     *
     * @param imageId   the image id, {@code sha512-<hex>}
     * @param imageName the image's name from its manifest, e.g. {@code example.com/app}
     * @param source    whether it was already in the store or fetched for this pod
     */
    record ResolvedImage(String imageId, String imageName, ImageSource source) {
        public ResolvedImage {
            Objects.requireNonNull(imageId, "imageId");
            Objects.requireNonNull(imageName, "imageName");
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * {@code pod.image-resolved/1}, as journals written before version 2 hold it: the one image of
     * a single-image pod. Never written any more.
     */
    @WireName(value = "pod.image-resolved", version = 1)
    record ImageResolvedV1(String podId, String imageId, String imageName, ImageSource source)
            implements PodEvent, Superseded<PodEvent> {
        public ImageResolvedV1 {
            requirePodId(podId);
            Objects.requireNonNull(imageId, "imageId");
            Objects.requireNonNull(imageName, "imageName");
            Objects.requireNonNull(source, "source");
        }

        /** The same fact as the current version. */
        @Override
        public ImageResolved upcast() {
            return new ImageResolved(podId, java.util.List.of(new ResolvedImage(imageId, imageName, source)));
        }
    }

    /**
     * One of the pod's images had its signature checked, or the check was deliberately skipped
     * (one event per image of the pod). A failed check is
     * not this event but a {@link StageFailed} of {@link Stage#VERIFY}.
     *
     * @param verified       whether a trusted signature was found; {@code false} only when skipped
     * @param reason         how: the signing key and prefix, or why it was skipped (e.g.
     *                       {@code --insecure-options=image}; who asked is on the pod's creation)
     * @param keyFingerprint the fingerprint of the trusted key that signed the image, or null if not verified
     * @param trustedPrefix  the image name prefix that key is trusted for, or null for a root key (or not verified)
     *
     * <p>Version 2 added {@code keyFingerprint} and {@code trustedPrefix}; version 1 is read as
     * {@link ImageVerifiedV1}.
     */
    @WireName(value = "pod.image-verified", version = 2)
    record ImageVerified(String podId, String imageId, boolean verified, String reason, String keyFingerprint,
                         String trustedPrefix) implements PodEvent {
        public ImageVerified {
            requirePodId(podId);
            Objects.requireNonNull(imageId, "imageId");
            Objects.requireNonNull(reason, "reason");
        }

        /** A check that names no key (skipped, or recorded before keys were named). */
        public ImageVerified(String podId, String imageId, boolean verified, String reason) {
            this(podId, imageId, verified, reason, null, null);
        }
    }

    /** {@code pod.image-verified/1}, without the key's fingerprint and prefix (its reason names them). Never written any more. */
    @WireName(value = "pod.image-verified", version = 1)
    record ImageVerifiedV1(String podId, String imageId, boolean verified, String reason)
            implements PodEvent, Superseded<PodEvent> {
        /** The same fact, naming no key apart from its reason. */
        @Override
        public ImageVerified upcast() {
            return new ImageVerified(podId, imageId, verified, reason);
        }
    }

    /**
     * One of the pod's images (with its dependencies) was rendered into a read-only tree for the
     * pod (one event per image). Version 2
     * names the tree instead of giving its path; version 1 is read as {@link ImageRenderedV1}.
     *
     * @param treeId the rendered tree's id, its name in the image store's trees directory
     *               ({@code <data dir>/cas/trees/<treeId>/rootfs} is the overlay's lower directory);
     *               today the image id
     */
    @WireName(value = "pod.image-rendered", version = 2)
    record ImageRendered(String podId, String imageId, String treeId) implements PodEvent {
        public ImageRendered {
            requirePodId(podId);
            Objects.requireNonNull(imageId, "imageId");
            requireTreeId(treeId);
        }
    }

    /**
     * {@code pod.image-rendered/1}, as journals written before version 2 hold it: the absolute
     * path of the tree's {@code rootfs} on the host that wrote it. Never written any more.
     *
     * @param treePath {@code <data dir>/cas/trees/<tree id>/rootfs}
     */
    @WireName(value = "pod.image-rendered", version = 1)
    record ImageRenderedV1(String podId, String imageId, String treePath) implements PodEvent, Superseded<PodEvent> {
        public ImageRenderedV1 {
            requirePodId(podId);
            Objects.requireNonNull(imageId, "imageId");
            Objects.requireNonNull(treePath, "treePath");
        }

        /** The same fact, naming the tree by its directory's name: the data directory is not in it. */
        @Override
        public ImageRendered upcast() {
            return new ImageRendered(podId, imageId, treeIdOf(treePath));
        }
    }

    /**
     * The pod directory and the reified pod manifest were written. Moves to
     * {@link PodStatus#PREPARED}. The pod's directory is {@code <data dir>/pods/<podId>}. Version 2
     * dropped the directory's path; version 1 is read as {@link PodPreparedV1}.
     *
     * @param manifestDigest the digest of the pod manifest written there, {@code sha512-<hex>}
     */
    @WireName(value = "pod.prepared", version = 2)
    record PodPrepared(String podId, String manifestDigest) implements PodEvent {
        public PodPrepared {
            requirePodId(podId);
            Objects.requireNonNull(manifestDigest, "manifestDigest");
        }
    }

    /**
     * {@code pod.prepared/1}, as journals written before version 2 hold it, with the pod
     * directory's absolute path on the host that wrote it. Never written any more.
     *
     * @param podDir the pod's directory then, {@code <data dir>/pods/<uuid>}: ignored, the
     *               directory is derived from the pod id and the data directory of the reader
     */
    @WireName(value = "pod.prepared", version = 1)
    record PodPreparedV1(String podId, String podDir, String manifestDigest) implements PodEvent, Superseded<PodEvent> {
        public PodPreparedV1 {
            requirePodId(podId);
            Objects.requireNonNull(podDir, "podDir");
            Objects.requireNonNull(manifestDigest, "manifestDigest");
        }

        /** The same fact without the path. */
        @Override
        public PodPrepared upcast() {
            return new PodPrepared(podId, manifestDigest);
        }
    }

    /**
     * Stage1 started the apps. Moves to {@link PodStatus#RUNNING}. Version 2 added
     * {@code isolators}, version 3 {@code warnings}; versions 1 and 2 are read as
     * {@link PodStartedV1} and {@link PodStartedV2}.
     *
     * @param stage1Pid the stage1 process, in the host PID namespace
     * @param appPids   each app's name and its pid in the host PID namespace
     * @param owner     the engine now driving the pod (it watches stage1 and records the exit)
     * @param isolators what became of each isolator of the pod's manifest (applied, modified,
     *                  ignored), as ace.md requires an executor to tell
     * @param warnings  what else the user should hear about how it runs (an image's mount point
     *                  given an empty volume), each a sentence; added in version 3
     * @param networks  the CNI networks the pod joined, with its addresses; added in version 4
     */
    @WireName(value = "pod.started", version = 4)
    record PodStarted(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner,
                      List<IsolatorOutcome> isolators, List<String> warnings, List<NetworkAttachment> networks)
            implements PodEvent {
        public PodStarted {
            requirePodId(podId);
            appPids = appPids == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(appPids));
            Objects.requireNonNull(owner, "owner");
            isolators = isolators == null ? List.of() : List.copyOf(isolators);
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
            networks = networks == null ? List.of() : List.copyOf(networks);
        }

        /** A start on no CNI network. */
        public PodStarted(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner,
                          List<IsolatorOutcome> isolators, List<String> warnings) {
            this(podId, stage1Pid, appPids, owner, isolators, warnings, List.of());
        }

        /** A start that reports no warning. */
        public PodStarted(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner,
                          List<IsolatorOutcome> isolators) {
            this(podId, stage1Pid, appPids, owner, isolators, List.of());
        }

        /** A start that reports no isolator. */
        public PodStarted(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner) {
            this(podId, stage1Pid, appPids, owner, List.of());
        }
    }

    /** {@code pod.started/3}, without the networks (read as none). Never written any more. */
    @WireName(value = "pod.started", version = 3)
    record PodStartedV3(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner,
                        List<IsolatorOutcome> isolators, List<String> warnings) implements PodEvent, Superseded<PodEvent> {
        public PodStartedV3 {
            requirePodId(podId);
        }

        /** The same fact as the current version. */
        @Override
        public PodStarted upcast() {
            return new PodStarted(podId, stage1Pid, appPids, owner, isolators, warnings, List.of());
        }
    }

    /** {@code pod.started/2}, without the warnings (read as none). Never written any more. */
    @WireName(value = "pod.started", version = 2)
    record PodStartedV2(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner,
                        List<IsolatorOutcome> isolators) implements PodEvent, Superseded<PodEvent> {
        public PodStartedV2 {
            requirePodId(podId);
        }

        /** The same fact as the current version. */
        @Override
        public PodStarted upcast() {
            return new PodStarted(podId, stage1Pid, appPids, owner, isolators, List.of());
        }
    }

    /** {@code pod.started/1}, without the isolators' outcomes (read as none told). Never written any more. */
    @WireName(value = "pod.started", version = 1)
    record PodStartedV1(String podId, long stage1Pid, Map<String, Long> appPids, PodOwner owner)
            implements PodEvent, Superseded<PodEvent> {
        public PodStartedV1 {
            requirePodId(podId);
        }

        /** The same fact as the current version. */
        @Override
        public PodStarted upcast() {
            return new PodStarted(podId, stage1Pid, appPids, owner, List.of());
        }
    }

    /**
     * One app of the pod exited.
     *
     * @param app       the app's name in the pod
     * @param exitCode  its exit status as a shell reports it ({@code 128 + signal} when killed)
     * @param signal    the signal that killed it, or {@code null} if it exited by itself
     * @param oomKilled whether the kernel's OOM killer killed it
     */
    @WireName(value = "pod.app-exited", version = 1)
    record AppExited(String podId, String app, int exitCode, Integer signal, boolean oomKilled) implements PodEvent {
        public AppExited {
            requirePodId(podId);
            Objects.requireNonNull(app, "app");
        }
    }

    /**
     * A user asked to stop the running pod ({@code rkj stop}); the engine owning it acts on it.
     * Version 2 added {@code requestedBy}; version 1 is read as {@link PodStopRequestedV1}.
     *
     * @param force       kill at once (SIGKILL) instead of asking the apps to stop (SIGTERM)
     * @param requestedBy who asked, or {@code null} if the caller did not say
     */
    @WireName(value = "pod.stop-requested", version = 2)
    record PodStopRequested(String podId, boolean force, Grantor requestedBy) implements PodEvent {
        public PodStopRequested {
            requirePodId(podId);
            requestedBy = stated(requestedBy);
        }

        /** A stop request whose caller did not say who it is. */
        public PodStopRequested(String podId, boolean force) {
            this(podId, force, null);
        }
    }

    /** {@code pod.stop-requested/1}, without who asked. Never written any more. */
    @WireName(value = "pod.stop-requested", version = 1)
    record PodStopRequestedV1(String podId, boolean force) implements PodEvent, Superseded<PodEvent> {
        public PodStopRequestedV1 {
            requirePodId(podId);
        }

        /** The same fact as the current version. */
        @Override
        public PodStopRequested upcast() {
            return new PodStopRequested(podId, force, null);
        }
    }

    /**
     * Someone asked to run the pod ({@code rkj run}, appended with {@link PodCreated};
     * {@code rkj run-prepared}). Only the requesting engine, which drives the pod, launches it once
     * it is prepared; if that engine is gone before the pod started, recovery refuses the launch
     * (see {@code Reconciler}). Changes no status.
     *
     * Version 2 added {@code requestedBy}; version 1 is read as {@link LaunchRequestedV1}.
     *
     * @param requester   the engine that asked, and that will launch the pod and report its end
     * @param requestedBy the user who asked that engine, or {@code null} if the caller did not say
     */
    @WireName(value = "pod.launch-requested", version = 2)
    record LaunchRequested(String podId, PodOwner requester, Grantor requestedBy) implements PodEvent {
        public LaunchRequested {
            requirePodId(podId);
            Objects.requireNonNull(requester, "requester");
            requestedBy = stated(requestedBy);
        }

        /** A launch request whose caller did not say who it is. */
        public LaunchRequested(String podId, PodOwner requester) {
            this(podId, requester, null);
        }
    }

    /** {@code pod.launch-requested/1}, without who asked. Never written any more. */
    @WireName(value = "pod.launch-requested", version = 1)
    record LaunchRequestedV1(String podId, PodOwner requester) implements PodEvent, Superseded<PodEvent> {
        public LaunchRequestedV1 {
            requirePodId(podId);
            Objects.requireNonNull(requester, "requester");
        }

        /** The same fact as the current version. */
        @Override
        public LaunchRequested upcast() {
            return new LaunchRequested(podId, requester, null);
        }
    }

    /**
     * Someone asked to delete the garbage pod ({@code rkj rm}, {@code rkj gc}): the requesting
     * engine removes its mounts, cgroups and directory; if it is gone first, the engine that
     * recovers deletes the pod. Changes no status.
     *
     * Version 2 added {@code requestedBy}; version 1 is read as {@link DeleteRequestedV1}.
     *
     * @param requester   the engine that asked, and that deletes the pod
     * @param requestedBy the user who asked that engine ({@code rkj rm}, {@code rkj gc}), or
     *                    {@code null} if no user did (an engine resuming a deletion) or the caller did not say
     */
    @WireName(value = "pod.delete-requested", version = 2)
    record DeleteRequested(String podId, PodOwner requester, Grantor requestedBy) implements PodEvent {
        public DeleteRequested {
            requirePodId(podId);
            Objects.requireNonNull(requester, "requester");
            requestedBy = stated(requestedBy);
        }

        /** A delete request no user stated. */
        public DeleteRequested(String podId, PodOwner requester) {
            this(podId, requester, null);
        }
    }

    /** {@code pod.delete-requested/1}, without who asked. Never written any more. */
    @WireName(value = "pod.delete-requested", version = 1)
    record DeleteRequestedV1(String podId, PodOwner requester) implements PodEvent, Superseded<PodEvent> {
        public DeleteRequestedV1 {
            requirePodId(podId);
            Objects.requireNonNull(requester, "requester");
        }

        /** The same fact as the current version. */
        @Override
        public DeleteRequested upcast() {
            return new DeleteRequested(podId, requester, null);
        }
    }

    /**
     * The pod's stage1 exited. Moves to {@link PodStatus#EXITED}.
     *
     * Version 2 added {@code networksRemoved}; version 1 is read as {@link PodExitedV1}.
     *
     * @param exitCode        the pod's exit status, as {@code rkj run} returns it
     * @param reason          why, in words: {@code all apps exited}, {@code stopped on request}...
     * @param networksRemoved the CNI networks the engine took the pod off after it exited (DEL
     *                        run, namespace removed), with the addresses they released; none if it
     *                        had none, or releasing them failed (then a {@code pod.stage-failed} says so)
     */
    @WireName(value = "pod.exited", version = 2)
    record PodExited(String podId, int exitCode, String reason, List<NetworkAttachment> networksRemoved)
            implements PodEvent {
        public PodExited {
            requirePodId(podId);
            Objects.requireNonNull(reason, "reason");
            networksRemoved = networksRemoved == null ? List.of() : List.copyOf(networksRemoved);
        }

        /** An exit that took the pod off no network. */
        public PodExited(String podId, int exitCode, String reason) {
            this(podId, exitCode, reason, List.of());
        }
    }

    /** {@code pod.exited/1}, without the networks removed (read as none). Never written any more. */
    @WireName(value = "pod.exited", version = 1)
    record PodExitedV1(String podId, int exitCode, String reason) implements PodEvent, Superseded<PodEvent> {
        public PodExitedV1 {
            requirePodId(podId);
            Objects.requireNonNull(reason, "reason");
        }

        /** The same fact as the current version. */
        @Override
        public PodExited upcast() {
            return new PodExited(podId, exitCode, reason, List.of());
        }
    }

    /**
     * The pod is to be cleaned up. Moves to {@link PodStatus#GARBAGE}.
     *
     * @param reason why: {@code removed with rkj rm}, {@code exited more than 30m ago}...
     */
    @WireName(value = "pod.marked-garbage", version = 1)
    record PodMarkedGarbage(String podId, String reason) implements PodEvent {
        public PodMarkedGarbage {
            requirePodId(podId);
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The pod's directory, mounts and cgroups are gone. Moves to {@link PodStatus#DELETED}.
     *
     * Version 2 added {@code networksRemoved}; version 1 is read as {@link PodDeletedV1}.
     *
     * @param networksRemoved the CNI networks the deletion took the pod off (those its exit had not
     *                        released already), with the addresses they released; usually none
     */
    @WireName(value = "pod.deleted", version = 2)
    record PodDeleted(String podId, List<NetworkAttachment> networksRemoved) implements PodEvent {
        public PodDeleted {
            requirePodId(podId);
            networksRemoved = networksRemoved == null ? List.of() : List.copyOf(networksRemoved);
        }

        /** A deletion that took the pod off no network. */
        public PodDeleted(String podId) {
            this(podId, List.of());
        }
    }

    /** {@code pod.deleted/1}, without the networks removed (read as none). Never written any more. */
    @WireName(value = "pod.deleted", version = 1)
    record PodDeletedV1(String podId) implements PodEvent, Superseded<PodEvent> {
        public PodDeletedV1 {
            requirePodId(podId);
        }

        /** The same fact as the current version. */
        @Override
        public PodDeleted upcast() {
            return new PodDeleted(podId, List.of());
        }
    }

    /**
     * A stage failed for this pod. A preparation stage's failure moves the pod to
     * {@link PodStatus#ABORTED_PREPARE}, a launch failure to {@link PodStatus#EXITED} (or, for a
     * launch refused before the pod was prepared, to {@link PodStatus#ABORTED_PREPARE}); a stop or
     * gc failure leaves its status as it was and clears the stop or delete request.
     *
     * @param reason    what went wrong and what the user can do about it
     * @param retryable whether trying again can help (a network error) or not (a bad signature)
     */
    @WireName(value = "pod.stage-failed", version = 1)
    record StageFailed(String podId, Stage stage, String reason, boolean retryable) implements PodEvent {
        public StageFailed {
            requirePodId(podId);
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The engine driving the pod is gone and left no outcome: e.g. the journal says running, but
     * stage1's lock is free and no exit status was written. Moves a running pod to
     * {@link PodStatus#EXITED} and a pod being prepared to {@link PodStatus#ABORTED_PREPARE}, with
     * {@link PodState#lost()} set.
     *
     * @param reason what recovery found
     */
    @WireName(value = "pod.lost", version = 1)
    record PodLost(String podId, String reason) implements PodEvent {
        public PodLost {
            requirePodId(podId);
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * An engine took over driving the pod from {@code previousOwner}, whose engine is gone (or, for
     * a prepared pod, so that it may launch it). Compare-and-set: it takes effect only if the pod's
     * owner is still {@code previousOwner} when it is folded in, so when two engines race to adopt
     * the same pod, the first adoption in the journal wins and the other changes nothing.
     *
     * @param previousOwner the owner the adopting engine saw; null if the pod had none
     * @param owner         the engine driving the pod from now on
     * @param reason        why, e.g. {@code engine e1 (pid 42) is gone: its lock is free}
     */
    @WireName(value = "pod.adopted", version = 1)
    record PodAdopted(String podId, PodOwner previousOwner, PodOwner owner, String reason) implements PodEvent {
        public PodAdopted {
            requirePodId(podId);
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The tree id in a version 1 tree path: the name of the tree's directory, the parent of its
     * {@code rootfs} ({@code /var/lib/rkj/cas/trees/sha512-ab/rootfs} → {@code sha512-ab}), or the
     * last name of a path that does not end in {@code rootfs}.
     */
    static String treeIdOf(String treePath) {
        String path = treePath;
        while (path.endsWith("/") && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/rootfs")) {
            path = path.substring(0, path.length() - "/rootfs".length());
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (!validTreeId(name)) {
            throw new IllegalArgumentException("pod.image-rendered/1 tree path \"" + treePath
                    + "\" does not end in <tree id>/rootfs");
        }
        return name;
    }

    private static boolean validTreeId(String treeId) {
        return treeId != null && treeId.matches("[A-Za-z0-9][A-Za-z0-9._-]*");
    }

    private static void requireTreeId(String treeId) {
        if (!validTreeId(treeId)) {
            throw new IllegalArgumentException("tree id " + (treeId == null ? "null" : "\"" + treeId + "\"")
                    + " is not a name in the image store's trees directory (letters, digits, '.', '_', '-'; no '/')");
        }
    }

    /** Who asked, as recorded: a caller that did not say ({@link Grantor#UNSTATED}) is recorded as none. */
    private static Grantor stated(Grantor requestedBy) {
        return Grantor.UNSTATED.equals(requestedBy) ? null : requestedBy;
    }

    private static void requirePodId(String podId) {
        if (podId == null || podId.isBlank()) {
            throw new IllegalArgumentException("pod event without a pod id");
        }
    }
}
