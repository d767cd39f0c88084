package dev.rkj.engine.pod;

import dev.rkj.engine.appc.AcName;
import dev.rkj.engine.appc.LinuxCapability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the user asked for when creating a pod ({@code rkj run} / {@code rkj prepare}): one image
 * and the options rkt offers for it. Part of {@link PodEvent.PodCreated}, so its shape is wire
 * format: add fields only with a new event version.
 *
 * <p>This is the single-image form: one image makes one app, and the app-level overrides
 * ({@code exec}, {@code args}, {@code env}, {@code appName}, {@code user}, {@code group},
 * {@code workingDir}) apply to that app. Pods of several apps, each with its own flags, will need
 * a per-app form of these fields in a later version.
 *
 * @param imageRef         the image exactly as the user named it: a name with labels
 *                         ({@code example.com/app:v1.0}), an image id ({@code sha512-...}), a
 *                         file or a URL
 * @param exec             the executable to run instead of the image's ({@code --exec}), an
 *                         absolute path, or {@code null} for the image's own
 * @param args             the app's arguments (after {@code --}); empty means the image's own
 * @param env              environment overrides ({@code --set-env}), applied over the image's
 * @param hostname         the pod's hostname ({@code --hostname}), or {@code null} for the default
 * @param net              the pod's network ({@code --net})
 * @param memoryLimitBytes the memory limit ({@code --memory}) in bytes, or {@code null} for none
 * @param cpuLimitMillis   the CPU limit ({@code --cpu}) in millicores, or {@code null} for none
 * @param interactive      the app gets the terminal ({@code --interactive})
 * @param insecureOptions  the security checks the user switched off ({@code --insecure-options})
 * @param capsRetain       the capabilities the user grants the apps ({@code --caps-retain}), by their
 *                         {@code CAP_*} names: exactly the apps' bounding set, in place of the
 *                         image's capability isolators; empty for none given. Added in
 *                         {@code pod.created/2}
 * @param capsRemove       the capabilities the user takes from the default set ({@code --caps-remove}),
 *                         in place of the image's capability isolators; empty for none given. Added
 *                         in {@code pod.created/2}
 * @param pidsLimit        the most processes the pod may have ({@code --pids-limit}), or {@code null}
 *                         for rkj's default. Added in {@code pod.created/2}
 * @param appName          the app's name in the pod ({@code --name}), an AC Name, or {@code null} for
 *                         the one derived from the image's name. Added in {@code pod.created/3}
 * @param user             the user the app runs as ({@code --user}): a uid, a name in the image's
 *                         {@code /etc/passwd} or (appc) an absolute path whose owner it is; {@code null}
 *                         for the image's. Added in {@code pod.created/3}
 * @param group            the app's group ({@code --group}): a gid, a name in the image's
 *                         {@code /etc/group} or an absolute path; {@code null} for the image's. Added in
 *                         {@code pod.created/3}
 * @param workingDir       the app's working directory ({@code --working-dir}), an absolute path, or
 *                         {@code null} for the image's. Added in {@code pod.created/3}
 */
public record PodSpec(
        String imageRef,
        String exec,
        List<String> args,
        Map<String, String> env,
        String hostname,
        NetMode net,
        Long memoryLimitBytes,
        Long cpuLimitMillis,
        boolean interactive,
        Set<InsecureOption> insecureOptions,
        Set<String> capsRetain,
        Set<String> capsRemove,
        Long pidsLimit,
        String appName,
        String user,
        String group,
        String workingDir) {

    /** The largest hostname Linux accepts (HOST_NAME_MAX). */
    private static final int MAX_HOSTNAME = 64;

    public PodSpec {
        if (imageRef == null || imageRef.isBlank()) {
            throw new IllegalArgumentException("pod spec: the image reference is empty (name an image, an image id or a file)");
        }
        if (exec != null && !exec.startsWith("/")) {
            throw new IllegalArgumentException("pod spec: exec \"" + exec + "\" is not an absolute path (appc requires one, e.g. /bin/sh)");
        }
        args = copyArgs(args);
        env = copyEnv(env);
        if (hostname != null && !isHostname(hostname)) {
            throw new IllegalArgumentException("pod spec: hostname \"" + hostname + "\" is not valid (1-" + MAX_HOSTNAME
                    + " letters, digits, '-' and '.', not starting or ending with '-' or '.')");
        }
        net = net == null ? NetMode.DEFAULT : net;
        if (memoryLimitBytes != null && memoryLimitBytes <= 0) {
            throw new IllegalArgumentException("pod spec: memory limit " + memoryLimitBytes + " bytes is not positive (omit it for no limit)");
        }
        if (cpuLimitMillis != null && cpuLimitMillis <= 0) {
            throw new IllegalArgumentException("pod spec: CPU limit " + cpuLimitMillis + " millicores is not positive (omit it for no limit)");
        }
        EnumSet<InsecureOption> options = EnumSet.noneOf(InsecureOption.class);
        if (insecureOptions != null) {
            options.addAll(insecureOptions);
        }
        insecureOptions = Collections.unmodifiableSet(options);
        capsRetain = copyCapabilities(capsRetain, "--caps-retain");
        capsRemove = copyCapabilities(capsRemove, "--caps-remove");
        if (!capsRetain.isEmpty() && !capsRemove.isEmpty()) {
            throw new IllegalArgumentException("pod spec: give either --caps-retain (the exact set to keep) or"
                    + " --caps-remove (what to take from the default set), not both");
        }
        if (pidsLimit != null && pidsLimit <= 0) {
            throw new IllegalArgumentException("pod spec: pids limit " + pidsLimit + " is not positive (omit it for the default)");
        }
        if (appName != null) {
            try {
                AcName.parse(appName);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pod spec: app name (--name) " + e.getMessage());
            }
        }
        requireOwner(user, "user (--user)", "a uid such as 1000 or a name in the image's /etc/passwd");
        requireOwner(group, "group (--group)", "a gid such as 1000 or a name in the image's /etc/group");
        if (workingDir != null && (!workingDir.startsWith("/") || hasControl(workingDir))) {
            throw new IllegalArgumentException("pod spec: working directory (--working-dir) " + quote(workingDir)
                    + " is not an absolute path: give one such as /tmp");
        }
    }

    /** A spec with the options of {@code pod.created/2}: the image's app name, user, group and working directory. */
    public PodSpec(String imageRef, String exec, List<String> args, Map<String, String> env, String hostname,
                   NetMode net, Long memoryLimitBytes, Long cpuLimitMillis, boolean interactive,
                   Set<InsecureOption> insecureOptions, Set<String> capsRetain, Set<String> capsRemove, Long pidsLimit) {
        this(imageRef, exec, args, env, hostname, net, memoryLimitBytes, cpuLimitMillis, interactive, insecureOptions,
                capsRetain, capsRemove, pidsLimit, null, null, null, null);
    }

    /** A spec with the options of {@code pod.created/1}: no capability flags and the default pids limit. */
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

    /** This spec with the user's capability flags: {@code --caps-retain} and {@code --caps-remove}. */
    public PodSpec withCapabilities(Set<String> retain, Set<String> remove) {
        return new PodSpec(imageRef, exec, args, env, hostname, net, memoryLimitBytes, cpuLimitMillis, interactive,
                insecureOptions, retain, remove, pidsLimit, appName, user, group, workingDir);
    }

    /** This spec with the pod's process limit ({@code --pids-limit}); {@code null} for the default. */
    public PodSpec withPidsLimit(Long limit) {
        return new PodSpec(imageRef, exec, args, env, hostname, net, memoryLimitBytes, cpuLimitMillis, interactive,
                insecureOptions, capsRetain, capsRemove, limit, appName, user, group, workingDir);
    }

    /**
     * This spec with the app's overrides ({@code --name}, {@code --user}, {@code --group},
     * {@code --working-dir}); {@code null} keeps the image's.
     */
    public PodSpec withApp(String name, String appUser, String appGroup, String directory) {
        return new PodSpec(imageRef, exec, args, env, hostname, net, memoryLimitBytes, cpuLimitMillis, interactive,
                insecureOptions, capsRetain, capsRemove, pidsLimit, name, appUser, appGroup, directory);
    }

    /**
     * The capabilities of {@code --caps-retain} outside appc's default set
     * ({@link LinuxCapability#DEFAULT_SET}): what the user grants beyond the default.
     */
    public Set<String> grantedCapabilities() {
        Set<String> granted = new TreeSet<>(capsRetain);
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

    private static void requireOwner(String value, String what, String example) {
        if (value != null && (value.isEmpty() || hasControl(value) || value.indexOf(':') >= 0)) {
            throw new IllegalArgumentException("pod spec: " + what + " " + quote(value) + " is not valid: give "
                    + example);
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

    /** The pod's network, as rkt's {@code --net}. Constant names are wire format. */
    public enum NetMode {
        /** The CNI default network: a private network namespace with a veth (rkt's default). */
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
