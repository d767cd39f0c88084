package dev.rkj.engine.image;

import java.nio.charset.StandardCharsets;

/**
 * The limits on paths inside an image's rootfs, checked at fetch for every entry, so that no
 * later walk of the tree (render, copy, delete, the pod's own lookups) meets a path it cannot
 * handle, and no small archive can make those walks expensive.
 *
 * <ul>
 *   <li>{@link #MAX_PATH_BYTES}: Linux's {@code PATH_MAX} (4096 bytes, the terminating NUL
 *       included). The app names a file by its absolute path, so {@code "/" + path} must fit:
 *       at most 4095 bytes. A longer path could exist on disk but no program in the pod could
 *       open it by name.</li>
 *   <li>{@link #MAX_DEPTH}: 256 components. Linux has no depth limit of its own (PATH_MAX
 *       allows up to 2048 one-letter components); real images stay far below 100 (deep
 *       {@code node_modules} trees reach a few dozen). 256 keeps the recursive walks of a tree
 *       (render, copy, removal) shallow.</li>
 *   <li>{@link #MAX_SYMLINK_TARGET_BYTES}: 4095 bytes, what {@code symlink(2)} accepts.</li>
 * </ul>
 */
public final class PathLimits {
    /** Linux's PATH_MAX, terminating NUL included. */
    public static final int MAX_PATH_BYTES = 4096;
    /** The most components of a path below rootfs. */
    public static final int MAX_DEPTH = 256;
    /** The longest symlink target, in bytes (PATH_MAX - 1). */
    public static final int MAX_SYMLINK_TARGET_BYTES = MAX_PATH_BYTES - 1;

    private PathLimits() {}

    /**
     * Why the rootfs path with {@code components} components, joined as {@code path}, is refused,
     * or null when it is within the limits. Linear in the path's length.
     */
    static String problem(String path, int components) {
        if (components > MAX_DEPTH) {
            return "the path is " + components + " directories deep, deeper than the limit of " + MAX_DEPTH
                    + " for paths in an image; flatten the tree and build the image again";
        }
        int bytes = 1 + utf8Length(path); // as the app sees it: "/" + path
        if (bytes >= MAX_PATH_BYTES) {
            return "the path is " + bytes + " bytes long as the app sees it (/" + abbreviate(path) + "), over the limit of "
                    + (MAX_PATH_BYTES - 1) + " bytes (Linux's PATH_MAX " + MAX_PATH_BYTES
                    + " with its terminating NUL); shorten it and build the image again";
        }
        return null;
    }

    /** Why a symlink's {@code target} is refused for its length, or null. */
    static String targetProblem(String target) {
        int bytes = utf8Length(target);
        if (bytes > MAX_SYMLINK_TARGET_BYTES) {
            return "symlink target of " + bytes + " bytes, over the limit of " + MAX_SYMLINK_TARGET_BYTES
                    + " bytes that symlink(2) accepts (PATH_MAX - 1)";
        }
        return null;
    }

    /** {@code text} itself when short, else its start and end around the number of characters left out. */
    public static String abbreviate(String text) {
        if (text.length() <= 120) {
            return text;
        }
        return text.substring(0, 60) + "...(" + (text.length() - 100) + " more characters)..."
                + text.substring(text.length() - 40);
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
