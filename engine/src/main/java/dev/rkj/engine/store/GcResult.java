package dev.rkj.engine.store;

import dev.rkj.engine.appc.ImageId;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link ImageStore#gc()} removed.
 *
 * @param trees rendered trees of images no longer in the store
 * @param blobs blobs of images no longer in the store (left by a crash or a failed removal)
 * @param temps temporary files and directories left by interrupted fetches and renders
 */
public record GcResult(List<ImageId> trees, List<ImageId> blobs, List<Path> temps) {
    public GcResult {
        trees = List.copyOf(trees);
        blobs = List.copyOf(blobs);
        temps = List.copyOf(temps);
    }

    public boolean isEmpty() {
        return trees.isEmpty() && blobs.isEmpty() && temps.isEmpty();
    }
}
