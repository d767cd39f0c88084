package dev.rkj.engine.store;

import dev.rkj.engine.appc.ImageId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How an image's rootfs is assembled (ace.md "Filesystem Setup"): the layers in extraction
 * order, dependencies depth first in manifest order, the image itself last. An image reached
 * through several paths appears once per path, each time with that path's whitelist.
 *
 * @param image  the image being rendered
 * @param layers extraction order; each later layer overrides the earlier ones
 */
public record RenderPlan(ImageId image, List<Layer> layers) {
    public RenderPlan {
        layers = List.copyOf(layers);
    }

    /** The layer images' IDs in extraction order. */
    public List<ImageId> order() {
        return layers.stream().map(Layer::imageId).toList();
    }

    /**
     * One extraction of one image's rootfs.
     *
     * @param imageId    the image extracted
     * @param name       its name, for messages
     * @param dependents the images depending on it along this path, nearest first, the rendered image last
     * @param keep       the paths to keep, as absolute paths with the directories leading to them: the
     *                   intersection of the non-empty {@code pathWhitelist}s of this image and its
     *                   dependents (an empty set keeps nothing); empty when none of them has a whitelist,
     *                   which keeps everything
     */
    public record Layer(ImageId imageId, String name, List<ImageId> dependents, Optional<Set<String>> keep) {
        public Layer {
            dependents = List.copyOf(dependents);
            keep = keep.map(Set::copyOf);
        }

        /** Whether the whitelists leave nothing of this layer, so it need not be extracted. */
        public boolean keepsNothing() {
            return keep.isPresent() && keep.get().isEmpty();
        }
    }
}
