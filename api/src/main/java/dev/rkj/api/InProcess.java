package dev.rkj.api;

import dev.rkj.api.cli.Cli;

/** {@code rkj} run in this process, with the engine embedded: when no daemon takes the command ({@link Main}). */
final class InProcess {
    private InProcess() {}

    static int run(String[] args) {
        // Chronicle Queue phones home unless told not to; set before any of its classes load.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        int code = new Cli(System.out, System.err).execute(args);
        System.out.flush();
        return code;
    }
}
