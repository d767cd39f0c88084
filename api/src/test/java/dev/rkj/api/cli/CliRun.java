package dev.rkj.api.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process {@code rkj} invocation: its exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        return of(java.util.function.UnaryOperator.identity(), args);
    }

    /** One invocation of the {@link Cli} that {@code setup} makes of the plain one (e.g. {@link Cli#discoveringAt}). */
    static CliRun of(java.util.function.UnaryOperator<Cli> setup, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = setup.apply(new Cli(o, e)).execute(args);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code rkj --dir DATA ARGS...}, in-process. */
    static CliRun in(java.nio.file.Path data, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return of(all);
    }

    /** After a class of pods: removes rkj's cgroup parent when no pod is left in it (as root only). */
    static void removeCgroupParentIfEmpty() throws java.io.IOException {
        if (dev.rkj.testsupport.Privileged.isRoot()) {
            new dev.rkj.stage1.cgroup.Cgroups(dev.rkj.stage1.kernel.LinuxKernel.get(),
                    dev.rkj.stage1.cgroup.CgroupLayout.detect(), dev.rkj.engine.host.HostEngine.CGROUP_PARENT)
                    .removeParentIfEmpty();
        }
    }

    /** stderr holds exactly one line: the error, without a stack trace. */
    boolean oneLineError() {
        return err.strip().lines().count() == 1 && err.startsWith("rkj: ") && !err.contains("\tat ");
    }
}
