package dev.rkj.engine.host;

import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.fetch.FetchException;
import dev.rkj.engine.fetch.FetchesInFlight;
import dev.rkj.engine.fetch.PullPolicy;
import dev.rkj.engine.fetch.RemoteImages;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.store.ImageReference;
import java.util.Set;
import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.run.ImageManifestSource;
import dev.rkj.engine.stage.ImageSourcePort;
import dev.rkj.engine.stage.StageException;
import dev.rkj.engine.stage.TreeRendererPort;
import dev.rkj.engine.store.ImageNotFoundException;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageRenderer;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.store.ImageStoreException;
import dev.rkj.engine.store.InvalidImageException;
import dev.rkj.engine.store.SignaturePolicy;
import dev.rkj.engine.store.UnverifiedImageException;
import dev.rkj.engine.trust.TrustStore;
import dev.rkj.engine.store.AmbiguousImageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The image side of the engine on the real image store: resolves (and, for a local {@code .aci}
 * path, fetches) a pod's image, renders its tree, and hands its manifest to the preparer.
 */
public final class StoreImages implements ImageSourcePort, TreeRendererPort, ImageManifestSource {
    private final ImageStore store;
    private final ImageRenderer renderer;
    /** Manifests by image ID: content-addressed, so they never change. */
    private final java.util.Map<String, ImageManifest> manifests = new java.util.concurrent.ConcurrentHashMap<>();

    /** Downloads and discovery, made at the first image that needs them. */
    private RemoteImages remote; // guarded by this

    private final TrustStore trust;

    /** Fetches a pod's image file keeping its signature unchecked: the verify stage decides. */
    public StoreImages(ImageStore store) {
        this(store, null);
    }

    /**
     * Fetches a pod's image file only if a key {@code trust} trusts signed it, unless the pod's spec
     * allows {@code --insecure-options=image}; null checks nothing at fetch time.
     */
    public StoreImages(ImageStore store, TrustStore trust) {
        this.store = store;
        this.renderer = new ImageRenderer(store);
        this.trust = trust;
    }

    @Override
    public ResolvedImage resolve(String podId, String ref) throws StageException {
        return resolve(podId, null, ref);
    }

    private synchronized RemoteImages remote() {
        if (remote == null) {
            remote = RemoteImages.open(store);
        }
        return remote;
    }

    /**
     * A URL, or a name the store lacks, fetched ({@code --pull-policy=new}: a URL fetched before is
     * taken from the store); progress goes to {@link FetchesInFlight#PROCESS}.
     */
    private ResolvedImage fetchRemote(String ref, PodSpec spec) throws StageException {
        Set<PodSpec.InsecureOption> insecure = spec == null ? Set.of() : spec.insecureOptions();
        try {
            RemoteImages.Fetched fetched = remote().fetch(ref, new RemoteImages.Options(PullPolicy.NEW,
                    insecure.contains(PodSpec.InsecureOption.HTTP), insecure.contains(PodSpec.InsecureOption.TLS),
                    null, FetchesInFlight.PROCESS, policy(spec)));
            return new ResolvedImage(fetched.image().id().toString(), fetched.image().name(),
                    fetched.downloaded() ? ImageSource.FETCHED : ImageSource.STORE);
        } catch (FetchException e) {
            throw new StageException(e.getMessage(), e.isTransient(), e);
        } catch (ImageNotFoundException | AmbiguousImageException | InvalidImageException | UnverifiedImageException e) {
            throw StageException.permanent(e.getMessage());
        } catch (ImageStoreException e) {
            throw new StageException(e.getMessage(), true, e);
        }
    }

    @Override
    public ResolvedImage resolve(String podId, PodSpec spec, String ref) throws StageException {
        if (RemoteImages.isUrl(ref)) {
            return fetchRemote(ref, spec);
        }
        try {
            Path file = Path.of(ref);
            if (looksLikeFile(ref) && Files.isRegularFile(file)) {
                // Fetching is idempotent: an image already stored is found again by its ID.
                ImageRecord fetched = store.fetch(file, null, policy(spec));
                return new ResolvedImage(fetched.id().toString(), fetched.name(), ImageSource.FETCHED);
            }
            Optional<String> notAFile = localFileProblem(ref);
            if (notAFile.isPresent()) {
                throw StageException.permanent(notAFile.get());
            }
            ImageRecord found;
            try {
                found = store.resolve(ref);
            } catch (ImageNotFoundException e) {
                if (ImageReference.parse(ref) instanceof ImageReference.ByName) {
                    return fetchRemote(ref, spec);
                }
                throw e;
            }
            return new ResolvedImage(found.id().toString(), found.name(), ImageSource.STORE);
        } catch (ImageNotFoundException | AmbiguousImageException | InvalidImageException | UnverifiedImageException e) {
            throw StageException.permanent(e.getMessage());
        } catch (ImageStoreException e) {
            throw new StageException(e.getMessage(), true, e);
        } catch (java.nio.file.InvalidPathException e) {
            throw StageException.permanent("image reference " + ref + " is neither a file nor an image name: " + e.getMessage());
        } catch (IllegalArgumentException e) { // a malformed image ID, name or label: ImageReference's message
            throw StageException.permanent(e.getMessage());
        }
    }

    /** How a fetch for a pod of {@code spec} treats the image's signature: null checks nothing (no trust store, no spec). */
    private SignaturePolicy policy(PodSpec spec) {
        return trust == null || spec == null ? null : SignaturePolicy.of(spec.allows(PodSpec.InsecureOption.IMAGE), trust);
    }

    /**
     * Why {@code ref}, which reads as a file path (ends in {@code .aci} or starts with {@code /},
     * {@code ./} or {@code ../}, and has no label), cannot be fetched as one; empty when it is a
     * regular file or not a path at all. Callers check it before a pod exists.
     */
    public static Optional<String> localFileProblem(String ref) {
        if (!isFileReference(ref)) {
            return Optional.empty();
        }
        Path file;
        try {
            file = Path.of(ref);
        } catch (java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
        if (Files.isDirectory(file)) {
            return Optional.of("image file " + ref + " is a directory: give the path of an .aci file"
                    + " (rkj image build " + ref + " IMAGE.aci makes one from a directory with a manifest and rootfs/)");
        }
        if (!Files.isRegularFile(file)) {
            return Optional.of("image file " + ref + " does not exist: give the path of an .aci file, "
                    + "an image ID, or the name of a fetched image (rkj image list)");
        }
        try {
            if (Files.size(file) == 0) {
                return Optional.of("image file " + ref + " is empty (0 bytes), not an ACI: give the path of an .aci"
                        + " file (rkj image build DIR IMAGE.aci makes one)");
            }
        } catch (java.io.IOException e) {
            return Optional.of("image file " + ref + " cannot be read (" + e.getMessage() + "): check its permissions");
        }
        return Optional.empty();
    }

    /** Whether {@code ref} names a local file rather than an image in the store (see {@link #localFileProblem}). */
    public static boolean isFileReference(String ref) {
        return looksLikeFile(ref) && !ref.contains(",");
    }

    private static boolean looksLikeFile(String ref) {
        return !RemoteImages.isUrl(ref)
                && (ref.endsWith(".aci") || ref.startsWith("/") || ref.startsWith("./") || ref.startsWith("../"));
    }

    @Override
    public String render(String podId, String imageId) throws StageException {
        try {
            ImageId id = ImageId.parse(imageId);
            // A rendered tree is renamed into place whole and never changed: the warm path needs no index look-up.
            Path rootfs = store.treePath(id).resolve("rootfs");
            if (!Files.isDirectory(rootfs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                renderer.render(id);
            }
            return ImageStore.treeId(id);
        } catch (ImageNotFoundException e) {
            throw StageException.permanent(e.getMessage());
        } catch (ImageStoreException e) {
            throw new StageException("cannot render image " + imageId + ": " + e.getMessage(), true, e);
        }
    }

    @Override
    public ImageManifest manifest(String imageId) throws StageException {
        ImageManifest known = manifests.get(imageId);
        if (known != null) {
            return known;
        }
        try {
            ImageManifest manifest = store.get(ImageId.parse(imageId)).manifest();
            manifests.put(imageId, manifest);
            return manifest;
        } catch (ImageStoreException e) {
            throw StageException.permanent("image " + imageId + " is not in the store: " + e.getMessage());
        }
    }
}
