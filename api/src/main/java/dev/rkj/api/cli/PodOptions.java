package dev.rkj.api.cli;

import dev.rkj.engine.appc.LinuxCapability;
import dev.rkj.engine.appc.Quantity;
import dev.rkj.engine.host.StoreImages;
import dev.rkj.engine.Grantor;
import dev.rkj.engine.pod.Networking;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.stage1.cgroup.CgroupLimits;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The flags {@code rkj run} and {@code rkj prepare} share (rkt's names and grammar), and the pod
 * spec they make: {@code [pod flags] IMG1 [app flags] [-- ARGS] [---] IMG2 [app flags] ...}. Per-app
 * flags ({@link AppFlags#FLAGS}) follow their image; given before the first image they apply to
 * every app that does not give its own ({@code --name} only to a pod of one image).
 */
@picocli.CommandLine.Command(footer = {"", "Apps: each IMAGE may be followed by its own flags (--name, --exec, --set-env,",
    "--user, --group, --working-dir, --mount, --memory, --cpu, --caps-retain, --caps-remove, --seccomp,",
    "--readonly-rootfs) and by -- ARGS; '---' ends one app's arguments before the next image. The pod ends",
    "when all its apps have ended; run exits with the status of the first app to fail (0 if all succeed).",
    "", "Examples:",
    "  rkj run --insecure-options=image app.aci -- -v     # the image's exec, plus -v",
    "  rkj run --name=web --user=1000 --group=1000 --working-dir=/tmp app.aci",
    "  rkj prepare --exec=/bin/sh app.aci -- -c 'id; pwd'",
    "  rkj run -d app.aci                                 # print the pod's UUID and return (rkj logs UUID)",
    "  rkj run --volume data,kind=empty web.aci --mount volume=data,target=/srv -- -v --- db.aci --name=db \\",
    "      --mount volume=data,target=/var/lib/db --memory=256Mi"})
final class PodOptions {
    /** The most processes {@code --pids-limit} accepts: the kernel's PID_MAX_LIMIT. */
    static final long MAX_PIDS = 4_194_304;

    @Option(names = "--insecure-options", paramLabel = "OPTS", defaultValue = "none",
            description = "comma-separated security checks to skip: none, image, tls, http, pubkey, ondisk,"
                    + " capabilities (every capability), paths (no masked /proc and /sys paths), seccomp (no filter),"
                    + " all, all-fetch, all-run")
    String insecureOptions;

    @Option(names = "--pull-policy", paramLabel = "POLICY", defaultValue = "new",
            description = "when to fetch a URL or name: new (only if not in the store, the default), update (always"
                    + " ask the server), never (the store only)")
    String pullPolicy;

    /** {@code --pull-policy}, checked. */
    dev.rkj.engine.fetch.PullPolicy pullPolicy() {
        try {
            return dev.rkj.engine.fetch.PullPolicy.parse(pullPolicy);
        } catch (IllegalArgumentException e) {
            throw new CliException("--pull-policy: " + e.getMessage());
        }
    }

    @Option(names = "--caps-retain", paramLabel = "CAPS",
            description = "the exact capabilities the app keeps, e.g. CAP_NET_ADMIN,CAP_CHOWN (replaces the image's;"
                    + " the only way to grant one beyond the default set)")
    String capsRetain;

    @Option(names = "--caps-remove", paramLabel = "CAPS",
            description = "capabilities to take from the default set, e.g. CAP_MKNOD,CAP_NET_RAW (replaces the image's)")
    String capsRemove;

    @Option(names = "--pids-limit", paramLabel = "N",
            description = "the most processes the pod may run (default " + CgroupLimits.DEFAULT_PIDS_MAX + ")")
    String pidsLimit;

    @Option(names = "--net", paramLabel = "NET", defaultValue = Networking.DEFAULT_NETWORK,
            description = "the pod's network: default (a bridge with NAT, 172.16.28.0/24), default-restricted (no"
                    + " route out), NAME of a net.d network, several as a,b, each with CNI args as NAME:IP=ADDR;K=V;"
                    + " or none (only lo), host")
    String net;

    @Option(names = "--port", paramLabel = "NAME:[HOSTIP:]HOSTPORT",
            description = "forward a port the app declares from the host (CNI networks; repeatable)")
    List<String> ports = new ArrayList<>();

    @Option(names = "--dns", paramLabel = "IP|host",
            description = "a name server for the pod's resolv.conf, or host for the host's file (repeatable)")
    List<String> dns = new ArrayList<>();

    @Option(names = "--dns-search", paramLabel = "DOMAIN", description = "a search domain for resolv.conf (repeatable)")
    List<String> dnsSearch = new ArrayList<>();

    @Option(names = "--dns-opt", paramLabel = "OPT", description = "a resolver option for resolv.conf (repeatable)")
    List<String> dnsOptions = new ArrayList<>();

    @Option(names = "--hosts-entry", paramLabel = "IP=HOSTNAME", description = "a line for the pod's /etc/hosts (repeatable)")
    List<String> hostsEntries = new ArrayList<>();

    @Option(names = "--hostname", paramLabel = "NAME", description = "the pod's hostname (default rkj-<uuid>)")
    String hostname;

    @Option(names = "--set-env", paramLabel = "K=V",
            description = "an environment variable for the app (repeatable; overrides --set-env-file and --inherit-env)")
    List<String> setEnv = new ArrayList<>();

    @Option(names = "--set-env-file", paramLabel = "FILE",
            description = "environment variables for the app, one NAME=VALUE a line (# comments and blank lines skipped)")
    java.nio.file.Path setEnvFile;

    @Option(names = "--inherit-env", description = "give the app this command's environment (the lowest precedence)")
    boolean inheritEnv;

    @Option(names = "--memory", paramLabel = "Q", description = "memory limit, e.g. 64M, 512Mi, 1G (overrides the image's isolator)")
    String memory;

    @Option(names = "--cpu", paramLabel = "Q", description = "CPU limit in cores, e.g. 500m or 2 (overrides the image's isolator)")
    String cpu;

    @Option(names = "--interactive", description = "run the app on a terminal of the pod's own and attach this one to it, also through the daemon (single-app pods)")
    boolean interactive;

    @Option(names = "--exec", paramLabel = "CMD", description = "run CMD instead of the image's exec")
    String exec;

    @Option(names = "--name", paramLabel = "NAME",
            description = "the app's name in the pod, lower case letters, digits and '-' (default: the last part of the"
                    + " image's name), e.g. --name=web")
    String name;

    @Option(names = "--user", paramLabel = "UID|NAME",
            description = "run the app as this user: a uid or a name in the image's /etc/passwd (default: the image's),"
                    + " e.g. --user=1000")
    String user;

    @Option(names = "--group", paramLabel = "GID|NAME",
            description = "run the app with this group: a gid or a name in the image's /etc/group (default: the image's),"
                    + " e.g. --group=1000")
    String group;

    @Option(names = "--working-dir", paramLabel = "PATH",
            description = "the app's working directory, an absolute path (default: the image's), e.g. --working-dir=/tmp")
    String workingDir;

    @Option(names = "--mount", paramLabel = "volume=NAME,target=PATH",
            description = "mount the pod's volume NAME at PATH in the app (repeatable; per app after its image)")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--seccomp", paramLabel = "mode=retain|remove[,errno=E],SYSCALL...",
            description = "the app's seccomp set, e.g. mode=remove,errno=EPERM,chmod,chown (replaces the image's)")
    String seccomp;

    @Option(names = "--readonly-rootfs", arity = "0..1", paramLabel = "BOOL",
            description = "make the app's root filesystem read-only")
    Boolean readOnlyRootfs;

    @Option(names = "--volume", paramLabel = "NAME,kind=host|empty,...",
            description = "a pod volume: NAME,kind=host,source=PATH[,readOnly=true][,recursive=false] or"
                    + " NAME,kind=empty[,mode=0755][,uid=N][,gid=N] (repeatable)")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--mds-register", arity = "0..1", paramLabel = "BOOL",
            description = "register the pod with the metadata service (AC_METADATA_URL)")
    boolean mdsRegister;

    @Option(names = "--private-users", arity = "0..1", paramLabel = "BOOL",
            description = "run the pod in a user namespace with a shifted UID range")
    boolean privateUsers;

    @Option(names = "--pod-manifest", paramLabel = "FILE",
            description = "run the apps of an appc pod manifest (its images by id or name) instead of IMAGE...")
    java.nio.file.Path podManifest;

    @Option(names = "--uuid-file-save", paramLabel = "FILE", description = "write the pod's UUID to FILE")
    java.nio.file.Path uuidFileSave;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE",
            description = "an .aci file, an image ID (or prefix), or a name[,label=value...] in the store")
    String image;

    @Parameters(index = "1..*", paramLabel = "ARGS",
            description = "the app's flags, then after --: arguments added to the image's exec (or to --exec's"
                    + " command), as rkt does; then --- and the next IMAGE with its flags and ARGS")
    List<String> args = new ArrayList<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Whose command line this is (see {@link Invocation}); this process's when these options stand alone. */
    Invocation invocation() {
        Object root = command == null ? null : command.root().userObject();
        return root instanceof RkjCommand r ? r.invocation() : Invocation.local();
    }

    PodSpec spec() {
        refuseAnUnwritableUuidFile();
        Set<PodSpec.InsecureOption> insecure;
        PodSpec.NetMode netMode;
        Networking networking;
        try {
            insecure = PodSpec.InsecureOption.parseList(insecureOptions);
            netMode = Networking.modeOf(net);
            networking = Networking.fromFlags(net, ports, dns, dnsSearch, dnsOptions, hostsEntries);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (inheritEnv) {
            env.putAll(new java.util.TreeMap<>(invocation().environment()));
        }
        if (setEnvFile != null) {
            List<String> lines;
            try {
                lines = java.nio.file.Files.readAllLines(setEnvFile);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                throw new CliException("cannot read --set-env-file " + setEnvFile + ": "
                        + (e instanceof java.nio.file.NoSuchFileException ? "it does not exist" : e.getMessage()), e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    putVariable(env, "--set-env-file " + setEnvFile + " line " + (i + 1), line);
                }
            }
        }
        for (String kv : setEnv) {
            putVariable(env, "--set-env", kv);
        }
        Long pids = pidsLimit == null ? null : pidsLimit(pidsLimit);
        List<PodSpec.Volume> podVolumes = new ArrayList<>();
        for (String v : volumes) {
            podVolumes.add(volume(v));
        }
        List<PodSpec.AppSpec> apps;
        if (podManifest != null) {
            if (image != null) {
                throw new CliException("--pod-manifest names the apps and their images: give no IMAGE with it");
            }
            PodManifestFile file = PodManifestFile.read(podManifest);
            apps = file.apps(env);
            podVolumes.addAll(file.volumes());
        } else {
            if (image == null) {
                throw new CliException("name an image to run (an .aci file, an image ID or a name), or"
                        + " --pod-manifest FILE");
            }
            List<AppFlags> groups = AppFlags.parse(image, args);
            apps = new ArrayList<>();
            for (AppFlags app : groups) {
                apps.add(app(app, groups.size(), env));
            }
        }
        try {
            return new PodSpec(apps, hostname, netMode, interactive, insecure, pids, podVolumes, mdsRegister,
                    privateUsers, networking);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** One app's spec: its own flags over the ones given before the first image, over {@code env}. */
    private PodSpec.AppSpec app(AppFlags app, int apps, Map<String, String> env) {
        String ref = invocation().imageRef(app.image);
        StoreImages.localFileProblem(ref).ifPresent(problem -> {
            throw new CliException(problem);
        });
        if (apps > 1 && name != null) {
            throw new CliException("--name before the first image would name every app of the pod: give each image"
                    + " its own --name after it");
        }
        Map<String, String> appEnv = new LinkedHashMap<>(env);
        for (String kv : app.setEnv) {
            putVariable(appEnv, "--set-env of " + app.image, kv);
        }
        String memoryText = or(app.memory, memory);
        String cpuText = or(app.cpu, cpu);
        Set<String> retain = capabilities("--caps-retain", or(app.capsRetain, capsRetain));
        Set<String> remove = capabilities("--caps-remove", or(app.capsRemove, capsRemove));
        if (!retain.isEmpty() && !remove.isEmpty()) {
            throw new CliException("give either --caps-retain (the exact set the app keeps) or --caps-remove"
                    + " (what to take from the default set), not both");
        }
        List<PodSpec.Mount> appMounts = new ArrayList<>();
        for (String m : mounts) {
            appMounts.add(mount(m));
        }
        for (String m : app.mounts) {
            appMounts.add(mount(m));
        }
        String seccompText = or(app.seccomp, seccomp);
        try {
            return new PodSpec.AppSpec(ref, or(app.name, name), or(app.exec, exec), app.args, appEnv,
                    or(app.user, user), or(app.group, group), or(app.workingDir, workingDir),
                    memoryText == null ? null : quantity("--memory", memoryText, false),
                    cpuText == null ? null : quantity("--cpu", cpuText, true), retain, remove,
                    seccompText == null ? null : PodSpec.Seccomp.parse(seccompText),
                    app.readOnlyRootfs != null ? app.readOnlyRootfs : Boolean.TRUE.equals(readOnlyRootfs), appMounts);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static String or(String own, String shared) {
        return own != null ? own : shared;
    }

    /** {@code --volume NAME,kind=host,source=PATH[,readOnly=true][,recursive=true]} or {@code NAME,kind=empty[,mode=,uid=,gid=]}. */
    static PodSpec.Volume volume(String text) {
        String[] parts = text.split(",", -1);
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new CliException("--volume " + text + ": '" + parts[i] + "' is not KEY=VALUE: write e.g. --volume"
                        + " data,kind=host,source=/srv/data or --volume data,kind=empty");
            }
            kv.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        String name = parts[0];
        String kind = kv.remove("kind");
        try {
            if ("host".equals(kind)) {
                String source = kv.remove("source");
                boolean readOnly = bool(text, "readOnly", kv.remove("readOnly"), false);
                String recursiveText = kv.remove("recursive");
                Boolean recursive = recursiveText == null ? null : bool(text, "recursive", recursiveText, true);
                refuseUnknown(text, kv, "source, readOnly, recursive");
                return PodSpec.Volume.host(name, source, readOnly, recursive);
            } else if ("empty".equals(kind)) {
                String mode = kv.remove("mode");
                Long uid = id(text, "uid", kv.remove("uid"));
                Long gid = id(text, "gid", kv.remove("gid"));
                boolean readOnly = bool(text, "readOnly", kv.remove("readOnly"), false);
                refuseUnknown(text, kv, "mode, uid, gid, readOnly");
                return new PodSpec.Volume(name, PodSpec.VolumeKind.EMPTY, null, readOnly, null, mode, uid, gid);
            }
        } catch (IllegalArgumentException e) {
            throw new CliException("--volume " + text + ": " + e.getMessage());
        }
        throw new CliException("--volume " + text + ": kind must be host or empty (kind=" + kind + "), e.g. --volume "
                + name + ",kind=empty");
    }

    /** {@code --mount volume=NAME,target=PATH}. */
    static PodSpec.Mount mount(String text) {
        String volume = null;
        String target = null;
        for (String part : text.split(",", -1)) {
            if (part.startsWith("volume=")) {
                volume = part.substring("volume=".length());
            } else if (part.startsWith("target=")) {
                target = part.substring("target=".length());
            } else {
                throw new CliException("--mount " + text + ": '" + part + "' is not volume=NAME or target=PATH");
            }
        }
        try {
            return new PodSpec.Mount(volume, target);
        } catch (IllegalArgumentException e) {
            throw new CliException("--mount " + text + ": " + e.getMessage());
        }
    }

    private static void refuseUnknown(String text, Map<String, String> rest, String known) {
        if (!rest.isEmpty()) {
            throw new CliException("--volume " + text + ": unknown key " + rest.keySet().iterator().next()
                    + " (this kind takes " + known + ")");
        }
    }

    private static boolean bool(String text, String key, String value, boolean absent) {
        if (value == null) {
            return absent;
        }
        if (!value.equals("true") && !value.equals("false")) {
            throw new CliException("--volume " + text + ": " + key + "=" + value + " is not true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private static Long id(String text, String key, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new CliException("--volume " + text + ": " + key + "=" + value + " is not a number");
        }
    }

    /** {@code --uuid-file-save} must be writable before a pod exists, or the pod would be left behind. */
    private void refuseAnUnwritableUuidFile() {
        if (uuidFileSave == null) {
            return;
        }
        java.nio.file.Path parent = uuidFileSave.toAbsolutePath().getParent();
        if (java.nio.file.Files.isDirectory(uuidFileSave)) {
            throw new CliException("--uuid-file-save " + uuidFileSave + " is a directory: give a file's path");
        }
        if (parent == null || !java.nio.file.Files.isDirectory(parent)) {
            throw new CliException("--uuid-file-save " + uuidFileSave + ": directory " + parent
                    + " does not exist: create it or give another path");
        }
        if (!java.nio.file.Files.isWritable(parent)
                || java.nio.file.Files.exists(uuidFileSave) && !java.nio.file.Files.isWritable(uuidFileSave)) {
            throw new CliException("--uuid-file-save " + uuidFileSave + " cannot be written: give a path you can write");
        }
    }

    private static void putVariable(Map<String, String> env, String where, String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new CliException(where + " wants NAME=VALUE, got '" + kv + "'");
        }
        env.put(kv.substring(0, eq), kv.substring(eq + 1));
    }

    /**
     * One app on the command line, rkt's grammar: its image, the per-app flags after it, and its
     * arguments after {@code --}, up to {@code ---} or the next image.
     */
    static final class AppFlags {
        /** The flags that may follow an image. */
        static final List<String> FLAGS = List.of("--name", "--exec", "--set-env", "--user", "--group", "--working-dir",
                "--mount", "--memory", "--cpu", "--caps-retain", "--caps-remove", "--seccomp", "--readonly-rootfs");

        final String image;
        String name;
        String exec;
        String user;
        String group;
        String workingDir;
        String memory;
        String cpu;
        String capsRetain;
        String capsRemove;
        String seccomp;
        Boolean readOnlyRootfs;
        final List<String> setEnv = new ArrayList<>();
        final List<String> mounts = new ArrayList<>();
        final List<String> args = new ArrayList<>();

        private AppFlags(String image) {
            this.image = image;
        }

        /**
         * The apps of {@code first} and the words after it.
         *
         * @throws CliException naming a flag that is not a per-app one, or one without its value
         */
        static List<AppFlags> parse(String first, List<String> rest) {
            List<AppFlags> apps = new ArrayList<>();
            AppFlags app = new AppFlags(first);
            apps.add(app);
            boolean inArgs = false;
            boolean needImage = false;
            for (int i = 0; i < rest.size(); i++) {
                String word = rest.get(i);
                if (word.equals("---")) {
                    inArgs = false;
                    needImage = true;
                    continue;
                }
                if (needImage || (!inArgs && !word.startsWith("-"))) {
                    if (word.startsWith("-")) {
                        throw new CliException("'---' must be followed by the next app's image, not " + word);
                    }
                    app = new AppFlags(word);
                    apps.add(app);
                    needImage = false;
                    inArgs = false;
                    continue;
                }
                if (inArgs) {
                    app.args.add(word);
                    continue;
                }
                if (word.equals("--")) {
                    inArgs = true;
                    continue;
                }
                int eq = word.indexOf('=');
                String flag = eq < 0 ? word : word.substring(0, eq);
                if (!FLAGS.contains(flag)) {
                    throw new CliException("'" + flag + "' after image " + app.image + " is not a per-app flag ("
                            + String.join(", ", FLAGS) + "): give pod flags before the first image, and the app's"
                            + " arguments after --");
                }
                String value;
                if (eq >= 0) {
                    value = word.substring(eq + 1);
                } else if (flag.equals("--readonly-rootfs")) {
                    value = "true";
                } else if (i + 1 < rest.size()) {
                    value = rest.get(++i);
                } else {
                    throw new CliException(flag + " after image " + app.image + " needs a value");
                }
                app.set(flag, value);
            }
            if (needImage) {
                throw new CliException("'---' at the end: it must be followed by the next app's image");
            }
            return apps;
        }

        private void set(String flag, String value) {
            switch (flag) {
                case "--name" -> name = value;
                case "--exec" -> exec = value;
                case "--set-env" -> setEnv.add(value);
                case "--user" -> user = value;
                case "--group" -> group = value;
                case "--working-dir" -> workingDir = value;
                case "--mount" -> mounts.add(value);
                case "--memory" -> memory = value;
                case "--cpu" -> cpu = value;
                case "--caps-retain" -> capsRetain = value;
                case "--caps-remove" -> capsRemove = value;
                case "--seccomp" -> seccomp = value;
                case "--readonly-rootfs" -> {
                    if (!value.equals("true") && !value.equals("false")) {
                        throw new CliException("--readonly-rootfs=" + value + " after image " + image
                                + " is not true or false");
                    }
                    readOnlyRootfs = Boolean.parseBoolean(value);
                }
                default -> throw new IllegalStateException(flag);
            }
        }
    }

    private static Set<String> capabilities(String flag, String list) {
        if (list == null) {
            return Set.of();
        }
        Set<String> names = new LinkedHashSet<>();
        try {
            LinuxCapability.parseList(flag, list).forEach(c -> names.add(c.name()));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        return names;
    }

    private static long pidsLimit(String text) {
        long n;
        try {
            n = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n <= 0 || n > MAX_PIDS) {
            throw new CliException("--pids-limit " + text + " is not a number of processes: give a whole number"
                    + " from 1 to " + MAX_PIDS + ", e.g. --pids-limit=1024");
        }
        return n;
    }

    private static long quantity(String flag, String text, boolean millis) {
        try {
            Quantity q = Quantity.parse(text);
            long value = millis ? q.toMillisExact() : q.toLongExact();
            if (value <= 0) {
                throw new IllegalArgumentException("must be more than 0");
            }
            return value;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CliException(flag + " " + text + " is not a valid quantity (" + e.getMessage()
                    + "): use e.g. " + (millis ? "500m or 2" : "64M, 512Mi or 1G"));
        }
    }
}
