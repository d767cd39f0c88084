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
            code = InProcess.run(args);
        }
        System.exit(code);
    }
}
