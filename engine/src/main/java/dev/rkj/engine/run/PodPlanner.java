package dev.rkj.engine.run;

import dev.rkj.engine.appc.AcName;
import dev.rkj.engine.appc.App;
import dev.rkj.engine.appc.EnvVar;
import dev.rkj.engine.appc.EventHandler;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.appc.Isolator;
import dev.rkj.engine.appc.LinuxCapability;
import dev.rkj.engine.appc.Mount;
import dev.rkj.engine.appc.MountPoint;
import dev.rkj.engine.appc.PodApp;
import dev.rkj.engine.appc.PodManifest;
import dev.rkj.engine.appc.Quantity;
import dev.rkj.engine.appc.RuntimeImage;
import dev.rkj.engine.appc.Volume;
import dev.rkj.engine.pod.IsolatorOutcome;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.stage.StageException;
import dev.rkj.stage1.Capability;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.Stage1Plan;
import dev.rkj.stage1.Stage1PlanWriter;
import dev.rkj.stage1.cgroup.CgroupLimits;
import dev.rkj.stage1.kernel.Errno;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns what the user asked for into what runs, in two pure steps:
 * <ol>
 *   <li>at prepare, {@link #manifest}: the pod's spec and its image's manifest become the reified
 *       appc pod manifest written in the pod directory. The user's overrides are applied here, so
 *       the manifest says what will run: {@code --exec} and the arguments after {@code --} replace
 *       the image's command line ({@code --exec} the whole of it, arguments alone keep the image's
 *       executable), {@code --set-env} overrides the image's environment, {@code --memory} /
 *       {@code --cpu} replace the image's resource isolators, and {@code --name}, {@code --user},
 *       {@code --group} and {@code --working-dir} replace the app's name, user, group and working
 *       directory;</li>
 *   <li>at launch, {@link #launch}: the pod manifest and the spec's pod-level choices (hostname,
 *       default {@code rkj-<uuid>}; network; interactive; {@code --insecure-options=capabilities})
 *       become stage1's plan and the cgroup limits.</li>
 * </ol>
 *
 * <p>Privileges are the user's decision, not the image's. {@code --caps-retain} / {@code --caps-remove}
 * replace the image's capability isolators in the pod manifest (rkt's semantics: retain is the
 * exact bounding set, remove takes from appc's default set). An image whose retain set reaches
 * beyond the default set is refused at prepare unless the user granted those capabilities
 * ({@link #capabilities}). no_new_privs is on for every app; an image's isolator may turn it off
 * only with {@code --insecure-options=capabilities} ({@link #noNewPrivileges}).
 *
 * <p>Every app's log is capped ({@link Stage1Plan#logMaxSize}): the planner's cap, by default
 * {@link Stage1Plan#DEFAULT_LOG_MAX_SIZE}; stage1 rotates the log at it.
 *
 * <p>Every pod's cgroup caps its processes: {@code --pids-limit}, or
 * {@link CgroupLimits#DEFAULT_PIDS_MAX} when the user sets none.
 *
 * <p>One image makes one app, named after the last part of the image's name ({@code example.com/
 * redis-server} runs as {@code redis-server}), as rkt named them, unless {@code --name} names it.
 *
 * <p>A user or group given as a name (by the image or by {@code --user} / {@code --group}) must be
 * in the image's {@code /etc/passwd} or {@code /etc/group}: the launch checks it in the rendered
 * tree, so the pod fails naming it rather than in stage1.
 *
 * <p>Volumes (pods.md, ace.md "Volume Setup"): each app gets the pod manifest's mounts of it, then
 * each of its image's {@code mountPoints} that no mount fills: by the pod's volume of the mount
 * point's name, else by an empty volume of its own with a warning ({@link Planned#warnings}), as
 * rkt did. A mount is read-only when its volume or the image's mount point at its path says so.
 * A host volume's source must exist; an empty volume is {@code <podDir>/volumes/<name>} (an
 * unfilled mount point's {@code <podDir>/volumes/<app>.<mount point>}), made by
 * {@link #makeEmptyVolumes} with its mode, uid and gid and removed with the pod directory;
 * every app mounting it shares it. Two mounts of an app at the same or nested paths are refused
 * (ace.md). The image's {@code pre-start} and {@code post-stop} event handlers and the pod
 * manifest's {@code readOnlyRootFS} go into the plan as they are: rkj-stage1 runs the hooks in
 * the app's root as the app (user, group, environment, working directory; ace.md says nothing of
 * a hook's user, and rkt ran them as the app).
 *
 * <p>Network: {@code --net=host} shares the host's network namespace; {@code default} and
 * {@code none} both give the pod a private network namespace with only loopback up (CNI networks
 * are not wired yet).
 */
public final class PodPlanner {
    /** The isolator outcome that tells a {@code --private-users} pod's range (status, the API, the journal). */
    public static final String PRIVATE_USERS = "rkj/private-users";
    /** The lowest shift: above the ranges /etc/subuid gives users (100000 and up, 65536 each). */
    static final long FIRST_SHIFT = 1L << 24;

    private final long logMaxSize;

    /** A planner with {@link Stage1Plan#DEFAULT_LOG_MAX_SIZE}. */
    public PodPlanner() {
        this(Stage1Plan.DEFAULT_LOG_MAX_SIZE);
    }

    /** A planner capping each app's log at {@code logMaxSize} bytes (at least {@link Stage1Plan#MIN_LOG_MAX_SIZE}). */
    public PodPlanner(long logMaxSize) {
        if (logMaxSize < Stage1Plan.MIN_LOG_MAX_SIZE) {
            throw new IllegalArgumentException("a log cap of " + logMaxSize + " bytes is too small: give at least "
                    + Stage1Plan.MIN_LOG_MAX_SIZE);
        }
        this.logMaxSize = logMaxSize;
    }

    /**
     * The reified pod manifest of a one-image pod.
     *
     * @throws StageException (not retryable) if the image has no app and no {@code --exec} is given,
     *                        or an override is invalid; the message names the field
     */
    public PodManifest manifest(String podId, PodSpec spec, String imageId, ImageManifest image) throws StageException {
        return manifest(podId, spec, List.of(imageId), List.of(image));
    }

    /**
     * The reified pod manifest: one app per app of the spec, each from its image ({@code imageIds}
     * and {@code images} in the spec's app order), with the user's overrides, mounts,
     * {@code readOnlyRootFS} and seccomp set, and the pod's volumes.
     *
     * @throws StageException (not retryable) if an image has no app and no {@code --exec} is given,
     *                        two apps would have one name, or an override is invalid; the message
     *                        names the app and the field
     */
    public PodManifest manifest(String podId, PodSpec spec, List<String> imageIds, List<ImageManifest> images)
            throws StageException {
        if (imageIds.size() != spec.apps().size() || images.size() != spec.apps().size()) {
            throw StageException.permanent("pod " + podId + " has " + spec.apps().size() + " apps but "
                    + images.size() + " images: prepare it again");
        }
        PodManifest.Builder pod = PodManifest.builder();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < images.size(); i++) {
            PodSpec.AppSpec appSpec = spec.apps().get(i);
            ImageManifest image = images.get(i);
            App app = effectiveApp(appSpec, image);
            capabilities(spec, app, "image " + image.name());
            String name = appSpec.name() != null ? appSpec.name() : appName(image.name().value());
            if (!names.add(name)) {
                throw StageException.permanent("pod " + podId + ": two apps are named " + name
                        + " (after their images' names): give one of them another with --name");
            }
            try {
                PodApp.Builder podApp = PodApp.builder(name,
                                new RuntimeImage(Optional.of(image.name()), Optional.of(ImageId.parse(imageIds.get(i))),
                                        image.labels()))
                        .app(app)
                        .readOnlyRootFs(appSpec.readOnlyRootfs());
                for (PodSpec.Mount m : appSpec.mounts()) {
                    podApp.mount(Mount.of(m.volume(), m.path()));
                }
                pod.app(podApp.build());
            } catch (IllegalArgumentException e) {
                throw StageException.permanent("pod " + podId + ": cannot build its pod manifest from image "
                        + image.name() + ": " + e.getMessage());
            }
        }
        try {
            for (PodSpec.Volume v : spec.volumes()) {
                pod.volume(volume(v));
            }
            return pod.build();
        } catch (IllegalArgumentException e) {
            throw StageException.permanent("pod " + podId + ": cannot build its pod manifest: " + e.getMessage());
        }
    }

    /** The appc volume of the user's {@code --volume}, appc's defaults filled in. */
    private static Volume volume(PodSpec.Volume v) {
        return new Volume(AcName.parse(v.name()), v.kind() == PodSpec.VolumeKind.HOST ? Volume.Kind.HOST : Volume.Kind.EMPTY,
                Optional.ofNullable(v.source()), v.readOnly(), v.recursive() == null || v.recursive(),
                v.mode() == null ? Volume.DEFAULT_MODE : Integer.parseInt(v.mode(), 8),
                v.uid() == null ? 0 : v.uid(), v.gid() == null ? 0 : v.gid());
    }

    /**
     * What stage1 runs for a prepared pod of one app, whose image tree is {@code tree}.
     *
     * @see #plan(String, PodDir, Map, PodSpec, PodManifest, boolean, MdsPolicy.Registered)
     */
    public Planned plan(String podId, PodDir podDir, Path tree, PodSpec spec, PodManifest manifest)
            throws StageException {
        return plan(podId, podDir, trees(tree, manifest), spec, manifest, spec.privateUsers(), null);
    }

    /**
     * What stage1 runs for a prepared pod not registered with the metadata service.
     *
     * @see #plan(String, PodDir, Map, PodSpec, PodManifest, boolean, MdsPolicy.Registered)
     */
    public Planned plan(String podId, PodDir podDir, Map<String, Path> trees, PodSpec spec, PodManifest manifest)
            throws StageException {
        return plan(podId, podDir, trees, spec, manifest, spec.privateUsers(), null);
    }

    /**
     * {@link #plan(String, PodDir, Path, PodSpec, PodManifest)} of a pod registered with the
     * metadata service (null: not registered). Every app gets {@code AC_METADATA_URL} (replacing
     * the image's); a pod with a private network gets stage1's relay to the service's socket on
     * the service's port, a pod of the host's network reaches the service's own loopback listener.
     */
    public Planned plan(String podId, PodDir podDir, Path tree, PodSpec spec, PodManifest manifest,
                        MdsPolicy.Registered mds) throws StageException {
        return plan(podId, podDir, trees(tree, manifest), spec, manifest, spec.privateUsers(), mds);
    }

    /**
     * As {@link #plan(String, PodDir, Map, PodSpec, PodManifest, boolean, MdsPolicy.Registered)} for a
     * pod of one image tree.
     */
    public Planned plan(String podId, PodDir podDir, Path tree, PodSpec spec, PodManifest manifest, boolean privateUsers,
                        MdsPolicy.Registered mds) throws StageException {
        return plan(podId, podDir, trees(tree, manifest), spec, manifest, privateUsers, mds);
    }

    /** Every app of {@code manifest} on {@code tree}. */
    private static Map<String, Path> trees(Path tree, PodManifest manifest) {
        Map<String, Path> trees = new LinkedHashMap<>();
        for (PodApp app : manifest.apps()) {
            trees.put(app.name().value(), tree);
        }
        return trees;
    }

    /**
     * What stage1 runs for a prepared pod, registered with the metadata service ({@code mds}; null:
     * not registered), asking for {@code --private-users} (rkt's user namespace with a UID shift) or not.
     *
     * @param podDir the pod directory (its {@code rootfs} is mounted when the pod starts)
     * @param trees  each app's rendered image tree, the lower layer of its overlay: user and group
     *               given as names or paths are looked up there, as the app's root holds the same
     *               files when it starts. One app has the pod's root as its own ({@code /}); each of
     *               several apps has its own at {@link PodDir#appRoot} (rkt's layout)
     * @param privateUsers  the apps run in a user namespace of the pod's own, with a range of host
     *                      uids no other pod's plan holds ({@code uidShift})
     * @throws StageException naming the app and field that cannot run
     */
    public Planned plan(String podId, PodDir podDir, Map<String, Path> trees, PodSpec spec, PodManifest manifest,
                        boolean privateUsers, MdsPolicy.Registered mds) throws StageException {
        Stage1Plan.PrivateUsers users = privateUsers ? uidShift(podId, podDir) : null;
        Stage1Plan.Builder plan = Stage1Plan.builder(podId, podDir.path(), podDir.rootfs())
                .hostname(spec.hostname()) // null: Stage1Plan's default
                .net(spec.net() == PodSpec.NetMode.HOST ? Stage1Plan.NetMode.HOST : Stage1Plan.NetMode.PRIVATE)
                .interactive(spec.interactive())
                .maskPaths(!spec.allows(InsecureOption.PATHS))
                .logMaxSize(logMaxSize)
                .privateUsers(users);
        if (mds != null && spec.net() != PodSpec.NetMode.HOST) {
            plan.mdsRelay(new Stage1Plan.MdsRelay(mds.endpoint().port(), mds.endpoint().socket()));
        }
        Map<String, CgroupLimits> appLimits = new LinkedHashMap<>();
        List<IsolatorOutcome> isolators = new ArrayList<>();
        Map<Path, EmptyVolume> emptyVolumes = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (PodApp podApp : manifest.apps()) {
            String name = podApp.name().value();
            App app = podApp.app().orElseThrow(() -> StageException.permanent("pod " + podId + ": app " + name
                    + " has no app section in the pod manifest; prepare the pod again"));
            if (app.exec().isEmpty()) {
                throw StageException.permanent("pod " + podId + ": app " + name
                        + " has no command: give one with --exec");
            }
            Path tree = trees.get(name);
            if (tree == null) {
                throw StageException.permanent("pod " + podId + ": app " + name + " has no rendered image; prepare"
                        + " the pod again");
            }
            Stage1Plan.AppBuilder b = Stage1Plan.App.builder(name)
                    .root(manifest.apps().size() == 1 ? "/" : PodDir.appRoot(name))
                    .argv(app.exec())
                    .user(owner(tree, app.user(), "unix:uid", name, "user"))
                    .group(owner(tree, app.group(), "unix:gid", name, "group"))
                    .workingDirectory(app.workingDirectory())
                    .capabilities(capabilities(spec, app, "app " + name + " of pod " + podId))
                    .noNewPrivileges(noNewPrivileges(spec, app))
                    .seccomp(seccomp(spec, app, "app " + name + " of pod " + podId))
                    .oomScoreAdj(oomScoreAdj(app, "app " + name + " of pod " + podId));
            isolators.addAll(Isolators.report(spec, name, app));
            for (EnvVar env : app.environment()) {
                if (mds == null || !env.name().equals(MdsPolicy.URL_VARIABLE)) {
                    b.env(env.name(), env.value());
                }
            }
            if (mds != null) {
                b.env(MdsPolicy.URL_VARIABLE, mds.url());
            }
            for (long gid : app.supplementaryGids()) {
                b.supplementaryGroup(Long.toString(gid));
            }
            mounts(podId, podDir, manifest, podApp, app, emptyVolumes, warnings).forEach(b::mount);
            b.readOnlyRoot(podApp.readOnlyRootFs())
                    .preStart(handler(app, EventHandler.Kind.PRE_START))
                    .postStop(handler(app, EventHandler.Kind.POST_STOP));
            try {
                plan.app(b.build());
            } catch (IllegalArgumentException e) {
                throw StageException.permanent("pod " + podId + ": app " + name + " cannot run: " + e.getMessage());
            }
            appLimits.put(name, limits(app));
        }
        Stage1Plan built;
        try {
            built = plan.build();
        } catch (IllegalArgumentException e) {
            throw StageException.permanent("pod " + podId + " cannot run: " + e.getMessage());
        }
        isolators.addAll(Isolators.reportPod(manifest.isolators()));
        long pids = spec.pidsLimit() != null ? spec.pidsLimit() : CgroupLimits.DEFAULT_PIDS_MAX;
        List<EmptyVolume> empty = users == null ? List.copyOf(emptyVolumes.values())
                : emptyVolumes.values().stream().map(v -> new EmptyVolume(v.dir(), v.mode(), users.host(v.uid()),
                        users.host(v.gid()))).toList();
        if (users != null) {
            isolators.add(IsolatorOutcome.applied(null, PRIVATE_USERS, "the pod's uids and gids 0-" + (users.count() - 1)
                    + " are " + users.shift() + "-" + (users.shift() + users.count() - 1) + " on the host (uid_map "
                    + users + ")"));
        }
        CgroupLimits podBound = limits(manifest.isolator(Isolator.Memory.class), manifest.isolator(Isolator.Cpu.class));
        if (appLimits.size() == 1) {
            return new Planned(built, Isolators.tighter(appLimits.values().iterator().next(), podBound).withPids(pids),
                    Map.of(), isolators, empty, warnings);
        }
        appLimits.values().removeIf(l -> l.equals(CgroupLimits.NONE));
        return new Planned(built, podBound.withPids(pids), appLimits, isolators, empty, warnings);
    }

    /**
     * A {@code --private-users} pod's range: rkt's 65536 ids at a random multiple of 65536 from
     * {@value #FIRST_SHIFT} to below 2^31, none that the plan of another pod in the same pods
     * directory holds (a pod's range stays taken until its directory is collected, as its files
     * keep those owners).
     */
    private Stage1Plan.PrivateUsers uidShift(String podId, PodDir podDir) throws StageException {
        java.util.Set<Long> taken = new java.util.HashSet<>();
        Path pods = podDir.path().getParent();
        try (var dirs = Files.list(pods)) {
            for (Path other : dirs.filter(d -> !d.equals(podDir.path())).toList()) {
                Stage1PlanWriter.privateUsers(new PodDir(other).plan()).ifPresent(u -> taken.add(u.shift()));
            }
        } catch (IOException e) {
            throw StageException.retryable("pod " + podId + ": cannot read the uid ranges of the other pods in " + pods
                    + ": " + e.getMessage(), e);
        }
        long slots = (1L << 31) / Stage1Plan.PrivateUsers.COUNT - FIRST_SHIFT / Stage1Plan.PrivateUsers.COUNT;
        long start = java.util.concurrent.ThreadLocalRandom.current().nextLong(slots);
        for (long i = 0; i < slots; i++) {
            long shift = FIRST_SHIFT + (start + i) % slots * Stage1Plan.PrivateUsers.COUNT;
            if (!taken.contains(shift)) {
                return new Stage1Plan.PrivateUsers(shift, Stage1Plan.PrivateUsers.COUNT);
            }
        }
        throw StageException.permanent("pod " + podId + ": every uid range for --private-users is taken: collect"
                + " exited pods (rkj gc) and retry");
    }

    /** The argv of the app's event handler of this kind, empty when it has none. */
    private static List<String> handler(App app, EventHandler.Kind kind) {
        return app.eventHandlers().stream().filter(h -> h.kind() == kind).findFirst().map(EventHandler::exec)
                .orElse(List.of());
    }

    /** The app's mounts: the pod manifest's, then its image's mount points no mount fills (see the class doc). */
    private static List<Stage1Plan.Mount> mounts(String podId, PodDir podDir, PodManifest manifest, PodApp podApp, App app,
                                                 Map<Path, EmptyVolume> emptyVolumes, List<String> warnings)
            throws StageException {
        String name = podApp.name().value();
        List<Stage1Plan.Mount> mounts = new ArrayList<>();
        for (Mount m : podApp.mounts()) {
            Volume v = manifest.volumeFor(m).orElseThrow(() -> StageException.permanent(
                    "pod " + podId + ": app " + name + " mounts volume " + m.volume() + " at " + m.path()
                            + ", which the pod does not have: add --volume " + m.volume()
                            + ",kind=empty or --volume " + m.volume() + ",kind=host,source=PATH"));
            boolean readOnly = app.mountPoints().stream().anyMatch(mp -> mp.path().equals(m.path()) && mp.readOnly());
            mounts.add(mount(podId, podDir, v, v.name().value(), m.path(), readOnly, emptyVolumes));
        }
        for (MountPoint mp : app.mountPoints()) {
            if (mounts.stream().anyMatch(m -> m.target().equals(mp.path()))) {
                continue;
            }
            Optional<Volume> named = manifest.volume(mp.name());
            if (named.isPresent()) {
                mounts.add(mount(podId, podDir, named.get(), mp.name().value(), mp.path(), mp.readOnly(), emptyVolumes));
                continue;
            }
            warnings.add("app " + name + ": mount point " + mp.name() + " (" + mp.path() + ") has no volume, so it gets"
                    + " an empty one that is removed with the pod; to keep its data, give --volume " + mp.name()
                    + ",kind=host,source=DIR");
            Volume empty = new Volume(mp.name(), Volume.Kind.EMPTY, Optional.empty(), false, true, Volume.DEFAULT_MODE, 0, 0);
            mounts.add(mount(podId, podDir, empty, name + "." + mp.name(), mp.path(), mp.readOnly(), emptyVolumes));
        }
        for (int i = 0; i < mounts.size(); i++) {
            for (int j = 0; j < i; j++) {
                Path a = Path.of(mounts.get(i).target()).normalize();
                Path b = Path.of(mounts.get(j).target()).normalize();
                if (a.startsWith(b) || b.startsWith(a)) {
                    throw StageException.permanent("pod " + podId + ": app " + name + " has two mounts at "
                            + (a.equals(b) ? "the same path " + a : "nested paths " + b + " and " + a)
                            + " (the image's mount points and the --mount flags): give each volume a path of its own");
                }
            }
        }
        return mounts;
    }

    private static Stage1Plan.Mount mount(String podId, PodDir podDir, Volume v, String dirName, String target,
                                          boolean readOnly, Map<Path, EmptyVolume> emptyVolumes) throws StageException {
        try {
            if (v.kind() == Volume.Kind.HOST) {
                Path source = Path.of(v.source().orElseThrow());
                if (!Files.exists(source)) {
                    throw StageException.permanent("pod " + podId + ": volume " + v.name() + ": its host source " + source
                            + " does not exist: create it, or give another source");
                }
                return new Stage1Plan.Mount(source, target, readOnly || v.readOnly(), v.recursive());
            }
            Path dir = podDir.path().resolve("volumes").resolve(dirName);
            emptyVolumes.putIfAbsent(dir, new EmptyVolume(dir, v.mode(), v.uid(), v.gid()));
            return new Stage1Plan.Mount(dir, target, readOnly || v.readOnly(), false);
        } catch (IllegalArgumentException e) {
            throw StageException.permanent("pod " + podId + ": volume " + v.name() + " cannot be mounted at " + target
                    + ": " + e.getMessage());
        }
    }

    /**
     * An empty volume: a directory of the pod dir, made before the pod starts with the volume's mode
     * and owner (pods.md defaults: 0755, 0, 0).
     */
    public record EmptyVolume(Path dir, int mode, long uid, long gid) {
    }

    /**
     * Makes the plan's empty volumes that do not exist yet (a restarted pod keeps what its volumes
     * hold: they live as long as the pod).
     *
     * @throws IOException naming the directory that could not be made
     */
    public static void makeEmptyVolumes(Planned planned) throws IOException {
        for (EmptyVolume v : planned.emptyVolumes()) {
            if (Files.isDirectory(v.dir(), LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                Files.createDirectories(v.dir().getParent());
                Files.createDirectory(v.dir());
                // uid_t is unsigned: the int's bits are the id
                Files.setAttribute(v.dir(), "unix:uid", (int) v.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(v.dir(), "unix:gid", (int) v.gid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(v.dir(), "unix:mode", v.mode(), LinkOption.NOFOLLOW_LINKS); // after chown, which clears setuid
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new IOException("cannot make the empty volume " + v.dir() + ": something that is not a directory is there", e);
            } catch (java.nio.file.AccessDeniedException e) {
                throw new IOException("cannot make the empty volume " + v.dir() + ": permission denied", e);
            } catch (IOException e) {
                throw new IOException("cannot make the empty volume " + v.dir() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * What stage1 runs.
     *
     * @param plan      stage1's plan (cgroups are filled in when the pod starts)
     * @param podLimits the pod cgroup's limits
     * @param appLimits limits of apps with cgroups of their own (pods of several apps)
     * @param isolators what became of each isolator of the pod manifest (ace.md wants it told)
     * @param emptyVolumes the directories to make before the pod starts ({@link #makeEmptyVolumes})
     * @param warnings what else the user should hear once (an image's mount point given an empty volume)
     */
    public record Planned(Stage1Plan plan, CgroupLimits podLimits, Map<String, CgroupLimits> appLimits,
                          List<IsolatorOutcome> isolators, List<EmptyVolume> emptyVolumes, List<String> warnings) {
        public Planned {
            appLimits = Map.copyOf(appLimits);
            isolators = List.copyOf(isolators);
            emptyVolumes = List.copyOf(emptyVolumes);
            warnings = List.copyOf(warnings);
        }

        /** This plan with the pod's CNI network (its namespace and name service files). */
        public Planned withNetwork(Stage1Plan.Network network) {
            return new Planned(plan.withNetwork(network), podLimits, appLimits, isolators, emptyVolumes, warnings);
        }

        public Planned(Stage1Plan plan, CgroupLimits podLimits, Map<String, CgroupLimits> appLimits,
                       List<IsolatorOutcome> isolators) {
            this(plan, podLimits, appLimits, isolators, List.of(), List.of());
        }

        public Planned(Stage1Plan plan, CgroupLimits podLimits, Map<String, CgroupLimits> appLimits) {
            this(plan, podLimits, appLimits, List.of());
        }
    }

    /**
     * The app name for an image name: its last path part, lowercased, with every run of characters
     * an AC Name does not allow replaced by one {@code -}; {@code app} if nothing is left.
     */
    public static String appName(String imageName) {
        return PodSpec.defaultAppName(imageName);
    }

    private static App effectiveApp(PodSpec.AppSpec spec, ImageManifest image) throws StageException {
        Optional<App> own = image.app();
        if (own.isEmpty() && spec.exec() == null) {
            throw StageException.permanent("image " + image.name() + " has no app to run: give the command with --exec");
        }
        App base = own.orElseGet(() -> App.builder("0", "0").build());
        List<String> exec = new ArrayList<>();
        if (spec.exec() != null) {
            exec.add(spec.exec());
            exec.addAll(spec.args());
        } else if (!spec.args().isEmpty()) {
            if (base.exec().isEmpty()) {
                throw StageException.permanent("image " + image.name()
                        + " has no exec to pass the arguments to: give the command with --exec");
            }
            exec.addAll(base.exec()); // rkt's rule: the arguments after -- are added to the image's exec
            exec.addAll(spec.args());
        } else {
            exec.addAll(base.exec());
        }
        Map<String, String> env = new LinkedHashMap<>();
        base.environment().forEach(e -> env.put(e.name(), e.value()));
        env.putAll(spec.env());
        List<Isolator> isolators = new ArrayList<>();
        boolean userCaps = !spec.capsRetain().isEmpty() || !spec.capsRemove().isEmpty();
        for (Isolator i : base.isolators()) {
            boolean replaced = (i instanceof Isolator.Memory && spec.memoryLimitBytes() != null)
                    || (i instanceof Isolator.Cpu && spec.cpuLimitMillis() != null)
                    || (userCaps && (i instanceof Isolator.CapabilitiesRetain || i instanceof Isolator.CapabilitiesRemove))
                    || (spec.seccomp() != null && (i instanceof Isolator.SeccompRetain || i instanceof Isolator.SeccompRemove));
            if (!replaced) {
                isolators.add(i);
            }
        }
        if (!spec.capsRetain().isEmpty()) {
            isolators.add(new Isolator.CapabilitiesRetain(List.copyOf(named(spec.capsRetain(), "--caps-retain"))));
        } else if (!spec.capsRemove().isEmpty()) {
            isolators.add(new Isolator.CapabilitiesRemove(List.copyOf(named(spec.capsRemove(), "--caps-remove"))));
        }
        try {
            if (spec.seccomp() != null) {
                Optional<String> errno = Optional.ofNullable(spec.seccomp().errno());
                isolators.add(spec.seccomp().mode() == PodSpec.SeccompMode.RETAIN
                        ? new Isolator.SeccompRetain(spec.seccomp().syscalls(), errno)
                        : new Isolator.SeccompRemove(spec.seccomp().syscalls(), errno));
            }
            if (spec.memoryLimitBytes() != null) {
                isolators.add(Isolator.Memory.limit(Quantity.of(spec.memoryLimitBytes())));
            }
            if (spec.cpuLimitMillis() != null) {
                isolators.add(Isolator.Cpu.limit(Quantity.ofMillis(spec.cpuLimitMillis())));
            }
            String user = spec.user() != null ? spec.user() : base.user();
            String group = spec.group() != null ? spec.group() : base.group();
            String workingDir = spec.workingDir() != null ? spec.workingDir() : base.workingDirectory();
            return new App(exec, user, group, base.supplementaryGids(), base.eventHandlers(), workingDir,
                    env.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue())).toList(),
                    isolators, base.mountPoints(), base.ports(), base.userAnnotations(), base.userLabels());
        } catch (IllegalArgumentException e) {
            throw StageException.permanent("image " + image.name() + " with the app's overrides (--exec, --set-env,"
                    + " --memory, --cpu, --user, --group, --working-dir, --seccomp) is not a valid app: " + e.getMessage());
        }
    }

    private static CgroupLimits limits(App app) {
        return limits(app.isolator(Isolator.Memory.class), app.isolator(Isolator.Cpu.class));
    }

    /** appc's resource isolators as cgroup settings: limits as limits, requests as shares and soft limits. */
    private static CgroupLimits limits(Optional<Isolator.Memory> memory, Optional<Isolator.Cpu> cpu) {
        CgroupLimits limits = CgroupLimits.NONE;
        if (memory.isPresent() && memory.get().limitBytes().isPresent()) {
            limits = limits.withMemory(memory.get().limitBytes().getAsLong());
        }
        if (memory.isPresent() && memory.get().request().isPresent() && memory.get().requestBytes().getAsLong() > 0) {
            limits = limits.withMemoryRequest(memory.get().requestBytes().getAsLong());
        }
        if (cpu.isPresent()) {
            if (cpu.get().limitMillis().isPresent()) {
                limits = limits.withCpuLimit(cpu.get().limitMillis().getAsLong());
            }
            if (cpu.get().requestMillis().isPresent()) {
                limits = limits.withCpuRequest(cpu.get().requestMillis().getAsLong());
            }
        }
        return limits;
    }

    /**
     * The app's bounding set, as the user decides it (the image only asks):
     * <ul>
     *   <li>{@code --insecure-options=capabilities}: every capability;</li>
     *   <li>else the app's retain set, which {@code --caps-retain} replaces with the user's, or
     *       appc's default set minus the remove set, which {@code --caps-remove} replaces;</li>
     *   <li>else appc's default set ({@link LinuxCapability#DEFAULT_SET}, Docker's).</li>
     * </ul>
     * An image's retain set may only pick from the default set: a capability outside it that the
     * user did not grant with {@code --caps-retain} (or {@code --insecure-options=capabilities})
     * refuses the pod, naming the flags that would grant it.
     *
     * @param subject what asks, for the refusal: {@code image example.com/app}
     * @throws StageException (not retryable) if the app asks for capabilities the user did not grant
     */
    static Set<Capability> capabilities(PodSpec spec, App app, String subject) throws StageException {
        if (spec.allows(InsecureOption.CAPABILITIES)) {
            return EnumSet.allOf(Capability.class);
        }
        Set<LinuxCapability> set;
        Optional<Isolator.CapabilitiesRetain> retain = app.isolator(Isolator.CapabilitiesRetain.class);
        Optional<Isolator.CapabilitiesRemove> remove = app.isolator(Isolator.CapabilitiesRemove.class);
        if (retain.isPresent()) {
            set = new LinkedHashSet<>(retain.get().set());
            Set<LinuxCapability> ungranted = EnumSet.noneOf(LinuxCapability.class);
            for (LinuxCapability c : set) {
                if (!LinuxCapability.DEFAULT_SET.contains(c) && !spec.capsRetain().contains(c.name())) {
                    ungranted.add(c);
                }
            }
            if (!ungranted.isEmpty()) {
                throw StageException.permanent(subject + " asks for capabilities beyond the default set ("
                        + names(ungranted) + "), which only you can grant: run it with --caps-retain="
                        + names(set).replace(", ", ",") + " (the app keeps exactly these)"
                        + " or --insecure-options=capabilities (every capability)");
            }
        } else {
            set = EnumSet.copyOf(LinuxCapability.DEFAULT_SET);
            remove.ifPresent(r -> r.set().forEach(set::remove));
        }
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        for (LinuxCapability c : set) {
            caps.add(Capability.valueOf(c.name()));
        }
        return caps;
    }

    /**
     * The app's seccomp filter. Without a seccomp isolator, rkj-stage1's default filter, or none with
     * {@code --insecure-options=seccomp}. An {@code os/linux/seccomp-retain-set} or
     * {@code -remove-set} (the image's, or the user's {@code --seccomp}, which arrives as the same
     * isolator) narrows the default filter: a retained call the default filter refuses stays
     * refused. With {@code --insecure-options=seccomp} (the user's grant) the set alone decides, as
     * appc describes it. appc's wildcards: {@code @appc.io/all} in a retain set and
     * {@code @appc.io/empty} in a remove set mean the default filter (none with the grant).
     *
     * @throws StageException (not retryable) naming an errno Linux does not know or a wildcard rkj does not
     */
    static Stage1Plan.Seccomp seccomp(PodSpec spec, App app, String subject) throws StageException {
        boolean granted = spec.allows(InsecureOption.SECCOMP);
        Optional<Isolator.SeccompRetain> retain = app.isolator(Isolator.SeccompRetain.class);
        Optional<Isolator.SeccompRemove> remove = app.isolator(Isolator.SeccompRemove.class);
        if (retain.isEmpty() && remove.isEmpty()) {
            return granted ? Stage1Plan.Seccomp.NONE : Stage1Plan.Seccomp.DEFAULT;
        }
        String isolator = retain.isPresent() ? Isolator.SECCOMP_RETAIN_SET : Isolator.SECCOMP_REMOVE_SET;
        List<String> set = retain.isPresent() ? retain.get().set() : remove.get().set();
        Optional<String> errnoName = retain.isPresent() ? retain.get().errno() : remove.get().errno();
        String everything = retain.isPresent() ? Isolators.ALL : Isolators.EMPTY;
        for (String call : set) {
            if (call.startsWith("@") && !call.equals(everything)) {
                throw StageException.permanent(subject + ": its " + isolator + " names the wildcard " + call
                        + ", which rkj does not know: the one it knows there is " + everything + " (appc's)");
            }
        }
        if (set.contains(everything)) {
            return granted ? Stage1Plan.Seccomp.NONE : Stage1Plan.Seccomp.DEFAULT;
        }
        int errno = 0;
        if (errnoName.isPresent()) {
            errno = Errno.number(errnoName.get()).orElseThrow(() -> StageException.permanent(subject + ": its "
                    + isolator + " asks for errno " + errnoName.get() + ", which is not an errno Linux knows:"
                    + " give a name such as EPERM or ENOTSUP, or none to kill the app with SIGSYS"));
        }
        try {
            return retain.isPresent() ? Stage1Plan.Seccomp.retain(set, errno, !granted)
                    : Stage1Plan.Seccomp.remove(set, errno, !granted);
        } catch (IllegalArgumentException e) {
            throw StageException.permanent(subject + ": its " + isolator + " cannot be applied: " + e.getMessage());
        }
    }

    /**
     * The app's {@code os/linux/oom-score-adj} (rkt's isolator, an integer -1000..1000), or null.
     *
     * @throws StageException (not retryable) naming a value that is not such an integer
     */
    static Integer oomScoreAdj(App app, String subject) throws StageException {
        for (Isolator i : app.isolators()) {
            if (i instanceof Isolator.Other other && other.name().value().equals(Isolators.OOM_SCORE_ADJ)) {
                try {
                    int adj = Integer.parseInt(other.valueJson().trim());
                    if (adj >= -1000 && adj <= 1000) {
                        return adj;
                    }
                } catch (NumberFormatException e) {
                    // refused below
                }
                throw StageException.permanent(subject + ": its " + Isolators.OOM_SCORE_ADJ + " is "
                        + other.valueJson() + ": give an integer from -1000 to 1000, e.g. 500");
            }
        }
        return null;
    }

    /**
     * no_new_privs, on for every app by default: an image's {@code os/linux/no-new-privileges}
     * isolator saying {@code false} turns it off only when the user also grants
     * {@code --insecure-options=capabilities}; without that grant the isolator can only confirm it.
     */
    static boolean noNewPrivileges(PodSpec spec, App app) {
        boolean imageWants = app.isolator(Isolator.NoNewPrivileges.class).map(Isolator.NoNewPrivileges::enabled)
                .orElse(true);
        return imageWants || !spec.allows(InsecureOption.CAPABILITIES);
    }

    private static String names(Set<LinuxCapability> caps) {
        StringBuilder text = new StringBuilder();
        for (LinuxCapability c : caps) {
            text.append(text.length() == 0 ? "" : ", ").append(c.name());
        }
        return text.toString();
    }

    /** The capabilities of a user's flag, in the set's order. */
    private static Set<LinuxCapability> named(Set<String> names, String flag) throws StageException {
        Set<LinuxCapability> caps = new LinkedHashSet<>();
        for (String name : names) {
            caps.add(LinuxCapability.byName(name).orElseThrow(() -> StageException.permanent(flag + " names "
                    + name + ", which this rkj does not know as a Linux capability: use names such as CAP_NET_ADMIN")));
        }
        return caps;
    }

    /**
     * An app's user or group as stage1 takes it: a number, or a name, which must be in the
     * image's {@code /etc/passwd} ({@code what} "user") or {@code /etc/group} ("group"); appc also
     * allows an absolute path, meaning the owner of that file in the app's root.
     */
    private static String owner(Path tree, String value, String attribute, String app, String what)
            throws StageException {
        if (!value.startsWith("/")) {
            requireKnownName(tree, value, app, what);
            return value;
        }
        Path file = tree.resolve(value.substring(1));
        try {
            return String.valueOf(Files.getAttribute(file, attribute, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw StageException.permanent("app " + app + ": its " + what + " is given as the owner of " + value
                    + ", which cannot be read in the pod's root (" + e + ")");
        }
    }

    /**
     * A user or group name must have an entry in the image's {@code /etc/passwd} or
     * {@code /etc/group}: checked here so the pod fails naming it. A database that resolves outside
     * the tree (an absolute symlink, meant for the pod's root) is left to stage1, which reads it
     * inside the pod.
     */
    private static void requireKnownName(Path tree, String name, String app, String what) throws StageException {
        if (!name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return;
        }
        String database = what.equals("group") ? "/etc/group" : "/etc/passwd";
        String flag = what.equals("group") ? "--group" : "--user";
        Path file = tree.resolve(database.substring(1));
        List<String> lines;
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(tree.toRealPath())) {
                return;
            }
            lines = Files.readAllLines(real, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw StageException.permanent("app " + app + ": its " + what + " \"" + name + "\" is a name, but the image"
                    + " has no readable " + database + " (" + (e instanceof java.nio.file.NoSuchFileException
                    ? "it does not exist" : e.getMessage()) + "): give a number instead, e.g. " + flag + "=1000");
        }
        for (String line : lines) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 4 && fields[0].equals(name)) {
                return;
            }
        }
        throw StageException.permanent("app " + app + ": " + what + " \"" + name + "\" is not in the image's " + database
                + ": give a number (e.g. " + flag + "=1000) or a name the image's " + database + " has");
    }
}
