package dev.rkj.api;

/**
 * The {@code rkj} entry point, and the only place that picks an exit code: the command goes to the
 * daemon when its socket answers ({@link ThinClient}, JDK classes only), else it runs in this
 * process ({@link InProcess}) exactly as without a daemon.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws java.io.IOException {
        String training = System.getProperty("rkj.cds-training");
        if (training != null) { // at package time only: see CdsTraining
            CdsTraining.run(java.nio.file.Path.of(training));
            System.exit(0);
        }
        int code = ThinClient.run(args);
        if (code == ThinClient.IN_PROCESS) {
            Thread.setDefaultUncaughtExceptionHandler(Main::uncaught);
            code = InProcess.run(args);
        }
        System.exit(code);
    }

    /**
     * A thread of the in-process engine died. A worker finishing while the engine shuts down (after the
     * command's answer, e.g. {@code run --detach}) finds its event loop gone: that callback had nothing left to
     * do, so it is dropped. Anything else is one line, never a stack trace.
     */
    private static void uncaught(Thread thread, Throwable e) {
        if (e instanceof java.util.concurrent.RejectedExecutionException) {
            return;
        }
        System.err.println("rkj: internal error in thread " + thread.getName() + ": "
                + java.util.Objects.requireNonNullElse(e.getMessage(), "no detail") + " (please report it)");
    }
}
