package dev.rkj.stage1;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What rkj-stage1 runs: a pod (its directory, mounted root filesystem, hostname, network mode,
 * cgroups to join) and its apps. Plain values only: stage0 turns a pod manifest into this.
 *
 * <p>This class and {@link ExitStatus} own every default of a pod's run (hostname, the apps'
 * capabilities and base environment, the status of a signalled app): {@link Stage1PlanWriter}
 * writes them all into the plan, and rkj-stage1 has none of its own.
 *
 * @param uuid the pod's UUID
 * @param podDir {@code pods/<uuid>}: stage1 writes lock, pid, status/ and logs/ there
 * @param rootfs the pod's root filesystem, already mounted (the overlay)
 * @param hostname the pod's host name; null gives the default, {@code rkj-<uuid>}
 * @param net private (a network namespace with only {@code lo} up) or host
 * @param cgroupProcs {@code cgroup.procs} files stage1 joins before it creates the pod
 * @param interactive the (single) app runs on a pseudo-terminal made for the pod (its /dev/console);
 *     its output goes to the log and to {@code <podDir>/attach}, where a client types into it
 *     (the protocol is at the top of rkj-stage1.c); stage1's own stdin is never the app's
 * @param maskPaths runc's read-only /proc paths (sys, sysrq-trigger, irq...) and masked paths
 *     (/proc/kcore, keys, timer_list..., /sys/firmware); false is rkt's
 *     {@code --insecure-options=paths}
 * @param logMaxSize the cap of each app's log in bytes, at least {@link #MIN_LOG_MAX_SIZE}: before
 *     {@code logs/<app>} would pass it, stage1 renames it to {@code logs/<app>.1} (replacing an
 *     older one) and begins a new one, so an app's logs never take more than twice this
 * @param apps in start order
 * @param mdsRelay the metadata service relay PID 1 runs in a private network, or null for none
 * @param stopGraceMillis when an app fails (non-zero status or a signal), stage1 sends the other apps
 *     SIGTERM and, this long after, SIGKILL (rkt's rule: the pod ends when one app fails)
 * @param privateUsers the apps' user namespace ({@code --private-users}), or null: the host's
 * @param network the pod's CNI network namespace and name service files, or null: a private
 *     network gets a new namespace with only {@code lo}, a host one the host's files
 */
public record Stage1Plan(String uuid, Path podDir, Path rootfs, String hostname, NetMode net,
                         List<Path> cgroupProcs, boolean interactive, boolean maskPaths, long logMaxSize,
                         List<App> apps, MdsRelay mdsRelay,
                         long stopGraceMillis, PrivateUsers privateUsers, Network network) {
    static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})");

    public enum NetMode { PRIVATE, HOST }

    /** The apps' PATH unless their environment sets one. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** What {@code container} says unless the app's environment sets it. */
    public static final String CONTAINER = "rkj";
    /** The cap of an app's log unless the engine sets one: 8 MiB, so at most 16 MiB an app. */
    public static final long DEFAULT_LOG_MAX_SIZE = 8L << 20;
    /** The smallest cap rkj-stage1 takes (LOG_MIN_SIZE in rkj-stage1.h): many records fit. */
    public static final long MIN_LOG_MAX_SIZE = 4096;
    /** How long the other apps of a pod get between SIGTERM and SIGKILL when one app fails: rkt's 10 s. */
    public static final long DEFAULT_STOP_GRACE_MILLIS = 10_000;

    public Stage1Plan {
        Objects.requireNonNull(uuid, "uuid");
        if (hostname == null) {
            hostname = "rkj-" + uuid;
        }
        absolute("pod dir", podDir);
        absolute("rootfs", rootfs);
        Objects.requireNonNull(net, "net");
        cgroupProcs = List.copyOf(cgroupProcs);
        cgroupProcs.forEach(p -> absolute("cgroup.procs file", p));
        apps = List.copyOf(apps);
        if (apps.isEmpty()) {
            throw new IllegalArgumentException("pod " + uuid + " has no app");
        }
        if (hostname != null && !HOSTNAME.matcher(hostname).matches()) {
            throw new IllegalArgumentException("hostname `" + hostname + "` is not a valid host name (letters, digits, '-', '.', at most 63)");
        }
        if (interactive && apps.size() != 1) {
            throw new IllegalArgumentException("an interactive pod runs exactly one app, pod " + uuid + " has " + apps.size());
        }
        if (logMaxSize < MIN_LOG_MAX_SIZE) {
            throw new IllegalArgumentException("the log size cap " + logMaxSize + " of pod " + uuid
                    + " is too small: give at least " + MIN_LOG_MAX_SIZE + " bytes");
        }
        if (mdsRelay != null && net == NetMode.HOST) {
            throw new IllegalArgumentException("pod " + uuid + " shares the host's network: it reaches the metadata"
                    + " service on the host's loopback, not through a relay");
        }
        if (network != null && net == NetMode.HOST) {
            throw new IllegalArgumentException("pod " + uuid + " shares the host's network: it joins no other"
                    + " network namespace");
        }
        if (stopGraceMillis < 0 || stopGraceMillis > 86_400_000L) {
            throw new IllegalArgumentException("the stop grace " + stopGraceMillis + " ms of pod " + uuid
                    + " is out of range: give 0 to 86400000 ms");
        }
        Set<String> names = new LinkedHashSet<>();
        for (App app : apps) {
            if (!names.add(app.name())) {
                throw new IllegalArgumentException("pod " + uuid + " has two apps named `" + app.name() + "`");
            }
        }
    }

    static void absolute(String what, Path p) {
        if (p == null || !p.isAbsolute()) {
            throw new IllegalArgumentException(what + " must be an absolute path, got " + p);
        }
    }

    /** The plan file: {@code <podDir>/stage1-plan} (where {@code rkj-stage1 enter} looks for it). */
    public Path planFile() {
        return new PodDir(podDir).plan();
    }

    public Stage1Plan withCgroupProcs(List<Path> procs) {
        return new Stage1Plan(uuid, podDir, rootfs, hostname, net, procs, interactive, maskPaths, logMaxSize, apps, mdsRelay,
                stopGraceMillis, privateUsers, network);
    }

    public Stage1Plan withNetwork(Network network) {
        return new Stage1Plan(uuid, podDir, rootfs, hostname, net, cgroupProcs, interactive, maskPaths, logMaxSize, apps,
                mdsRelay, stopGraceMillis, privateUsers, network);
    }

    public Stage1Plan withApps(List<App> apps) {
        return new Stage1Plan(uuid, podDir, rootfs, hostname, net, cgroupProcs, interactive, maskPaths, logMaxSize, apps,
                mdsRelay, stopGraceMillis, privateUsers, network);
    }

    /**
     * A pod's network prepared by stage0 (CNI): the namespace stage1 joins instead of making one,
     * and what the pod's {@code /etc/resolv.conf} and {@code /etc/hosts} say.
     *
     * @param netns       the bind-mounted network namespace file, or null for a new one
     * @param resolvConf  the pod's {@code /etc/resolv.conf}, or null to leave the image's
     * @param hostsLines  lines added to the pod's {@code /etc/hosts} ({@code IP NAME...})
     */
    public record Network(Path netns, String resolvConf, List<String> hostsLines) {
        public Network {
            if (netns != null) {
                absolute("netns", netns);
            }
            hostsLines = hostsLines == null ? List.of() : List.copyOf(hostsLines);
        }
    }

    /**
     * The metadata service relay of a pod with a private network: the pod's PID 1 listens on
     * {@code 127.0.0.1:port} in the pod's network namespace and relays each connection to the unix
     * socket {@code socket} of the metadata service, through the socket's directory opened before
     * pivot_root (no host path shows in the pod).
     *
     * @param port   1..65535
     * @param socket the metadata service's unix socket, absolute; its file name at most 64 bytes
     */
    public record MdsRelay(int port, Path socket) {
        public MdsRelay {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("metadata service port " + port + " is not 1..65535");
            }
            absolute("metadata service socket", socket);
            if (socket.getParent() == null || socket.getFileName().toString().length() > 64) {
                throw new IllegalArgumentException("metadata service socket " + socket
                        + " needs a directory and a file name of at most 64 bytes");
            }
        }
    }

    /**
     * {@code --private-users}: the apps run in a user namespace whose uids and gids
     * {@code 0..count-1} are {@code shift..shift+count-1} on the host (userns.c). The image's
     * files show as owned by root inside (an idmapped lower layer, {@link PodStarter}).
     *
     * @param shift the host uid and gid of the pod's 0, at least {@link #COUNT}
     * @param count how many ids are mapped, 1..{@link #COUNT}
     */
    public record PrivateUsers(long shift, long count) {
        /** rkt's and podman's range: 65536 ids a pod. */
        public static final long COUNT = 65536;

        public PrivateUsers {
            if (count < 1 || count > COUNT || shift < COUNT || shift + count > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("the uid shift " + shift + " (" + count + " ids) is out of range:"
                        + " give a shift of at least " + COUNT + ", up to 2^32-1 with its ids");
            }
        }

        /** The host's id of the pod's {@code id}. */
        public long host(long id) {
            return shift + id;
        }

        /** {@code 0:SHIFT:COUNT}, as /proc/PID/uid_map reads (inside, host, count). */
        @Override
        public String toString() {
            return "0:" + shift + ":" + count;
        }
    }

    public static Builder builder(String uuid, Path podDir, Path rootfs) {
        return new Builder(uuid, podDir, rootfs);
    }

    /**
     * One app of the pod.
     *
     * @param name file-safe: it names {@code status/<name>} and {@code logs/<name>}
     * @param argv argv[0] is a path in the app's root, or a name looked up in its PATH
     * @param env {@code KEY=VALUE}, added to PATH, AC_APP_NAME and container (which it may
     *     override): {@link #environment()}
     * @param user uid or a name from the image's /etc/passwd; null for 0
     * @param group gid or a name from the image's /etc/group; null for the user's group
     * @param supplementaryGroups gids or names
     * @param workingDirectory inside the app's root
     * @param capabilities the bounding set retained ({@link Capability#DEFAULT_RETAIN_SET} by default)
     * @param noNewPrivileges sets no_new_privs
     * @param seccomp the app's seccomp filter: {@link Seccomp#DEFAULT} (rkj-stage1's, after Docker's
     *        default profile, and no user namespaces even with CAP_SYS_ADMIN), {@link Seccomp#NONE}
     *        (unconfined), or an appc retain or remove set
     * @param oomScoreAdj written to the app's {@code /proc/self/oom_score_adj} (-1000..1000); null
     *        leaves the value it inherits
     * @param root the app's root inside the pod rootfs, "/" when it is the pod's
     * @param cgroupProcs {@code cgroup.procs} files of the app's own cgroups
     * @param mounts volumes bound into the app's root, in order (a later one may lie inside an earlier one)
     * @param readOnlyRoot the app's root is read-only (its volumes keep their own flag)
     * @param preStart the pre-start hook's argv (empty: none): runs to completion before the app, which
     *        is not run if it fails
     * @param postStop the post-stop hook's argv (empty: none): runs after the app's process ended
     */
    public record App(String name, List<String> argv, List<String> env, String user, String group,
                      List<String> supplementaryGroups, String workingDirectory, Set<Capability> capabilities,
                      boolean noNewPrivileges, Seccomp seccomp, Integer oomScoreAdj, String root,
                      List<Path> cgroupProcs,
                      List<Mount> mounts, boolean readOnlyRoot, List<String> preStart, List<String> postStop) {
        public App {
            Objects.requireNonNull(seccomp, "seccomp");
            if (oomScoreAdj != null && (oomScoreAdj < -1000 || oomScoreAdj > 1000)) {
                throw new IllegalArgumentException("app " + name + ": oom_score_adj " + oomScoreAdj
                        + " is out of range: give -1000..1000");
            }
            if (name == null || !APP_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("app name `" + name
                        + "` must be file-safe (letters, digits, '.', '_', '-'; no '/'): it names the app's status and log files");
            }
            argv = List.copyOf(argv);
            if (argv.isEmpty() || argv.get(0).isEmpty()) {
                throw new IllegalArgumentException("app " + name + " has no command (argv is empty)");
            }
            env = List.copyOf(env);
            for (String e : env) {
                if (e.indexOf('=') <= 0) {
                    throw new IllegalArgumentException("app " + name + ": environment entry `" + e + "` is not KEY=VALUE");
                }
            }
            supplementaryGroups = List.copyOf(supplementaryGroups);
            capabilities = Set.copyOf(capabilities);
            cgroupProcs = List.copyOf(cgroupProcs);
            if (workingDirectory == null || !workingDirectory.startsWith("/")) {
                throw new IllegalArgumentException("app " + name + ": working directory `" + workingDirectory + "` must be absolute");
            }
            if (root == null || !root.startsWith("/")) {
                throw new IllegalArgumentException("app " + name + ": root `" + root + "` must be absolute");
            }
            mounts = List.copyOf(mounts);
            preStart = List.copyOf(preStart);
            postStop = List.copyOf(postStop);
            for (List<String> hook : List.of(preStart, postStop)) {
                if (!hook.isEmpty() && hook.get(0).isEmpty()) {
                    throw new IllegalArgumentException("app " + name + " has a hook with an empty command");
                }
            }
        }

        /**
         * The app's whole environment, as it gets it (the App Container spec's, ace.md):
         * {@code PATH} ({@link Stage1Plan#DEFAULT_PATH}), {@code AC_APP_NAME} and
         * {@code container} unless {@link #env} sets them, then {@link #env}.
         */
        public List<String> environment() {
            List<String> all = new ArrayList<>();
            for (String d : List.of("PATH=" + DEFAULT_PATH, "AC_APP_NAME=" + name, "container=" + CONTAINER)) {
                String key = d.substring(0, d.indexOf('=') + 1);
                if (env.stream().noneMatch(e -> e.startsWith(key))) {
                    all.add(d);
                }
            }
            all.addAll(env);
            return all;
        }

        public App withCgroupProcs(List<Path> procs) {
            return new App(name, argv, env, user, group, supplementaryGroups, workingDirectory, capabilities,
                    noNewPrivileges, seccomp, oomScoreAdj, root, procs,
                    mounts, readOnlyRoot, preStart, postStop);
        }

        public static AppBuilder builder(String name, String... argv) {
            return new AppBuilder(name, List.of(argv));
        }
    }

    /**
     * A volume bound into an app: rkj-stage1 binds {@code source} (a host directory or file) on
     * {@code target}, which it resolves inside the app's root (a symlink never leads out of it) and
     * creates when missing (directories 0755 root, a file target for a file source).
     *
     * @param source absolute host path
     * @param target absolute path in the app's root, not {@code /}
     * @param readOnly the bind is read-only (and, when recursive, its submounts too)
     * @param recursive the source's submounts come along
     */
    public record Mount(Path source, String target, boolean readOnly, boolean recursive) {
        public Mount {
            absolute("volume source", source);
            if (target == null || !target.startsWith("/") || target.replace("/", "").isEmpty()) {
                throw new IllegalArgumentException("mount target `" + target
                        + "` must be an absolute path below the app's root (not / itself)");
            }
        }
    }

    /**
     * An app's seccomp filter.
     *
     * @param mode which filter
     * @param syscalls RETAIN / REMOVE: the set, by name (sorted and without duplicates here); empty
     *     otherwise
     * @param errno RETAIN / REMOVE: what a blocked call returns (1..4095); 0 kills the app with
     *     SIGSYS, as appc asks when the isolator names no errno
     * @param withinDefault RETAIN / REMOVE: true keeps the default filter's refusals (a set narrows
     *     the default boundary, as an image may), false lets the set alone decide (the user's grant)
     */
    public record Seccomp(Mode mode, List<String> syscalls, int errno, boolean withinDefault) {
        public static final Seccomp DEFAULT = new Seccomp(Mode.DEFAULT, List.of(), 0, true);
        public static final Seccomp NONE = new Seccomp(Mode.NONE, List.of(), 0, false);
        private static final Pattern SYSCALL = Pattern.compile("[a-z0-9_]{1,64}");

        public enum Mode { NONE, DEFAULT, RETAIN, REMOVE }

        public Seccomp {
            Objects.requireNonNull(mode, "mode");
            syscalls = List.copyOf(new java.util.TreeSet<>(syscalls));
            boolean set = mode == Mode.RETAIN || mode == Mode.REMOVE;
            if (set == syscalls.isEmpty()) {
                throw new IllegalArgumentException(set ? "a seccomp " + mode.name().toLowerCase(java.util.Locale.ROOT)
                        + " set needs at least one system call" : "only a retain or remove set names system calls");
            }
            for (String call : syscalls) {
                if (!SYSCALL.matcher(call).matches()) {
                    throw new IllegalArgumentException("`" + call + "` is not a system call name (lower-case letters,"
                            + " digits and '_', as syscalls(2) spells them)");
                }
            }
            if (errno < 0 || errno > 4095) {
                throw new IllegalArgumentException("seccomp errno " + errno + " is out of range: give 1..4095, or 0 for SIGSYS");
            }
        }

        public static Seccomp retain(List<String> syscalls, int errno, boolean withinDefault) {
            return new Seccomp(Mode.RETAIN, syscalls, errno, withinDefault);
        }

        public static Seccomp remove(List<String> syscalls, int errno, boolean withinDefault) {
            return new Seccomp(Mode.REMOVE, syscalls, errno, withinDefault);
        }
    }

    /** Builds an {@link App}; defaults: root user, "/", the appc default capabilities, the default seccomp filter. */
    public static final class AppBuilder {
        private final String name;
        private List<String> argv;
        private final List<String> env = new ArrayList<>();
        private String user;
        private String group;
        private final List<String> groups = new ArrayList<>();
        private String workingDirectory = "/";
        private Set<Capability> capabilities = Capability.DEFAULT_RETAIN_SET;
        private boolean noNewPrivileges;
        private Seccomp seccomp = Seccomp.DEFAULT;
        private Integer oomScoreAdj;
        private String root = "/";
        private final List<Path> cgroupProcs = new ArrayList<>();
        private final List<Mount> mounts = new ArrayList<>();
        private boolean readOnlyRoot;
        private List<String> preStart = List.of();
        private List<String> postStop = List.of();

        AppBuilder(String name, List<String> argv) {
            this.name = name;
            this.argv = argv;
        }

        public AppBuilder argv(List<String> argv) {
            this.argv = argv;
            return this;
        }

        public AppBuilder env(String keyValue) {
            env.add(keyValue);
            return this;
        }

        public AppBuilder env(String key, String value) {
            return env(key + "=" + value);
        }

        public AppBuilder user(String user) {
            this.user = user;
            return this;
        }

        public AppBuilder group(String group) {
            this.group = group;
            return this;
        }

        public AppBuilder supplementaryGroup(String group) {
            groups.add(group);
            return this;
        }

        public AppBuilder workingDirectory(String dir) {
            this.workingDirectory = dir;
            return this;
        }

        public AppBuilder capabilities(Set<Capability> caps) {
            this.capabilities = caps;
            return this;
        }

        public AppBuilder noNewPrivileges(boolean on) {
            this.noNewPrivileges = on;
            return this;
        }

        /** True (the default) for the default seccomp filter, false for none. */
        public AppBuilder seccomp(boolean on) {
            this.seccomp = on ? Seccomp.DEFAULT : Seccomp.NONE;
            return this;
        }

        public AppBuilder seccomp(Seccomp filter) {
            this.seccomp = filter;
            return this;
        }

        /** The app's oom_score_adj (-1000..1000); unset leaves the one it inherits. */
        public AppBuilder oomScoreAdj(Integer adj) {
            this.oomScoreAdj = adj;
            return this;
        }

        public AppBuilder root(String root) {
            this.root = root;
            return this;
        }

        public AppBuilder cgroupProcs(List<Path> procs) {
            cgroupProcs.addAll(procs);
            return this;
        }

        public AppBuilder mount(Mount mount) {
            mounts.add(mount);
            return this;
        }

        public AppBuilder readOnlyRoot(boolean on) {
            this.readOnlyRoot = on;
            return this;
        }

        public AppBuilder preStart(List<String> argv) {
            this.preStart = argv;
            return this;
        }

        public AppBuilder postStop(List<String> argv) {
            this.postStop = argv;
            return this;
        }

        public App build() {
            return new App(name, argv, env, user, group, groups, workingDirectory, capabilities, noNewPrivileges,
                    seccomp, oomScoreAdj, root, cgroupProcs,
                    mounts, readOnlyRoot, preStart, postStop);
        }
    }

    /** Builds a {@link Stage1Plan}; defaults: hostname {@code rkj-<uuid>}, private network, masked paths, 8 MiB logs. */
    public static final class Builder {
        private final String uuid;
        private final Path podDir;
        private final Path rootfs;
        private String hostname;
        private NetMode net = NetMode.PRIVATE;
        private final List<Path> cgroupProcs = new ArrayList<>();
        private boolean interactive;
        private boolean maskPaths = true;
        private long logMaxSize = DEFAULT_LOG_MAX_SIZE;
        private final List<App> apps = new ArrayList<>();
        private MdsRelay mdsRelay;
        private long stopGraceMillis = DEFAULT_STOP_GRACE_MILLIS;
        private PrivateUsers privateUsers;
        private Network network;

        Builder(String uuid, Path podDir, Path rootfs) {
            this.uuid = uuid;
            this.podDir = podDir;
            this.rootfs = rootfs;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        public Builder net(NetMode net) {
            this.net = net;
            return this;
        }

        public Builder cgroupProcs(List<Path> procs) {
            cgroupProcs.addAll(procs);
            return this;
        }

        public Builder interactive(boolean interactive) {
            this.interactive = interactive;
            return this;
        }

        /** False turns off the read-only and masked /proc and /sys paths (rkt's --insecure-options=paths). */
        public Builder maskPaths(boolean maskPaths) {
            this.maskPaths = maskPaths;
            return this;
        }

        /** The cap of each app's log, in bytes ({@link #DEFAULT_LOG_MAX_SIZE} unless set). */
        public Builder logMaxSize(long bytes) {
            this.logMaxSize = bytes;
            return this;
        }

        public Builder app(App app) {
            apps.add(app);
            return this;
        }

        /** SIGTERM to SIGKILL, for the other apps when one fails ({@link #DEFAULT_STOP_GRACE_MILLIS} unless set). */
        public Builder stopGraceMillis(long millis) {
            this.stopGraceMillis = millis;
            return this;
        }

        /** The apps' user namespace (null, the default: the host's). */
        public Builder privateUsers(PrivateUsers users) {
            this.privateUsers = users;
            return this;
        }

        /** The metadata service relay (null, the default: none). */
        public Builder mdsRelay(MdsRelay relay) {
            this.mdsRelay = relay;
            return this;
        }

        /** The pod's CNI network (null, the default: a new namespace with only lo). */
        public Builder network(Network network) {
            this.network = network;
            return this;
        }

        public Stage1Plan build() {
            return new Stage1Plan(uuid, podDir, rootfs, hostname, net, cgroupProcs, interactive, maskPaths, logMaxSize, apps,
                    mdsRelay, stopGraceMillis, privateUsers, network);
        }
    }
}
