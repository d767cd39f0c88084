package dev.rkj.stage1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Collectors;

/**
 * Writes a {@link Stage1Plan} in the format rkj-stage1 reads (see plan.c): one
 * {@code key value} per line, a backslash and a newline in a value escaped as {@code \\} and
 * {@code \n}. NUL cannot be passed to a process, so a value holding one is refused. Every
 * default is written out (rkj-stage1 has none): hostname, capabilities, the whole environment,
 * the exit status base of a signalled app ({@link ExitStatus#SIGNAL_BASE}).
 */
public final class Stage1PlanWriter {
    /** The plan format's version (PLAN_VERSION in rkj-stage1.h); rkj-stage1 also reads 2 to 4, for pods an older rkj started. */
    public static final int VERSION = 5;

    /**
     * The {@code --private-users} range a plan file holds, if any; none for a missing or
     * unreadable file (a pod being made or removed).
     */
    public static java.util.Optional<Stage1Plan.PrivateUsers> privateUsers(Path planFile) {
        long shift = 0;
        long count = 0;
        try (var lines = Files.lines(planFile, StandardCharsets.UTF_8)) {
            for (String l : (Iterable<String>) lines::iterator) {
                if (l.startsWith("uid_shift ")) {
                    shift = Long.parseLong(l.substring(10));
                } else if (l.startsWith("uid_count ")) {
                    count = Long.parseLong(l.substring(10));
                } else if (l.startsWith("app ")) {
                    break; // the pod's keys come first
                }
            }
        } catch (IOException | java.io.UncheckedIOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
        try {
            return shift == 0 ? java.util.Optional.empty() : java.util.Optional.of(new Stage1Plan.PrivateUsers(shift, count));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    /** The plan as text. */
    public String format(Stage1Plan plan) {
        StringBuilder out = new StringBuilder(512);
        line(out, "version", Integer.toString(VERSION));
        line(out, "uuid", plan.uuid());
        line(out, "pod_dir", plan.podDir().toString());
        line(out, "rootfs", plan.rootfs().toString());
        line(out, "hostname", plan.hostname());
        line(out, "net", plan.net() == Stage1Plan.NetMode.HOST ? "host" : "private");
        if (plan.network() != null && plan.network().netns() != null) {
            line(out, "netns", plan.network().netns().toString());
        }
        line(out, "interactive", plan.interactive() ? "1" : "0");
        line(out, "masked_paths", plan.maskPaths() ? "1" : "0");
        line(out, "signal_base", Integer.toString(ExitStatus.SIGNAL_BASE));
        line(out, "log_max_size", Long.toString(plan.logMaxSize()));
        line(out, "stop_grace_ms", Long.toString(plan.stopGraceMillis()));
        plan.cgroupProcs().forEach(p -> line(out, "cgroup_procs", p.toString()));
        if (plan.mdsRelay() != null) { // version 4
            line(out, "mds_port", Integer.toString(plan.mdsRelay().port()));
            line(out, "mds_socket", plan.mdsRelay().socket().toString());
        }
        if (plan.privateUsers() != null) {
            line(out, "uid_shift", Long.toString(plan.privateUsers().shift()));
            line(out, "uid_count", Long.toString(plan.privateUsers().count()));
        }
        for (Stage1Plan.App app : plan.apps()) {
            line(out, "app", app.name());
            line(out, "root", app.root());
            app.argv().forEach(a -> line(out, "arg", a));
            app.environment().forEach(e -> line(out, "env", e));
            if (app.user() != null) {
                line(out, "user", app.user());
            }
            if (app.group() != null) {
                line(out, "group", app.group());
            }
            app.supplementaryGroups().forEach(g -> line(out, "supp_group", g));
            line(out, "workdir", app.workingDirectory());
            line(out, "caps", app.capabilities().stream().sorted()
                    .map(c -> Integer.toString(c.number())).collect(Collectors.joining(",")));
            line(out, "no_new_privs", app.noNewPrivileges() ? "1" : "0");
            seccomp(out, app.seccomp());
            if (app.oomScoreAdj() != null) {
                line(out, "oom_score_adj", app.oomScoreAdj().toString());
            }
            app.cgroupProcs().forEach(p -> line(out, "cgroup_procs", p.toString()));
            line(out, "readonly_root", app.readOnlyRoot() ? "1" : "0");
            app.preStart().forEach(a -> line(out, "pre_start", a));
            app.postStop().forEach(a -> line(out, "post_stop", a));
            for (Stage1Plan.Mount m : app.mounts()) {
                line(out, "mount", m.source().toString());
                line(out, "mount_target", m.target());
                line(out, "mount_readonly", m.readOnly() ? "1" : "0");
                line(out, "mount_recursive", m.recursive() ? "1" : "0");
            }
        }
        return out.toString();
    }

    /** Writes {@link Stage1Plan#planFile()} atomically (temp file, then rename). */
    public Path write(Stage1Plan plan) throws IOException {
        Path file = plan.planFile();
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, format(plan), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private static void seccomp(StringBuilder out, Stage1Plan.Seccomp filter) {
        switch (filter.mode()) {
            case NONE -> line(out, "seccomp", "0");
            case DEFAULT -> line(out, "seccomp", "1");
            case RETAIN, REMOVE -> {
                line(out, "seccomp", filter.mode() == Stage1Plan.Seccomp.Mode.RETAIN ? "retain" : "remove");
                line(out, "seccomp_base", filter.withinDefault() ? "1" : "0");
                line(out, "seccomp_errno", Integer.toString(filter.errno()));
                filter.syscalls().forEach(s -> line(out, "syscall", s));
            }
        }
    }

    private static void line(StringBuilder out, String key, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("plan value for `" + key + "` contains a NUL byte, which a process"
                    + " argument, environment or path cannot hold: " + value.replace("\0", "\\0"));
        }
        out.append(key).append(' ').append(value.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
    }
}
