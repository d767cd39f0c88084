package dev.rkj.api;

import dev.rkj.api.cli.Cli;

/** The {@code rkj} entry point: the only place that picks an exit code. */
public final class Main {
    static {
        // Chronicle Queue phones home unless told not to; set before any of its classes load.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    private Main() {}

    public static void main(String[] args) {
        int code = new Cli(System.out, System.err).execute(args);
        System.out.flush();
        System.exit(code);
    }
}
