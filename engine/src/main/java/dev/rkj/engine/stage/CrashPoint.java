package dev.rkj.engine.stage;

import java.util.Locale;

/**
 * Test-only crash switch: an engine configured with a crash point ({@code EngineConfig.crashAt})
 * halts the JVM there with status 137, as {@code kill -9} would, so tests can check that a
 * restarted engine recovers from a crash at that exact place. Never armed outside tests; library
 * code never reads it from the environment (a test's own main may, and passes it in).
 *
 * <p>The points, in the order a pod meets them:
 * <pre>
 * after-created            PodCreated appended (with LaunchRequested for rkj run), no stage has run
 * after-resolved           ImageResolved appended (fetch done)
 * after-verified           ImageVerified appended
 * after-rendered           ImageRendered appended
 * after-prepared           PodPrepared appended: pod dir, manifest and rootfs mount exist
 * after-launch-requested   LaunchRequested appended by run-prepared, nothing launched yet
 * after-network-setup      the pod's CNI networks are set up (namespace, veth, IPAM lease), stage1 not spawned
 * before-started-recorded  stage1 runs the apps, PodStarted not yet appended
 * after-started            PodStarted appended
 * before-exit-recorded     the pod's end was seen, nothing of it released or recorded
 * after-exit-recorded      PodExited appended
 * before-deleted-recorded  the pod's directory was deleted, PodDeleted not yet appended
 * </pre>
 */
public enum CrashPoint {
    AFTER_CREATED,
    AFTER_RESOLVED,
    AFTER_VERIFIED,
    AFTER_RENDERED,
    AFTER_PREPARED,
    AFTER_LAUNCH_REQUESTED,
    AFTER_NETWORK_SETUP,
    BEFORE_STARTED_RECORDED,
    AFTER_STARTED,
    BEFORE_EXIT_RECORDED,
    AFTER_EXIT_RECORDED,
    BEFORE_DELETED_RECORDED;

    /** The exit status of a crash, as after {@code kill -9}. */
    public static final int STATUS = 137;

    /** The point's name, e.g. {@code after-created}. */
    public String pointName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static volatile Runnable crash = () -> Runtime.getRuntime().halt(STATUS);

    /** Halts the JVM at once if {@code armed} (the engine's configured point, or null) is this point. */
    public void reached(CrashPoint armed) {
        if (armed == this) {
            crash.run();
            Runtime.getRuntime().halt(STATUS);
        }
    }

    /**
     * How a test's own main crashes its engine: a SIGKILL of the process stops every thread at once,
     * where {@link Runtime#halt} lets other threads run on until the JVM reaches a safepoint.
     */
    public static void crashWith(Runnable kill) {
        crash = java.util.Objects.requireNonNull(kill, "kill");
    }

    /** The point named {@code name}, or null if there is none (or {@code name} is null). */
    public static CrashPoint named(String name) {
        if (name == null) {
            return null;
        }
        for (CrashPoint point : values()) {
            if (point.pointName().equals(name.trim())) {
                return point;
            }
        }
        return null;
    }
}
