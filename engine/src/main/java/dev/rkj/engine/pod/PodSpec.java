package dev.rkj.engine.pod;

import dev.rkj.engine.appc.AcName;
import dev.rkj.engine.appc.LinuxCapability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * What the user asked for when creating a pod ({@code rkj run} / {@code rkj prepare}, the API's
 * pod request, or {@code --pod-manifest}): the pod-level options and one {@link AppSpec} per app,
 * each naming its image. Part of {@link PodEvent.PodCreated} ({@code pod.created/6}), so its shape
 * is wire format: add fields only with a new event version. Versions 1 to 4 held the single-image
 * form, {@link PodSpecV4}; version 5 {@link PodSpecV5}, without {@code networking}.
 *
 * <p>The single-image accessors ({@link #imageRef()}, {@link #exec()}, ...) read the first app's
 * fields: in a pod of one image, the app's.
 *
 * @param apps            the pod's apps, in the order they start: at least one
 * @param hostname        the pod's hostname ({@code --hostname}), or {@code null} for the default
 * @param net             the pod's network ({@code --net})
 * @param interactive     the app gets the terminal ({@code --interactive}); a pod of one app only
 * @param insecureOptions the security checks the user switched off ({@code --insecure-options})
 * @param pidsLimit       the most processes the pod may have ({@code --pids-limit}), or {@code null}
 *                        for rkj's default
 * @param volumes         the pod's volumes ({@code --volume}), appc's: host directories and empty ones
 * @param mdsRegister     register the pod with the metadata service ({@code --mds-register})
 * @param privateUsers    run the pod in a user namespace with a shifted UID range ({@code --private-users})
 * @param networking      the CNI networks, forwarded ports and name service of a pod whose {@code net}
 *                        is {@link NetMode#DEFAULT} ({@link Networking#DEFAULT} when not given); null
 *                        for {@code host} and {@code none}
 */
public record PodSpec(
        List<AppSpec> apps,
        String hostname,
        NetMode net,
        boolean interactive,
        Set<InsecureOption> insecureOptions,
        Long pidsLimit,
        List<Volume> volumes,
        boolean mdsRegister,
        boolean privateUsers,
        Networking networking) {

    /** The largest hostname Linux accepts (HOST_NAME_MAX). */
    private static final int MAX_HOSTNAME = 64;

    /** The most apps a pod may have (stage1's MAX_APPS). */
    public static final int MAX_APPS = 64;

    public PodSpec {
        if (apps == null || apps.isEmpty()) {
            throw new IllegalArgumentException("pod spec: no app: name at least one image");
        }
        if (apps.size() > MAX_APPS) {
            throw new IllegalArgumentException("pod spec: " + apps.size() + " apps, more than a pod may have ("
                    + MAX_APPS + ")");
        }
        apps = List.copyOf(apps);
        if (hostname != null && !isHostname(hostname)) {
            throw new IllegalArgumentException("pod spec: hostname \"" + hostname + "\" is not valid (1-" + MAX_HOSTNAME
                    + " letters, digits, '-' and '.', not starting or ending with '-' or '.')");
        }
        net = net == null ? NetMode.DEFAULT : net;
        if (net == NetMode.DEFAULT) {
            networking = networking == null ? Networking.DEFAULT : networking;
        } else if (networking != null && !networking.equals(Networking.DEFAULT)) {
            throw new IllegalArgumentException("pod spec: --net=" + net.flagValue() + " joins no CNI network: --port, --dns,"
                    + " --dns-search, --dns-opt and --hosts-entry need one (--net=default or a named network)");
        } else {
            networking = null;
        }
        if (interactive && apps.size() > 1) {
            throw new IllegalArgumentException("pod spec: --interactive gives the terminal to one app, but the pod has "
                    + apps.size() + ": run one image interactively");
        }
        EnumSet<InsecureOption> options = EnumSet.noneOf(InsecureOption.class);
        if (insecureOptions != null) {
            options.addAll(insecureOptions);
        }
        insecureOptions = Collections.unmodifiableSet(options);
        if (pidsLimit != null && pidsLimit <= 0) {
            throw new IllegalArgumentException("pod spec: pids limit " + pidsLimit + " is not positive (omit it for the default)");
        }
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        Set<String> volumeNames = new HashSet<>();
        for (Volume v : volumes) {
            if (!volumeNames.add(v.name())) {
                throw new IllegalArgumentException("pod spec: volume " + v.name() + " is declared twice (--volume)");
            }
        }
        Set<String> appNames = new HashSet<>();
        for (AppSpec app : apps) {
            if (app.name() != null && !appNames.add(app.name())) {
                throw new IllegalArgumentException("pod spec: two apps are named " + app.name()
                        + ": give each a name of its own with --name");
            }
            for (Mount m : app.mounts()) {
                if (!volumeNames.contains(m.volume())) {
                    throw new IllegalArgumentException("pod spec: app " + app.label() + " mounts volume " + m.volume()
                            + " at " + m.path() + ", which no --volume declares: add --volume " + m.volume()
                            + ",kind=empty (or kind=host,source=PATH)");
                }
            }
        }
    }

    /** A pod spec with the default networking of its {@code net}. */
    public PodSpec(List<AppSpec> apps, String hostname, NetMode net, boolean interactive,
                   Set<InsecureOption> insecureOptions, Long pidsLimit, List<Volume> volumes, boolean mdsRegister,
                   boolean privateUsers) {
        this(apps, hostname, net, interactive, insecureOptions, pidsLimit, volumes, mdsRegister, privateUsers, null);
    }

    /** A one-app pod spec with the options of {@code pod.created/3} and {@code /4}. */
    public PodSpec(String imageRef, String exec, List<String> args, Map<String, String> env, String hostname,
                   NetMode net, Long memoryLimitBytes, Long cpuLimitMillis, boolean interactive,
                   Set<InsecureOption> insecureOptions, Set<String> capsRetain, Set<String> capsRemove, Long pidsLimit,
                   String appName, String user, String group, String workingDir) {
        this(List.of(new AppSpec(imageRef, appName, exec, args, env, user, group, workingDir, memoryLimitBytes,
                        cpuLimitMillis, capsRetain, capsRemove, null, false, List.of())),
                hostname, net, interactive, insecureOptions, pidsLimit, List.of(), false, false);
    }

    /** A one-app spec with the options of {@code pod.created/2}: the image's app name, user, group and working directory. */
    public PodSpec(String imageRef, String exec, List<String> args, Map<String, String> env, String hostname,
                   NetMode net, Long memoryLimitBytes, Long cpuLimitMillis, boolean interactive,
                   Set<InsecureOption> insecureOptions, Set<String> capsRetain, Set<String> capsRemove, Long pidsLimit) {
        this(imageRef, exec, args, env, hostname, net, memoryLimitBytes, cpuLimitMillis, interactive, insecureOptions,
                capsRetain, capsRemove, pidsLimit, null, null, null, null);
    }

    /** A one-app spec with the options of {@code pod.created/1}: no capability flags and the default pids limit. */
    public PodSpec(String imageRef, String exec, List<String> args, Map<String, String> env, String hostname,
                   NetMode net, Long memoryLimitBytes, Long cpuLimitMillis, boolean interactive,
                   Set<InsecureOption> insecureOptions) {
        this(imageRef, exec, args, env, hostname, net, memoryLimitBytes, cpuLimitMillis, interactive, insecureOptions,
                Set.of(), Set.of(), null, null, null, null, null);
    }

    /** A spec for {@code imageRef} with every option at its default. */
    public static PodSpec of(String imageRef) {
        return new PodSpec(imageRef, null, List.of(), Map.of(), null, NetMode.DEFAULT, null, null, false, Set.of());
    }

    /** A pod of {@code apps} with every pod-level option at its default. */
    public static PodSpec ofApps(List<AppSpec> apps) {
        return new PodSpec(apps, null, NetMode.DEFAULT, false, Set.of(), null, List.of(), false, false);
    }

    /** The first app: in a pod of one image, its app. */
    public AppSpec app() {
        return apps.get(0);
    }

    /** The first app's image reference. */
    public String imageRef() {
        return app().imageRef();
    }

    /** The first app's {@code --exec}. */
    public String exec() {
        return app().exec();
    }

    /** The first app's arguments. */
    public List<String> args() {
        return app().args();
    }

    /** The first app's environment overrides. */
    public Map<String, String> env() {
        return app().env();
    }

    /** The first app's memory limit. */
    public Long memoryLimitBytes() {
        return app().memoryLimitBytes();
    }

    /** The first app's CPU limit. */
    public Long cpuLimitMillis() {
        return app().cpuLimitMillis();
    }

    /** The first app's {@code --caps-retain}. */
    public Set<String> capsRetain() {
        return app().capsRetain();
    }

    /** The first app's {@code --caps-remove}. */
    public Set<String> capsRemove() {
        return app().capsRemove();
    }

    /** The first app's {@code --name}. */
    public String appName() {
        return app().name();
    }

    /** The first app's {@code --user}. */
    public String user() {
        return app().user();
    }

    /** The first app's {@code --group}. */
    public String group() {
        return app().group();
    }

    /** The first app's {@code --working-dir}. */
    public String workingDir() {
        return app().workingDir();
    }

    /** This spec with every app changed by {@code change}. */
    public PodSpec withEachApp(UnaryOperator<AppSpec> change) {
        return new PodSpec(apps.stream().map(change).toList(), hostname, net, interactive, insecureOptions, pidsLimit,
                volumes, mdsRegister, privateUsers, networking);
    }

    /** This spec with every app's capability flags: {@code --caps-retain} and {@code --caps-remove}. */
    public PodSpec withCapabilities(Set<String> retain, Set<String> remove) {
        return withEachApp(a -> a.withCapabilities(retain, remove));
    }

    /** This spec with the pod's process limit ({@code --pids-limit}); {@code null} for the default. */
    public PodSpec withPidsLimit(Long limit) {
        return new PodSpec(apps, hostname, net, interactive, insecureOptions, limit, volumes, mdsRegister, privateUsers,
                networking);
    }

    /** This spec with the pod's volumes, {@code --mds-register} and {@code --private-users}. */
    public PodSpec withPod(List<Volume> podVolumes, boolean register, boolean privateUserNs) {
        return new PodSpec(apps, hostname, net, interactive, insecureOptions, pidsLimit, podVolumes, register,
                privateUserNs, networking);
    }

    /**
     * This one-app spec with the app's overrides ({@code --name}, {@code --user}, {@code --group},
     * {@code --working-dir}); {@code null} keeps the image's.
     */
    public PodSpec withApp(String name, String appUser, String appGroup, String directory) {
        return withEachApp(a -> new AppSpec(a.imageRef(), name, a.exec(), a.args(), a.env(), appUser, appGroup, directory,
                a.memoryLimitBytes(), a.cpuLimitMillis(), a.capsRetain(), a.capsRemove(), a.seccomp(),
                a.readOnlyRootfs(), a.mounts()));
    }

    /**
     * The capabilities of the apps' {@code --caps-retain} outside appc's default set
     * ({@link LinuxCapability#DEFAULT_SET}): what the user grants beyond the default.
     */
    public Set<String> grantedCapabilities() {
        Set<String> granted = new TreeSet<>();
        apps.forEach(a -> granted.addAll(a.capsRetain()));
        LinuxCapability.DEFAULT_SET.forEach(c -> granted.remove(c.name()));
        return Collections.unmodifiableSet(granted);
    }

    /** Whether the user grants the pod anything beyond rkj's defaults (journaled as a grant). */
    public boolean grantsPrivileges() {
        return !grantedCapabilities().isEmpty() || !relaxations().isEmpty();
    }

    /**
     * The run-time checks the user switched off, which the journal records as a grant:
     * {@code capabilities}, {@code paths} and {@code seccomp} of {@code --insecure-options}.
     */
    public Set<InsecureOption> relaxations() {
        EnumSet<InsecureOption> relaxed = EnumSet.noneOf(InsecureOption.class);
        for (InsecureOption option : insecureOptions) {
            if (option.relaxesThePod()) {
                relaxed.add(option);
            }
        }
        return Collections.unmodifiableSet(relaxed);
    }

    /** Whether the user switched off {@code option}. */
    public boolean allows(InsecureOption option) {
        return insecureOptions.contains(option);
    }

    /**
     * One app of the pod: its image and the user's overrides for it (rkt's per-app flags).
     *
     * @param imageRef         the image exactly as the user named it: a name with labels
     *                         ({@code example.com/app:v1.0}), an image id ({@code sha512-...}), a file
     * @param name             the app's name in the pod ({@code --name}), an AC Name, or {@code null}
     *                         for the one derived from the image's name
     * @param exec             the executable to run instead of the image's ({@code --exec}), an
     *                         absolute path, or {@code null} for the image's own
     * @param args             the app's arguments (after {@code --}); empty means the image's own
     * @param env              environment overrides ({@code --set-env}), applied over the image's
     * @param user             {@code --user}: a uid, a name in the image's {@code /etc/passwd} or an
     *                         absolute path whose owner it is; {@code null} for the image's
     * @param group            {@code --group}, likewise; {@code null} for the image's
     * @param workingDir       {@code --working-dir}, an absolute path, or {@code null} for the image's
     * @param memoryLimitBytes {@code --memory} in bytes, or {@code null} for the image's
     * @param cpuLimitMillis   {@code --cpu} in millicores, or {@code null} for the image's
     * @param capsRetain       {@code --caps-retain}: exactly the app's bounding set; empty for none given
     * @param capsRemove       {@code --caps-remove}: taken from the default set; empty for none given
     * @param seccomp          {@code --seccomp}, appc's seccomp retain or remove set, or {@code null} for
     *                         the image's (or rkj's default filter)
     * @param readOnlyRootfs   {@code --readonly-rootfs}: the app's root filesystem is read-only
     * @param mounts           {@code --mount}: the pod's volumes mounted in this app
     */
    public record AppSpec(
            String imageRef,
            String name,
            String exec,
            List<String> args,
            Map<String, String> env,
            String user,
            String group,
            String workingDir,
            Long memoryLimitBytes,
            Long cpuLimitMillis,
            Set<String> capsRetain,
            Set<String> capsRemove,
            Seccomp seccomp,
            boolean readOnlyRootfs,
            List<Mount> mounts) {

        public AppSpec {
            if (imageRef == null || imageRef.isBlank()) {
                throw new IllegalArgumentException("pod spec: the image reference is empty (name an image, an image id or a file)");
            }
            if (name != null) {
                try {
                    AcName.parse(name);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("pod spec: app name (--name) " + e.getMessage());
                }
            }
            String app = name != null ? name : imageRef;
            if (exec != null && !exec.startsWith("/")) {
                throw new IllegalArgumentException("pod spec: app " + app + ": exec \"" + exec
                        + "\" is not an absolute path (appc requires one, e.g. /bin/sh)");
            }
            args = copyArgs(args);
            env = copyEnv(env);
            requireOwner(user, app, "user (--user)", "a uid such as 1000 or a name in the image's /etc/passwd");
            requireOwner(group, app, "group (--group)", "a gid such as 1000 or a name in the image's /etc/group");
            if (workingDir != null && (!workingDir.startsWith("/") || hasControl(workingDir))) {
                throw new IllegalArgumentException("pod spec: app " + app + ": working directory (--working-dir) "
                        + quote(workingDir) + " is not an absolute path: give one such as /tmp");
            }
            if (memoryLimitBytes != null && memoryLimitBytes <= 0) {
                throw new IllegalArgumentException("pod spec: memory limit " + memoryLimitBytes + " bytes is not positive (omit it for no limit)");
            }
            if (cpuLimitMillis != null && cpuLimitMillis <= 0) {
                throw new IllegalArgumentException("pod spec: CPU limit " + cpuLimitMillis + " millicores is not positive (omit it for no limit)");
            }
            capsRetain = copyCapabilities(capsRetain, "--caps-retain");
            capsRemove = copyCapabilities(capsRemove, "--caps-remove");
            if (!capsRetain.isEmpty() && !capsRemove.isEmpty()) {
                throw new IllegalArgumentException("pod spec: give either --caps-retain (the exact set to keep) or"
                        + " --caps-remove (what to take from the default set), not both");
            }
            mounts = mounts == null ? List.of() : List.copyOf(mounts);
            Set<String> paths = new HashSet<>();
            for (Mount m : mounts) {
                if (!paths.add(m.path())) {
                    throw new IllegalArgumentException("pod spec: app " + app + " mounts two volumes at " + m.path());
                }
            }
        }

        /** An app of {@code imageRef} with every override at its default. */
        public static AppSpec of(String imageRef) {
            return new AppSpec(imageRef, null, null, List.of(), Map.of(), null, null, null, null, null, Set.of(),
                    Set.of(), null, false, List.of());
        }

        /** This app with the user's capability flags. */
        public AppSpec withCapabilities(Set<String> retain, Set<String> remove) {
            return new AppSpec(imageRef, name, exec, args, env, user, group, workingDir, memoryLimitBytes,
                    cpuLimitMillis, retain, remove, seccomp, readOnlyRootfs, mounts);
        }

        /** The app's name if given, else its image reference: for messages. */
        public String label() {
            return name != null ? name : imageRef;
        }
    }

    /**
     * A pod volume, as appc's pod manifest declares it ({@code --volume}).
     *
     * @param name      its name, an AC Name, which {@code --mount volume=NAME} refers to
     * @param kind      {@code HOST}: a host directory bind-mounted; {@code EMPTY}: an empty directory
     *                  living as long as the pod, shared by the apps that mount it
     * @param source    the host directory, an absolute path (host volumes only)
     * @param readOnly  mounted read-only in the apps
     * @param recursive host volumes: bind the mounts below {@code source} too; {@code null}: appc's
     *                  default (yes)
     * @param mode      empty volumes: the directory's mode in octal ({@code "0755"}); {@code null} for
     *                  appc's default 0755
     * @param uid       empty volumes: its owner; {@code null} for 0
     * @param gid       empty volumes: its group; {@code null} for 0
     */
    public record Volume(String name, VolumeKind kind, String source, boolean readOnly, Boolean recursive,
                         String mode, Long uid, Long gid) {
        public Volume {
            try {
                AcName.parse(name);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("pod spec: volume name " + quote(String.valueOf(name))
                        + " is not an AC Name (lowercase letters, digits and '-', e.g. data)");
            }
            if (kind == null) {
                throw new IllegalArgumentException("pod spec: volume " + name + " has no kind: give kind=host or kind=empty");
            }
            if (kind == VolumeKind.HOST) {
                if (source == null || !source.startsWith("/") || hasControl(source)) {
                    throw new IllegalArgumentException("pod spec: host volume " + name + " needs source=PATH, an absolute"
                            + " host path" + (source == null ? "" : " (not " + quote(source) + ")"));
                }
                if (mode != null || uid != null || gid != null) {
                    throw new IllegalArgumentException("pod spec: host volume " + name
                            + " takes no mode, uid or gid (those are for kind=empty)");
                }
            } else {
                if (source != null || recursive != null) {
                    throw new IllegalArgumentException("pod spec: empty volume " + name
                            + " takes no source or recursive (those are for kind=host)");
                }
                if (mode != null && !mode.matches("0?[0-7]{3,4}")) {
                    throw new IllegalArgumentException("pod spec: volume " + name + ": mode " + quote(mode)
                            + " is not an octal mode such as 0755");
                }
                for (Long id : new Long[] {uid, gid}) {
                    if (id != null && (id < 0 || id > 0xFFFFFFFEL)) {
                        throw new IllegalArgumentException("pod spec: volume " + name + ": uid/gid " + id
                                + " is out of range (0 to 4294967294)");
                    }
                }
            }
        }

        /** A host volume. */
        public static Volume host(String name, String source, boolean readOnly, Boolean recursive) {
            return new Volume(name, VolumeKind.HOST, source, readOnly, recursive, null, null, null);
        }

        /** An empty volume. */
        public static Volume empty(String name, String mode, Long uid, Long gid) {
            return new Volume(name, VolumeKind.EMPTY, null, false, null, mode, uid, gid);
        }
    }

    /** appc's volume kinds. Constant names are wire format. */
    public enum VolumeKind {
        /** A host directory. */
        HOST,
        /** An empty directory, created for the pod. */
        EMPTY
    }

    /**
     * A pod volume mounted in an app ({@code --mount volume=NAME,target=PATH}).
     *
     * @param volume the volume's name
     * @param path   where it appears in the app, an absolute path
     */
    public record Mount(String volume, String path) {
        public Mount {
            if (volume == null || volume.isEmpty()) {
                throw new IllegalArgumentException("pod spec: a mount names no volume: give volume=NAME");
            }
            if (path == null || !path.startsWith("/") || hasControl(path) || path.equals("/")) {
                throw new IllegalArgumentException("pod spec: mount of volume " + volume + ": target "
                        + quote(String.valueOf(path)) + " is not an absolute path below /: give target=/PATH");
            }
        }
    }

    /**
     * An app's seccomp filter, appc's {@code os/linux/seccomp-retain-set} or
     * {@code os/linux/seccomp-remove-set} isolator (rkt's {@code --seccomp mode=retain,errno=EPERM,sys1,sys2}).
     *
     * @param mode     {@code RETAIN}: only these syscalls are allowed; {@code REMOVE}: these are refused
     * @param errno    the error a refused syscall returns ({@code EPERM}), or {@code null}: the app is
     *                 killed (SIGSYS)
     * @param syscalls the syscalls (or appc's {@code @scope/group} names)
     */
    public record Seccomp(SeccompMode mode, String errno, List<String> syscalls) {
        public Seccomp {
            if (mode == null) {
                throw new IllegalArgumentException("pod spec: seccomp needs mode=retain or mode=remove");
            }
            if (errno != null && !errno.matches("E[A-Z0-9]+")) {
                throw new IllegalArgumentException("pod spec: seccomp errno " + quote(errno)
                        + " is not an errno name such as EPERM");
            }
            syscalls = syscalls == null ? List.of() : List.copyOf(syscalls);
            if (syscalls.isEmpty()) {
                throw new IllegalArgumentException("pod spec: seccomp mode=" + mode.name().toLowerCase(Locale.ROOT)
                        + " names no syscall: list them, e.g. --seccomp mode=remove,errno=EPERM,chmod,chown");
            }
            for (String s : syscalls) {
                if (s == null || !s.matches("@?[a-z0-9_][a-z0-9_./*-]*")) {
                    throw new IllegalArgumentException("pod spec: seccomp names " + quote(String.valueOf(s))
                            + ", which is not a syscall name (e.g. chmod) or a group (e.g. @rkt/default-whitelist)");
                }
            }
        }

        /**
         * A filter in rkt's {@code --seccomp} syntax: {@code mode=retain|remove}, an optional
         * {@code errno=ENAME}, then the syscalls, separated by commas.
         *
         * @throws IllegalArgumentException naming what is wrong
         */
        public static Seccomp parse(String value) {
            SeccompMode mode = null;
            String errno = null;
            List<String> calls = new ArrayList<>();
            for (String word : value.split(",", -1)) {
                String w = word.trim();
                if (w.startsWith("mode=")) {
                    String m = w.substring(5);
                    mode = switch (m) {
                        case "retain" -> SeccompMode.RETAIN;
                        case "remove" -> SeccompMode.REMOVE;
                        default -> throw new IllegalArgumentException("--seccomp mode " + quote(m)
                                + " is not retain or remove");
                    };
                } else if (w.startsWith("errno=")) {
                    errno = w.substring(6);
                } else {
                    calls.add(w);
                }
            }
            if (mode == null) {
                throw new IllegalArgumentException("--seccomp " + quote(value) + " has no mode: begin it with"
                        + " mode=retain or mode=remove, e.g. mode=remove,errno=EPERM,chmod");
            }
            return new Seccomp(mode, errno, calls);
        }
    }

    /** Whether a seccomp set lists what is allowed or what is refused. Constant names are wire format. */
    public enum SeccompMode {
        /** Only the listed syscalls are allowed. */
        RETAIN,
        /** The listed syscalls are refused. */
        REMOVE
    }

    /**
     * The app name for an image name when {@code --name} gives none: its last path part, lowercased,
     * with every run of characters an AC Name does not allow replaced by one {@code -}; {@code app}
     * if nothing is left ({@code example.com/redis-server} runs as {@code redis-server}, as in rkt).
     */
    public static String defaultAppName(String imageName) {
        String last = imageName.substring(imageName.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        String name = last.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return name.isEmpty() ? "app" : name;
    }

    private static Set<String> copyCapabilities(Set<String> names, String flag) {
        if (names == null) {
            return Set.of();
        }
        Set<String> copy = new TreeSet<>();
        for (String name : names) {
            if (name == null || !name.matches("CAP_[A-Z0-9_]+")) {
                throw new IllegalArgumentException("pod spec: " + flag + " names \"" + name
                        + "\", which is not a capability name (e.g. CAP_NET_ADMIN)");
            }
            copy.add(name);
        }
        return Collections.unmodifiableSet(copy);
    }

    private static void requireOwner(String value, String app, String what, String example) {
        if (value != null && (value.isEmpty() || hasControl(value) || value.indexOf(':') >= 0)) {
            throw new IllegalArgumentException("pod spec: app " + app + ": " + what + " " + quote(value)
                    + " is not valid: give " + example);
        }
    }

    private static boolean hasControl(String value) {
        return value.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** {@code value} in double quotes, with control characters escaped so a message stays one line. */
    private static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        value.chars().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.append('"').toString();
    }

    private static List<String> copyArgs(List<String> args) {
        if (args == null) {
            return List.of();
        }
        List<String> copy = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg == null) {
                throw new IllegalArgumentException("pod spec: argument " + i + " is null");
            }
            copy.add(arg);
        }
        return Collections.unmodifiableList(copy);
    }

    private static Map<String, String> copyEnv(Map<String, String> env) {
        if (env == null) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            if (name == null || name.isEmpty() || name.indexOf('=') >= 0) {
                throw new IllegalArgumentException("pod spec: environment variable name \"" + name
                        + "\" is not valid (it must be non-empty and contain no '=')");
            }
            copy.put(name, Objects.requireNonNull(value, () -> "pod spec: environment variable " + name + " has no value"));
        });
        return Collections.unmodifiableMap(copy);
    }

    private static boolean isHostname(String name) {
        if (name.isEmpty() || name.length() > MAX_HOSTNAME) {
            return false;
        }
        char first = name.charAt(0);
        char last = name.charAt(name.length() - 1);
        if (first == '-' || first == '.' || last == '-' || last == '.') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** This spec with the pod's CNI networks, ports and name service (its net becomes {@link NetMode#DEFAULT}). */
    public PodSpec withNetworking(Networking cni) {
        return new PodSpec(apps, hostname, NetMode.DEFAULT, interactive, insecureOptions, pidsLimit, volumes, mdsRegister,
                privateUsers, cni);
    }

    /** The pod's network, as rkt's {@code --net}. Constant names are wire format. */
    public enum NetMode {
        /**
         * CNI networks: a private network namespace joined to each of {@link PodSpec#networking()}'s
         * networks ({@code default} unless named; rkt's default). In {@code pod.created/1} to
         * {@code /5} it meant what {@link #NONE} means now, and is read so.
         */
        DEFAULT,
        /** The host's network namespace. */
        HOST,
        /** A private network namespace with loopback only. */
        NONE;

        /** The {@code --net} value, e.g. {@code host}. */
        public String flagValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The mode for a {@code --net} value.
         *
         * @throws IllegalArgumentException naming the valid values
         */
        public static NetMode parse(String value) {
            for (NetMode mode : values()) {
                if (mode.flagValue().equals(value)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("unknown --net value \"" + value + "\": use default, host or none");
        }

        /** What this mode meant in {@code pod.created/1} to {@code /5}: {@code default} had only {@code lo}. */
        public NetMode beforeCni() {
            return this == DEFAULT ? NONE : this;
        }
    }

    /** A security check switched off by rkt's {@code --insecure-options}. Constant names are wire format. */
    public enum InsecureOption {
        /** Do not verify the image's signature. */
        IMAGE,
        /** Accept any TLS certificate when fetching. */
        TLS,
        /** Allow fetching over plain HTTP. */
        HTTP,
        /** Accept discovered public keys without asking. */
        PUBKEY,
        /** Do not re-check the image store's on-disk integrity. */
        ONDISK,
        /** Keep all capabilities in the apps. */
        CAPABILITIES,
        /** Do not mask sensitive paths under /proc and /sys. */
        PATHS,
        /** Do not apply a seccomp filter. */
        SECCOMP;

        /** Whether switching this off weakens the running pod's boundary (rather than a fetch check). */
        public boolean relaxesThePod() {
            return this == CAPABILITIES || this == PATHS || this == SECCOMP;
        }

        /** The {@code --insecure-options} word, e.g. {@code image}. */
        public String flagValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The options named by a {@code --insecure-options} value such as {@code image,tls}; also
         * accepts rkt's groups {@code none}, {@code all-fetch}, {@code all-run} and {@code all}.
         *
         * @throws IllegalArgumentException naming the unknown word and the valid ones
         */
        public static Set<InsecureOption> parseList(String value) {
            EnumSet<InsecureOption> options = EnumSet.noneOf(InsecureOption.class);
            for (String word : value.split(",", -1)) {
                String w = word.trim();
                switch (w) {
                    case "none" -> { }
                    case "all" -> options.addAll(EnumSet.allOf(InsecureOption.class));
                    case "all-fetch" -> options.addAll(EnumSet.of(IMAGE, TLS, HTTP, PUBKEY));
                    case "all-run" -> options.addAll(EnumSet.of(ONDISK, CAPABILITIES, PATHS, SECCOMP));
                    default -> options.add(parseOne(w));
                }
            }
            return Collections.unmodifiableSet(options);
        }

        private static InsecureOption parseOne(String word) {
            for (InsecureOption option : values()) {
                if (option.flagValue().equals(word)) {
                    return option;
                }
            }
            StringBuilder valid = new StringBuilder("none, all, all-fetch, all-run");
            for (InsecureOption option : values()) {
                valid.append(", ").append(option.flagValue());
            }
            throw new IllegalArgumentException("unknown --insecure-options value \"" + word + "\": use " + valid);
        }
    }
}
