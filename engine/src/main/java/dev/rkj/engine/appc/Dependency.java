package dev.rkj.engine.appc;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * An image this image is layered on (aci.md "dependencies"), found by name and labels through
 * discovery; when {@code imageId} is given the found image must have exactly that ID, and when
 * {@code size} is given the ACE should check it.
 */
public record Dependency(AcIdentifier imageName, Optional<ImageId> imageId, Labels labels, OptionalLong size) {
    public Dependency {
        if (imageName == null || imageId == null || labels == null || size == null) {
            throw new IllegalArgumentException(
                    "a dependency needs an image name (use Optional.empty() for absent parts)");
        }
        if (size.isPresent() && size.getAsLong() < 0) {
            throw new IllegalArgumentException("dependency size " + size.getAsLong() + " must not be negative");
        }
    }

    /** A dependency on the image {@code name} with these labels and no pinned ID or size. */
    public static Dependency of(String name, Labels labels) {
        return new Dependency(AcIdentifier.parse(name), Optional.empty(), labels, OptionalLong.empty());
    }
}
