package dev.rkj.engine.appc;

import java.util.Optional;

/**
 * The image of a pod app (pods.md "image"). A runnable (reified) pod names every image by
 * {@code id}; a pod template may instead give a {@code name} and labels to resolve later.
 */
public record RuntimeImage(Optional<AcIdentifier> name, Optional<ImageId> id, Labels labels) {
    public RuntimeImage {
        if (name == null || id == null || labels == null) {
            throw new IllegalArgumentException("use Optional.empty() and Labels.EMPTY for absent image parts");
        }
        if (name.isEmpty() && id.isEmpty()) {
            throw new IllegalArgumentException("an app image needs an id, or at least a name to resolve one");
        }
    }

    public static RuntimeImage of(ImageId id) {
        return new RuntimeImage(Optional.empty(), Optional.of(id), Labels.EMPTY);
    }

    public static RuntimeImage of(String name, ImageId id) {
        return new RuntimeImage(Optional.of(AcIdentifier.parse(name)), Optional.of(id), Labels.EMPTY);
    }
}
