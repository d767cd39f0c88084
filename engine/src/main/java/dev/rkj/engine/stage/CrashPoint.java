package dev.rkj.engine.stage;

import java.util.Locale;

/**
 * Test-only crash switch: with the environment variable {@code RKJ_CRASH_AT} set to a point's
 * name, the engine halts the JVM there with status 137, as {@code kill -9} would, so tests can
 * check that a restarted engine recovers from a crash at that exact place. Unset (always, outside
 * tests) it costs one comparison with a constant null.
 *
 * <p>The points, in the order a pod meets them:
 * <pre>
 * after-created            PodCreated appended, no stage has run
 * after-resolved           ImageResolved appended (fetch done)
 * after-verified           ImageVerified appended
 * after-rendered           ImageRendered appended
 * after-prepared           PodPrepared appended: pod dir, manifest and rootfs mount exist
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
    BEFORE_STARTED_RECORDED,
    AFTER_STARTED,
    BEFORE_EXIT_RECORDED,
    AFTER_EXIT_RECORDED,
    BEFORE_DELETED_RECORDED;

    /** The environment variable that arms a point. */
    public static final String ENV = "RKJ_CRASH_AT";

    /** The exit status of a crash, as after {@code kill -9}. */
    public static final int STATUS = 137;

    private static final CrashPoint ARMED = parse(System.getenv(ENV));

    /** The point's name as {@code RKJ_CRASH_AT} takes it, e.g. {@code after-created}. */
    public String pointName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Halts the JVM at once if this point is armed; otherwise does nothing. */
    public void reached() {
        if (ARMED == this) {
            Runtime.getRuntime().halt(STATUS);
        }
    }

    /** The point named {@code name}, or null if there is none (or {@code name} is null). */
    static CrashPoint parse(String name) {
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
