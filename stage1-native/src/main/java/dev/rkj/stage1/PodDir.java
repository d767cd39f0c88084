package dev.rkj.stage1;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The one owner of a pod directory's layout ({@code <data dir>/pods/<uuid>/}): every name in it
 * is spelled here and only here on the Java side. rkj-stage1 reads the same names from
 * {@code src/main/c/pod_dir.h}, whose {@code POD_DIR_<NAME>} defines must equal this class's
 * {@code public static final String} constants of the same name ({@code PodDirHeaderTest} fails
 * on any drift).
 *
 * <pre>
 *   pod              the reified appc pod manifest (written at prepare)
 *   stage1-plan      what rkj-stage1 runs (written at launch; read again by enter)
 *   lock             flock'ed by rkj-stage1 for the life of the pod
 *   pid              the pod's PID 1 in the host PID namespace (.pid.tmp, then rename)
 *   status/APP       "code=N [signal=S]", written when the app ends
 *   logs/APP         the app's stdout and stderr (an interactive app's: its pty's output), CRI log
 *                    records (rotated to logs/APP.1 at a cap)
 *   attach           an interactive pod's attach socket (protocol: rkj-stage1.c), while the app runs
 *   rootfs/          the pod's root filesystem: an overlay of the rendered image tree (one app);
 *                    a plain directory with each app's overlay at opt/stage2/APP/rootfs (several)
 *   overlay/upper/   the overlay's upper layer (the pod's writes)
 *   overlay/work/    the overlay's work directory
 *   overlay/apps/APP/upper/, work/   each app's overlay directories (pods of several apps)
 * </pre>
 *
 * @param path the pod directory
 */
public record PodDir(Path path) {
    /** The pod manifest (as rkt's). */
    public static final String MANIFEST = "pod";
    /** stage1's plan. */
    public static final String PLAN = "stage1-plan";
    /** The pod lock, held by its stage1 while the pod runs. */
    public static final String LOCK = "lock";
    /** The pod's PID 1, as a decimal line. */
    public static final String PID = "pid";
    /** The temporary name the pid file is written under before its rename. */
    public static final String PID_TMP = ".pid.tmp";
    /** The directory of the apps' exit statuses. */
    public static final String STATUS = "status";
    /** The directory of the apps' logs. */
    public static final String LOGS = "logs";
    /** What an app's log is renamed to when it reaches its cap: {@code logs/<app>.1}. */
    public static final String ROTATED_LOG_SUFFIX = ".1";
    /** An interactive pod's attach socket: its pty's output, framed input and window sizes. */
    public static final String ATTACH = "attach";
    /** The pod's root filesystem mount point. */
    public static final String ROOTFS = "rootfs";
    /** The directory of the overlay's own directories. */
    public static final String OVERLAY = "overlay";
    /** The overlay's upper directory, below {@link #OVERLAY}. */
    public static final String OVERLAY_UPPER = "upper";
    /** The overlay's work directory, below {@link #OVERLAY}. */
    public static final String OVERLAY_WORK = "work";

    /** The pod's network state: its network namespace file and the CNI results, one file a network. */
    public static final String NET = "net";
    /** In {@link #NET}: the pod's network namespace, a bind-mounted nsfs file. */
    public static final String NET_NS = "netns";

    public PodDir {
        Objects.requireNonNull(path, "path");
    }

    /** The pod directory {@code <podsDir>/<uuid>}. */
    public static PodDir of(Path podsDir, String uuid) {
        return new PodDir(podsDir.resolve(uuid));
    }

    public Path manifest() {
        return path.resolve(MANIFEST);
    }

    public Path plan() {
        return path.resolve(PLAN);
    }

    public Path lock() {
        return path.resolve(LOCK);
    }

    public Path pid() {
        return path.resolve(PID);
    }

    public Path statusDir() {
        return path.resolve(STATUS);
    }

    /** {@code status/<app>}. */
    public Path status(String app) {
        return statusDir().resolve(app);
    }

    public Path logsDir() {
        return path.resolve(LOGS);
    }

    /** {@code logs/<app>}. */
    public Path log(String app) {
        return logsDir().resolve(app);
    }

    /** {@code logs/<app>.1}: the older part of the app's log, once it was rotated. */
    public Path rotatedLog(String app) {
        return logsDir().resolve(app + ROTATED_LOG_SUFFIX);
    }

    /** The attach socket of an interactive pod, there while its app runs. */
    public Path attach() {
        return path.resolve(ATTACH);
    }

    public Path netDir() {
        return path.resolve(NET);
    }

    /** The pod's network namespace file (bind-mounted while the namespace exists). */
    public Path netns() {
        return netDir().resolve(NET_NS);
    }

    public Path rootfs() {
        return path.resolve(ROOTFS);
    }

    public Path upperDir() {
        return path.resolve(OVERLAY).resolve(OVERLAY_UPPER);
    }

    public Path workDir() {
        return path.resolve(OVERLAY).resolve(OVERLAY_WORK);
    }

    /**
     * Where the app {@code app} of a pod of several apps has its root inside the pod's rootfs,
     * rkt's layout: {@code /opt/stage2/<app>/rootfs}. A pod of one app has the pod's root as its own.
     */
    public static String appRoot(String app) {
        return "/opt/stage2/" + app + "/rootfs";
    }

    /** The app's root on the host: {@code rootfs/opt/stage2/<app>/rootfs} (pods of several apps). */
    public Path appRootfs(String app) {
        return rootfs().resolve(appRoot(app).substring(1));
    }

    /** The upper directory of the app's overlay, {@code overlay/apps/<app>/upper} (pods of several apps). */
    public Path appUpperDir(String app) {
        return path.resolve(OVERLAY).resolve("apps").resolve(app).resolve(OVERLAY_UPPER);
    }

    /** The work directory of the app's overlay, {@code overlay/apps/<app>/work} (pods of several apps). */
    public Path appWorkDir(String app) {
        return path.resolve(OVERLAY).resolve("apps").resolve(app).resolve(OVERLAY_WORK);
    }

    @Override
    public String toString() {
        return path.toString();
    }

    /** Every name of the layout by constant name ({@code LOCK -> lock}), for the header check. */
    public static Map<String, String> names() {
        Map<String, String> names = new TreeMap<>();
        for (Field f : PodDir.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class) {
                try {
                    names.put(f.getName(), (String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("PodDir." + f.getName() + " cannot be read", e);
                }
            }
        }
        return names;
    }
}
