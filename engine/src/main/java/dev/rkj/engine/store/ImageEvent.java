package dev.rkj.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.Grantor;
import dev.rkj.eventlog.Superseded;
import dev.rkj.eventlog.WireName;
import dev.rkj.engine.image.LeftOut;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A fact about one image in the store, as kept in the journal; the aggregate id is the full
 * image ID ({@code sha512-<128 hex>}). The journal's envelope carries the time and the index, so
 * events do not repeat them. {@link ImageIndex} is the projection of these events.
 *
 * <p>Wire format rules, as for pod events: each event names itself with {@link WireName};
 * renaming or retyping a field needs a new version and a reader for the old one (a
 * {@link Superseded} record; read events through {@link #current}). Events carry ids, never
 * paths under the data directory. Nullable fields say so; collections are never null.
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
     * @param requestedBy      who asked for the fetch, or {@code null} if the caller did not say (a
     *                         pod's creation, which records its own asker)
     * @param leftOut          the device nodes and FIFOs under {@code /dev} that the image's trees leave out
     *                         (the pod mounts its own {@code /dev}), as the app would see them, at most
     *                         {@link LeftOut#MAX_PATHS}; never null
     * @param leftOutCount     how many were left out in all
     * @param verification     how its signature was checked before it was kept: which key signed it and the
     *                         prefix that key is trusted for, or that the check was skipped and why (who asked is
     *                         {@code requestedBy}); {@code null} when the caller did not check (events before
     *                         version 4, and library callers that store without a policy)
     * @param origin           where a downloaded image came from (URL, discovery, ETag, digest), or {@code null}
     *                         for a local file
     *
     * <p>Version 4 added {@code verification} and {@code origin}; version 3 is read as {@link ImageStoredV3}, version 2 as
     * {@link ImageStoredV2}, version 1 (without {@code requestedBy}) as {@link ImageStoredV1}.
     */
    @WireName(value = "image.stored", version = 4)
    record ImageStored(String imageId, String name, Map<String, String> labels, JsonNode manifest, long blobSize,
                       long uncompressedSize, String compression, String source, String signature,
                       Grantor requestedBy, List<String> leftOut, int leftOutCount, SignatureCheck verification,
                       ImageOrigin origin)
            implements ImageEvent {
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
            requestedBy = stated(requestedBy);
            leftOut = new LeftOut(leftOut == null ? List.of() : leftOut, leftOutCount).paths();
        }

        /** A local file's fetch (no origin) whose signature was not checked. */
        public ImageStored(String imageId, String name, Map<String, String> labels, JsonNode manifest, long blobSize,
                           long uncompressedSize, String compression, String source, String signature,
                           Grantor requestedBy, List<String> leftOut, int leftOutCount) {
            this(imageId, name, labels, manifest, blobSize, uncompressedSize, compression, source, signature, requestedBy,
                    leftOut, leftOutCount, null, null);
        }

        /** A fetch that left nothing out. */
        public ImageStored(String imageId, String name, Map<String, String> labels, JsonNode manifest, long blobSize,
                           long uncompressedSize, String compression, String source, String signature,
                           Grantor requestedBy) {
            this(imageId, name, labels, manifest, blobSize, uncompressedSize, compression, source, signature, requestedBy,
                    List.of(), 0);
        }

        /** A fetch whose caller did not say who it is, that left nothing out. */
        public ImageStored(String imageId, String name, Map<String, String> labels, JsonNode manifest, long blobSize,
                           long uncompressedSize, String compression, String source, String signature) {
            this(imageId, name, labels, manifest, blobSize, uncompressedSize, compression, source, signature, null);
        }

        /** A copy: JSON nodes are mutable, events are not. */
        @Override
        public JsonNode manifest() {
            return manifest.deepCopy();
        }

        /** {@link #leftOut} and {@link #leftOutCount} together. */
        public LeftOut leftOutEntries() {
            return new LeftOut(leftOut, leftOutCount);
        }
    }

    /**
     * How an image's signature was checked when it was stored.
     *
     * @param verified       whether a trusted key's valid signature was found
     * @param keyFingerprint the fingerprint of the trusted key that signed it (lowercase hex), or null if not verified
     * @param trustedPrefix  the image name prefix that key is trusted for, or null for a root key (or not verified)
     * @param reason         one line: {@code signed by key ..., trusted for prefix ...}, or why the check was skipped
     */
    record SignatureCheck(boolean verified, String keyFingerprint, String trustedPrefix, String reason) {
        public SignatureCheck {
            Objects.requireNonNull(reason, "reason");
            if (verified != (keyFingerprint != null)) {
                throw new IllegalArgumentException("a verified check names its key, a skipped one names none: "
                        + keyFingerprint);
            }
        }
    }

    /** {@code image.stored/3}, without how the signature was checked nor the origin. Never written any more. */
    @WireName(value = "image.stored", version = 3)
    record ImageStoredV3(String imageId, String name, Map<String, String> labels, JsonNode manifest, long blobSize,
                         long uncompressedSize, String compression, String source, String signature,
                         Grantor requestedBy, List<String> leftOut, int leftOutCount)
            implements ImageEvent, Superseded<ImageEvent> {
        /** The same fact as the current version: images of that time came from local files, stored unchecked. */
        @Override
        public ImageStored upcast() {
            return new ImageStored(imageId, name, labels, manifest, blobSize, uncompressedSize, compression, source,
                    signature, requestedBy, leftOut, leftOutCount, null, null);
        }
    }

    /** {@code image.stored/2}, without what was left out. Never written any more. */
    @WireName(value = "image.stored", version = 2)
    record ImageStoredV2(String imageId, String name, Map<String, String> labels, JsonNode manifest, long blobSize,
                         long uncompressedSize, String compression, String source, String signature,
                         Grantor requestedBy) implements ImageEvent, Superseded<ImageEvent> {
        /** The same fact as the current version: images of that time had nothing under /dev left out. */
        @Override
        public ImageStored upcast() {
            return new ImageStored(imageId, name, labels, manifest, blobSize, uncompressedSize, compression, source,
                    signature, requestedBy);
        }
    }

    /** {@code image.stored/1}, without who asked. Never written any more. */
    @WireName(value = "image.stored", version = 1)
    record ImageStoredV1(String imageId, String name, Map<String, String> labels, JsonNode manifest, long blobSize,
                         long uncompressedSize, String compression, String source, String signature)
            implements ImageEvent, Superseded<ImageEvent> {
        /** The same fact as the current version. */
        @Override
        public ImageStored upcast() {
            return new ImageStored(imageId, name, labels, manifest, blobSize, uncompressedSize, compression, source,
                    signature, null);
        }
    }

    /**
     * The image was removed from the store: its blob is gone (or will be by the next gc). Version 2
     * added {@code requestedBy}; version 1 is read as {@link ImageRemovedV1}.
     *
     * @param requestedBy who asked, or {@code null} if the caller did not say
     */
    @WireName(value = "image.removed", version = 2)
    record ImageRemoved(String imageId, Grantor requestedBy) implements ImageEvent {
        public ImageRemoved {
            requireImageId(imageId);
            requestedBy = stated(requestedBy);
        }

        /** A removal whose caller did not say who it is. */
        public ImageRemoved(String imageId) {
            this(imageId, null);
        }
    }

    /** {@code image.removed/1}, without who asked. Never written any more. */
    @WireName(value = "image.removed", version = 1)
    record ImageRemovedV1(String imageId) implements ImageEvent, Superseded<ImageEvent> {
        /** The same fact as the current version. */
        @Override
        public ImageRemoved upcast() {
            return new ImageRemoved(imageId, null);
        }
    }

    /**
     * The image and its dependencies were rendered into a read-only tree, never modified after.
     * Version 2 names the tree instead of giving its path; version 1 is read as
     * {@link TreeRenderedV1}.
     *
     * @param treeId the tree's name in the store's trees directory: {@code <data dir>/cas/trees/<treeId>}
     *               holds {@code rootfs} and {@code manifest}; today the image id
     */
    @WireName(value = "image.rendered", version = 2)
    record TreeRendered(String imageId, String treeId) implements ImageEvent {
        public TreeRendered {
            requireImageId(imageId);
            requireTreeId(treeId);
        }
    }

    /**
     * {@code image.rendered/1}, as journals written before version 2 hold it: the tree's absolute
     * path on the host that wrote it. Never written any more.
     *
     * @param treePath {@code <data dir>/cas/trees/<tree id>}
     */
    @WireName(value = "image.rendered", version = 1)
    record TreeRenderedV1(String imageId, String treePath) implements ImageEvent, Superseded<ImageEvent> {
        public TreeRenderedV1 {
            requireImageId(imageId);
            Objects.requireNonNull(treePath, "treePath");
        }

        /** The same fact, naming the tree by its directory's name. */
        @Override
        public TreeRendered upcast() {
            return new TreeRendered(imageId, treeIdOf(treePath));
        }
    }

    /**
     * The rendered tree of the image was deleted (by remove or gc). Version 2 names the tree;
     * version 1 is read as {@link TreeRemovedV1}.
     *
     * @param treeId the tree's name in the store's trees directory
     */
    @WireName(value = "image.tree-removed", version = 2)
    record TreeRemoved(String imageId, String treeId) implements ImageEvent {
        public TreeRemoved {
            requireImageId(imageId);
            requireTreeId(treeId);
        }
    }

    /** {@code image.tree-removed/1}, with the tree's absolute path. Never written any more. */
    @WireName(value = "image.tree-removed", version = 1)
    record TreeRemovedV1(String imageId, String treePath) implements ImageEvent, Superseded<ImageEvent> {
        public TreeRemovedV1 {
            requireImageId(imageId);
            Objects.requireNonNull(treePath, "treePath");
        }

        /** The same fact, naming the tree by its directory's name. */
        @Override
        public TreeRemoved upcast() {
            return new TreeRemoved(imageId, treeIdOf(treePath));
        }
    }

    /** {@code event} in its current version (see {@link Superseded}). */
    static ImageEvent current(ImageEvent event) {
        return Superseded.latest(event);
    }

    /** The last name of a version 1 tree path: {@code /var/lib/rkj/cas/trees/sha512-ab} → {@code sha512-ab}. */
    private static String treeIdOf(String treePath) {
        String path = treePath;
        while (path.endsWith("/") && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void requireTreeId(String treeId) {
        if (treeId == null || !treeId.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("tree id " + (treeId == null ? "null" : "\"" + treeId + "\"")
                    + " is not a name in the image store's trees directory (letters, digits, '.', '_', '-'; no '/')");
        }
    }

    private static void requireImageId(String imageId) {
        if (imageId == null || !imageId.matches("sha512-[0-9a-f]{128}")) {
            throw new IllegalArgumentException("image event id " + (imageId == null ? "null" : "\"" + imageId + "\"")
                    + " is not a full image ID (sha512-<128 lowercase hex digits>)");
        }
    }

    private static Grantor stated(Grantor requestedBy) {
        return Grantor.UNSTATED.equals(requestedBy) ? null : requestedBy;
    }
}
