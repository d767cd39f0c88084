package dev.rkj.api.cli;

/**
 * SIGTERM and SIGINT as a request to stop, handled by the command itself (rather than by shutdown
 * hooks, during which the command could not return its exit code).
 */
final class Signals {
    private Signals() {}

    @SuppressWarnings("restriction")
    static void onTermination(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run());
        }
    }
}
