package dev.rkj.engine.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The limits on paths inside an image's rootfs, checked at fetch for every entry, so that no
 * later walk of the tree (render, copy, delete, the pod's own lookups) meets a path it cannot
 * handle, and no small archive can make those walks expensive.
 *
 * <ul>
 *   <li>{@link #MAX_PATH_BYTES}: 3072 bytes, terminating NUL included, for the absolute path as
 *       the app sees it ({@code "/" + path}, at most 3071 bytes). Linux's {@code PATH_MAX} (4096)
 *       bounds what the app can open by name, but rkj itself reaches every file on the host as
 *       {@code <directory of the tree>/<path>}, one argument to one system call, so 1 KiB of
 *       {@code PATH_MAX} is kept for that directory ({@code <data>/cas/trees/<image id>/rootfs}
 *       and its temporaries take about 250 bytes under {@code /var/lib/rkj}).</li>
 *   <li>{@link #MAX_DEPTH}: 256 components. Linux has no depth limit of its own (PATH_MAX
 *       allows up to 2048 one-letter components); real images stay far below 100 (deep
 *       {@code node_modules} trees reach a few dozen). 256 keeps the recursive walks of a tree
 *       (render, copy, removal) shallow.</li>
 *   <li>{@link #MAX_NAME_BYTES}: Linux's {@code NAME_MAX}, 255 bytes per component, which no
 *       Linux file system exceeds.</li>
 *   <li>{@link #MAX_SYMLINK_TARGET_BYTES}: 4095 bytes, what {@code symlink(2)} accepts.</li>
 * </ul>
 */
public final class PathLimits {
    /** Linux's PATH_MAX, terminating NUL included. */
    public static final int PATH_MAX = 4096;
    /** The part of PATH_MAX kept for the host directory a tree is written under. */
    public static final int HOST_DIRECTORY_BYTES = 1024;
    /** The longest path in an image as the app sees it ({@code "/" + path}), terminating NUL included. */
    public static final int MAX_PATH_BYTES = PATH_MAX - HOST_DIRECTORY_BYTES;
    /** Linux's NAME_MAX: the longest file name (one path component), in bytes. */
    public static final int MAX_NAME_BYTES = 255;
    /** The most components of a path below rootfs. */
    public static final int MAX_DEPTH = 256;
    /** The longest symlink target, in bytes (PATH_MAX - 1). */
    public static final int MAX_SYMLINK_TARGET_BYTES = PATH_MAX - 1;

    private PathLimits() {}

    /**
     * Why the rootfs path {@code path}, split into {@code components}, is refused,
     * or null when it is within the limits. Linear in the path's length.
     */
    static String problem(String path, List<String> components) {
        if (components.size() > MAX_DEPTH) {
            return "the path is " + components.size() + " levels deep, deeper than the limit of " + MAX_DEPTH
                    + " for paths in an image; flatten the tree and build the image again";
        }
        for (String component : components) {
            int bytes = utf8Length(component);
            if (bytes > MAX_NAME_BYTES) {
                return "the name '" + abbreviate(component) + "' is " + bytes + " bytes long, over Linux's NAME_MAX of "
                        + MAX_NAME_BYTES + " bytes; shorten it and build the image again";
            }
        }
        int bytes = 1 + utf8Length(path); // as the app sees it: "/" + path
        if (bytes >= MAX_PATH_BYTES) {
            return "the path is " + bytes + " bytes long as the app sees it (/" + abbreviate(path) + "), over the limit of "
                    + (MAX_PATH_BYTES - 1) + " bytes (PATH_MAX less " + HOST_DIRECTORY_BYTES
                    + " for the host directory of the tree); shorten it and build the image again";
        }
        return null;
    }

    /**
     * Why an absolute path named by a manifest (a {@code pathWhitelist} entry) is refused, or
     * empty: the same limits as the archive's own paths, so that no manifest makes the whitelist's
     * walks costly (its leading directories are each kept as a path).
     */
    public static Optional<String> problemOfAbsolute(String absolutePath) {
        List<String> components = new ArrayList<>();
        int start = 0;
        while (start <= absolutePath.length()) {
            int end = absolutePath.indexOf('/', start);
            if (end < 0) {
                end = absolutePath.length();
            }
            String component = absolutePath.substring(start, end);
            if (!component.isEmpty() && !component.equals(".")) {
                components.add(component);
            }
            start = end + 1;
            if (components.size() > MAX_DEPTH) {
                break; // deep enough to refuse; the rest need not be split
            }
        }
        return Optional.ofNullable(problem(absolutePath.substring(Math.min(1, absolutePath.length())), components));
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
