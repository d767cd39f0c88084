package dev.rkj.engine.image;

import java.nio.file.Path;

/**
 * An unpacked image: {@code target/manifest} and {@code target/rootfs/}.
 *
 * @param imageId          {@code sha512-<hex>} of the uncompressed tar that was unpacked
 * @param target           the directory now holding {@code manifest} and {@code rootfs/} (mode 0700)
 * @param manifestJson     the raw manifest bytes (a copy)
 * @param compression      the archive's compression
 * @param uncompressedSize bytes of the uncompressed tar
 * @param entryCount       tar entries read
 * @param bytesWritten     bytes of regular-file data written
 */
public record UnpackResult(
        String imageId,
        Path target,
        byte[] manifestJson,
        Compression compression,
        long uncompressedSize,
        int entryCount,
        long bytesWritten) {

    public UnpackResult {
        manifestJson = manifestJson.clone();
    }

    @Override
    public byte[] manifestJson() {
        return manifestJson.clone();
    }

    /** {@code target/rootfs}. */
    public Path rootfs() {
        return target.resolve("rootfs");
    }
}
