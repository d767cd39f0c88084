package dev.rkj.engine.run;

import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.stage.StageException;

/**
 * Where the preparer finds the manifest of an image already in the store (the image store
 * implements it). Called on a worker thread.
 */
@FunctionalInterface
public interface ImageManifestSource {

    /**
     * The manifest of image {@code imageId} ({@code sha512-<hex>}).
     *
     * @throws StageException if the image is not in the store or its manifest cannot be read
     */
    ImageManifest manifest(String imageId) throws StageException;
}
