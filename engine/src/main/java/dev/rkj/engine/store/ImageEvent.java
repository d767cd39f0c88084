package dev.rkj.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.eventlog.WireName;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A fact about one image in the store, as kept in the journal; the aggregate id is the full
 * image ID ({@code sha512-<128 hex>}). The journal's envelope carries the time and the index, so
 * events do not repeat them. {@link ImageIndex} is the projection of these events.
 *
 * <p>Wire format rules, as for pod events: each event names itself with {@link WireName};
 * renaming or retyping a field needs a new version and a reader for the old one. Nullable fields
 * say so; collections are never null.
 */
public sealed interface ImageEvent {

    /** The image ID, {@code sha512-<128 hex digits>}; also the journal aggregate id. */
    String imageId();

    /**
     * The image's ACI was validated and stored as {@code cas/blobs/<imageId>}. Carries the
     * manifest itself, so the index never reads blobs.
     *
     * @param name             the manifest's {@code name}
     * @param labels           the manifest's labels, by name
     * @param manifest         the {@code manifest} file of the ACI, as a JSON object (validated)
     * @param blobSize         bytes of the ACI as stored (compressed)
     * @param uncompressedSize bytes of the uncompressed tar the image ID is the digest of
     * @param compression      {@code none}, {@code gzip}, {@code bzip2} or {@code xz}
     * @param source           where it was fetched from: an absolute path or a URL
     * @param signature        the detached signature found beside the source, or {@code null}; not verified here
     */
    @WireName(value = "image.stored", version = 1)
    record ImageStored(String imageId, String name, Map<String, String> labels, JsonNode manifest, long blobSize,
                       long uncompressedSize, String compression, String source, String signature) implements ImageEvent {
        public ImageStored {
            requireImageId(imageId);
            Objects.requireNonNull(name, "name");
            labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
            if (manifest == null || !manifest.isObject()) {
                throw new IllegalArgumentException("an image manifest is a JSON object, got " + manifest);
            }
            manifest = manifest.deepCopy();
            Objects.requireNonNull(compression, "compression");
            Objects.requireNonNull(source, "source");
            if (blobSize < 0 || uncompressedSize < 0) {
                throw new IllegalArgumentException("sizes must not be negative: blobSize=" + blobSize
                        + ", uncompressedSize=" + uncompressedSize);
            }
        }

        /** A copy: JSON nodes are mutable, events are not. */
        @Override
        public JsonNode manifest() {
            return manifest.deepCopy();
        }
    }

    /** The image was removed from the store: its blob is gone (or will be by the next gc). */
    @WireName(value = "image.removed", version = 1)
    record ImageRemoved(String imageId) implements ImageEvent {
        public ImageRemoved {
            requireImageId(imageId);
        }
    }

    /**
     * The image and its dependencies were rendered into a read-only tree, never modified after.
     *
     * @param treePath the tree: {@code <treePath>/rootfs} and {@code <treePath>/manifest}
     */
    @WireName(value = "image.rendered", version = 1)
    record TreeRendered(String imageId, String treePath) implements ImageEvent {
        public TreeRendered {
            requireImageId(imageId);
            Objects.requireNonNull(treePath, "treePath");
        }
    }

    /** The rendered tree of the image was deleted (by remove or gc). */
    @WireName(value = "image.tree-removed", version = 1)
    record TreeRemoved(String imageId, String treePath) implements ImageEvent {
        public TreeRemoved {
            requireImageId(imageId);
            Objects.requireNonNull(treePath, "treePath");
        }
    }

    private static void requireImageId(String imageId) {
        if (imageId == null || !imageId.matches("sha512-[0-9a-f]{128}")) {
            throw new IllegalArgumentException("image event id " + (imageId == null ? "null" : "\"" + imageId + "\"")
                    + " is not a full image ID (sha512-<128 lowercase hex digits>)");
        }
    }
}
