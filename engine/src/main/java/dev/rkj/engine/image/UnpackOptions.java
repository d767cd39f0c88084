package dev.rkj.engine.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * How {@link AciUnpacker} unpacks: limits, what it allows and what it keeps.
 *
 * @param allowDeviceNodes  create character/block devices and FIFOs (with {@link NodeMaker}); when false, those
 *                          under {@code rootfs/dev/} are left out ({@link LeftOut}) and any other is refused
 * @param maxTotalBytes     most uncompressed tar bytes to read (the tar-bomb limit), counted while streaming
 * @param maxEntries        most tar entries
 * @param maxFileBytes      largest single regular file, checked against the header and while streaming
 * @param pathWhitelist     when not empty, the absolute paths (as the app sees them, e.g. {@code /etc/hosts})
 *                          to keep; everything else is removed, except the directories leading to kept paths
 *                          (appc {@code pathWhitelist}); a listed directory is kept, its unlisted contents are not
 * @param preserveOwnership set uid/gid from the archive ({@code lchown}); needs root
 * @param expectedImageId   when present, the image ID the archive must have ({@code sha512-<hex>}); a mismatch
 *                          is refused and leaves nothing behind
 */
public record UnpackOptions(
        boolean allowDeviceNodes,
        long maxTotalBytes,
        int maxEntries,
        long maxFileBytes,
        Set<String> pathWhitelist,
        boolean preserveOwnership,
        Optional<String> expectedImageId) {

    public static final long DEFAULT_MAX_TOTAL_BYTES = 8L << 30;
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;
    public static final long DEFAULT_MAX_FILE_BYTES = 4L << 30;

    public UnpackOptions {
        if (maxTotalBytes <= 0 || maxEntries <= 0 || maxFileBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive: maxTotalBytes=" + maxTotalBytes
                    + ", maxEntries=" + maxEntries + ", maxFileBytes=" + maxFileBytes);
        }
        pathWhitelist = Set.copyOf(pathWhitelist);
        for (String path : pathWhitelist) {
            if (!path.startsWith("/") || ("/" + path + "/").contains("/../")) {
                throw new IllegalArgumentException("pathWhitelist entry '" + path
                        + "' must be an absolute path without '..' components");
            }
        }
        expectedImageId.ifPresent(id -> {
            if (!id.matches("sha512-[0-9a-f]{128}")) {
                throw new IllegalArgumentException("expected image ID '" + id + "' is not sha512-<128 lower-case hex digits>");
            }
        });
    }

    /** Devices refused, 8 GiB / 1M entries / 4 GiB per file, no whitelist, ownership kept when running as root. */
    public static UnpackOptions defaults() {
        return new UnpackOptions(false, DEFAULT_MAX_TOTAL_BYTES, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_FILE_BYTES, Set.of(),
                runningAsRoot(), Optional.empty());
    }

    public UnpackOptions withAllowDeviceNodes(boolean allow) {
        return new UnpackOptions(allow, maxTotalBytes, maxEntries, maxFileBytes, pathWhitelist, preserveOwnership, expectedImageId);
    }

    public UnpackOptions withMaxTotalBytes(long bytes) {
        return new UnpackOptions(allowDeviceNodes, bytes, maxEntries, maxFileBytes, pathWhitelist, preserveOwnership, expectedImageId);
    }

    public UnpackOptions withMaxEntries(int entries) {
        return new UnpackOptions(allowDeviceNodes, maxTotalBytes, entries, maxFileBytes, pathWhitelist, preserveOwnership, expectedImageId);
    }

    public UnpackOptions withMaxFileBytes(long bytes) {
        return new UnpackOptions(allowDeviceNodes, maxTotalBytes, maxEntries, bytes, pathWhitelist, preserveOwnership, expectedImageId);
    }

    public UnpackOptions withPathWhitelist(Set<String> paths) {
        return new UnpackOptions(allowDeviceNodes, maxTotalBytes, maxEntries, maxFileBytes, paths, preserveOwnership, expectedImageId);
    }

    public UnpackOptions withPreserveOwnership(boolean preserve) {
        return new UnpackOptions(allowDeviceNodes, maxTotalBytes, maxEntries, maxFileBytes, pathWhitelist, preserve, expectedImageId);
    }

    public UnpackOptions withExpectedImageId(String imageId) {
        return new UnpackOptions(allowDeviceNodes, maxTotalBytes, maxEntries, maxFileBytes, pathWhitelist, preserveOwnership,
                Optional.of(imageId));
    }

    /** True when this process's effective uid is 0 (the owner of {@code /proc/self}). */
    static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
