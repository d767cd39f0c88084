package dev.rkj.api.cli;

import dev.rkj.engine.appc.LinuxCapability;
import dev.rkj.engine.appc.Quantity;
import dev.rkj.engine.host.StoreImages;
import dev.rkj.engine.Grantor;
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
 * The flags {@code rkj run} and {@code rkj prepare} share (rkt's names), and the pod spec they make.
 * {@code --name}, {@code --user}, {@code --group} and {@code --working-dir} are the single-image
 * form: they apply to the pod's one app.
 */
@picocli.CommandLine.Command(footer = {"", "Examples:",
    "  rkj run --insecure-options=image app.aci -- -v     # the image's exec, plus -v",
    "  rkj run --name=web --user=1000 --group=1000 --working-dir=/tmp app.aci",
    "  rkj prepare --exec=/bin/sh app.aci -- -c 'id; pwd'",
    "  rkj run -d app.aci                                 # print the pod's UUID and return (rkj logs UUID)"})
final class PodOptions {
    /** The most processes {@code --pids-limit} accepts: the kernel's PID_MAX_LIMIT. */
    static final long MAX_PIDS = 4_194_304;

    @Option(names = "--insecure-options", paramLabel = "OPTS", defaultValue = "none",
            description = "comma-separated security checks to skip: none, image, tls, http, pubkey, ondisk,"
                    + " capabilities (every capability), paths (no masked /proc and /sys paths), seccomp (no filter),"
                    + " all, all-fetch, all-run")
    String insecureOptions;

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

    @Option(names = "--net", paramLabel = "NET", defaultValue = "none",
            description = "the pod's network: none (private namespace with only lo, the default here), host")
    String net;

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

    @Option(names = "--uuid-file-save", paramLabel = "FILE", description = "write the pod's UUID to FILE")
    java.nio.file.Path uuidFileSave;

    @Parameters(index = "0", paramLabel = "IMAGE",
            description = "an .aci file, an image ID (or prefix), or a name[,label=value...] in the store")
    String image;

    @Parameters(index = "1..*", paramLabel = "ARGS",
            description = "after --: arguments added to the image's exec (or to --exec's command), as rkt does")
    List<String> args = new ArrayList<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Whose command line this is (see {@link Invocation}); this process's when these options stand alone. */
    Invocation invocation() {
        Object root = command == null ? null : command.root().userObject();
        return root instanceof RkjCommand r ? r.invocation() : Invocation.local();
    }

    PodSpec spec() {
        image = invocation().imageRef(image);
        refuseASecondImage();
        refuseAnUnwritableUuidFile();
        StoreImages.localFileProblem(image).ifPresent(problem -> {
            throw new CliException(problem);
        });
        Set<PodSpec.InsecureOption> insecure;
        PodSpec.NetMode netMode;
        try {
            insecure = PodSpec.InsecureOption.parseList(insecureOptions);
            netMode = PodSpec.NetMode.parse(net);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        if (netMode == PodSpec.NetMode.DEFAULT) {
            throw new CliException("--net=default needs CNI networking, which rkj does not have yet: use --net=none or --net=host");
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
        Long memoryBytes = memory == null ? null : quantity("--memory", memory, false);
        Long cpuMillis = cpu == null ? null : quantity("--cpu", cpu, true);
        Set<String> retain = capabilities("--caps-retain", capsRetain);
        Set<String> remove = capabilities("--caps-remove", capsRemove);
        if (!retain.isEmpty() && !remove.isEmpty()) {
            throw new CliException("give either --caps-retain (the exact set the app keeps) or --caps-remove"
                    + " (what to take from the default set), not both");
        }
        Long pids = pidsLimit == null ? null : pidsLimit(pidsLimit);
        try {
            return new PodSpec(image, exec, List.copyOf(args), env, hostname, netMode, memoryBytes, cpuMillis,
                    interactive, insecure, retain, remove, pids, name, user, group, workingDir);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
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
     * rkt's grammar: only what follows {@code --} is the app's arguments; a word after the image
     * and before {@code --} would be a second image (a second app), never silently an argument.
     */
    private void refuseASecondImage() {
        if (args.isEmpty() || command == null) {
            return; // (command is null only when the options are parsed alone, as a test does)
        }
        List<String> original = command.commandLine().getParseResult().originalArgs();
        int dashes = original.indexOf("--");
        int afterDashes = dashes < 0 ? 0 : original.size() - dashes - 1;
        if (args.size() > afterDashes) {
            String second = args.get(0);
            throw new CliException("'" + second + "' after the image would be a second app, and pods of several"
                    + " apps are not supported yet: to pass it to the app, put it after -- (rkj " + command.name()
                    + " IMAGE -- " + second + ")");
        }
        if (args.contains("---")) {
            throw new CliException("'---' ends one app's arguments before the next app's image, and pods of several"
                    + " apps are not supported yet: give one image and its arguments after --");
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
