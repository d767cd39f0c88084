package dev.rkj.engine.store;

import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.appc.Labels;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.image.LeftOut;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One image in the store, as the journal's image events describe it.
 *
 * @param id               the image ID
 * @param manifest         the validated manifest
 * @param manifestJson     the manifest as compact JSON text
 * @param blobSize         bytes of the stored ACI
 * @param uncompressedSize bytes of its uncompressed tar
 * @param compression      the stored ACI's compression
 * @param source           where it was fetched from
 * @param signature        the detached signature found beside the source, if any (not verified)
 * @param importTime       when the newest {@code image.stored} for it was appended
 * @param importIndex      that event's journal index: a later import has a larger one
 * @param treeId           the rendered tree's id in the store ({@code cas/trees/<treeId>}), when the journal
 *                         says there is one
 * @param leftOut          the device nodes and FIFOs under {@code /dev} its trees leave out (the pod mounts its own)
 * @param origin           where a downloaded image came from; empty for a local file
 */
public record ImageRecord(ImageId id, ImageManifest manifest, String manifestJson, long blobSize, long uncompressedSize,
                          Compression compression, String source, Optional<String> signature, Instant importTime,
                          long importIndex, Optional<String> treeId, LeftOut leftOut,
                          Optional<ImageOrigin> origin) {
    public ImageRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(manifestJson, "manifestJson");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(importTime, "importTime");
        Objects.requireNonNull(treeId, "treeId");
        Objects.requireNonNull(leftOut, "leftOut");
        Objects.requireNonNull(origin, "origin");
    }

    /** The manifest's name, e.g. {@code example.com/app}. */
    public String name() {
        return manifest.name().value();
    }

    public Labels labels() {
        return manifest.labels();
    }

    /** {@code name:version} as rkt shows images, or just the name when there is no version label. */
    public String displayName() {
        return manifest.label(Labels.VERSION).map(v -> name() + ":" + v).orElse(name());
    }

    ImageRecord withTree(Optional<String> tree) {
        return new ImageRecord(id, manifest, manifestJson, blobSize, uncompressedSize, compression, source, signature,
                importTime, importIndex, tree, leftOut, origin);
    }
}
