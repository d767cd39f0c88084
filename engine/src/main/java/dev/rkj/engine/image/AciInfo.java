package dev.rkj.engine.image;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@link AciReader} learned from one pass over an ACI.
 *
 * @param imageId          {@code sha512-<hex>} of the uncompressed tar
 * @param manifestJson     the raw bytes of the {@code manifest} entry (a copy)
 * @param compression      the compression found by magic bytes
 * @param uncompressedSize bytes of the uncompressed tar, end padding included
 * @param entryCount       tar entries (manifest and rootfs entries; PAX/GNU extension headers not counted)
 * @param signature        the detached signature beside the file ({@code <file>.asc}), if there is one; not verified
 * @param leftOut          the device nodes and FIFOs under {@code rootfs/dev/}, which no tree of the image holds
 */
public record AciInfo(
        String imageId,
        byte[] manifestJson,
        Compression compression,
        long uncompressedSize,
        int entryCount,
        Optional<Path> signature,
        LeftOut leftOut) {

    public AciInfo {
        java.util.Objects.requireNonNull(leftOut, "leftOut");
        manifestJson = manifestJson.clone();
    }

    @Override
    public byte[] manifestJson() {
        return manifestJson.clone();
    }
}
