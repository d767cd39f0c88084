package dev.rkj.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Pools for the engine's small blocking side tasks (reading a plugin's stderr, a pod's end): cached
 * daemon threads that are reused, never holding the JVM open. CompletableFuture's own default is no
 * pool at all on a machine of 2 CPUs or fewer (a new thread per task), so async steps name one of these.
 */
public final class DaemonPools {
    private DaemonPools() {
    }

    /** A cached pool whose threads are daemons called {@code threadName}. */
    public static ExecutorService cached(String threadName) {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }
}
