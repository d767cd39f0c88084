package dev.rkj.engine.stage;

import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodSpec;

import java.util.Objects;
import java.util.Set;

/**
 * The fetch stage's port: turns an image reference of a pod's spec (one per app) into an image in the local
 * store. The reference is what the user typed: a local {@code .aci} file (imported into the store),
 * an image id or id prefix ({@code sha512-4f2a}), or a name with labels
 * ({@code example.com/app,version=1.0} or {@code example.com/app:1.0}), an {@code http(s)://} URL, or a
 * name not in the store, found by appc discovery.
 *
 * <p>Called on a worker thread, never on an event loop: it may block. Must be idempotent: the
 * same reference may be resolved again after a crash (content-addressed imports make that free).
 */
public interface ImageSourcePort {

    /**
     * Resolves {@code imageRef}, the image of one app of pod {@code podId}.
     *
     * @throws StageException if the reference names no image, several, or the fetch failed; the
     *                        message says which and what to do
     */
    ResolvedImage resolve(String podId, String imageRef) throws StageException;

    /**
     * As {@link #resolve(String, String)}, for a pod of {@code spec} (null: none): a source that fetches
     * may check the image's signature as the spec allows ({@code --insecure-options=image}) before keeping
     * it, and switches the fetch checks off that it allows ({@code http}: plain HTTP; {@code tls}: any
     * certificate).
     */
    default ResolvedImage resolve(String podId, dev.rkj.engine.pod.PodSpec spec, String imageRef) throws StageException {
        return resolve(podId, imageRef);
    }

    /**
     * An image in the store.
     *
     * @param imageId   {@code sha512-<hex>} (the full id)
     * @param imageName the name in its manifest
     * @param source    whether it was in the store already or fetched for this pod
     */
    record ResolvedImage(String imageId, String imageName, ImageSource source) {
        public ResolvedImage {
            Objects.requireNonNull(imageId, "imageId");
            Objects.requireNonNull(imageName, "imageName");
            Objects.requireNonNull(source, "source");
        }
    }
}
