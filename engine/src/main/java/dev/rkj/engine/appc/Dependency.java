package dev.rkj.engine.appc;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * An image this image is layered on (aci.md "dependencies"), found by name and labels through
 * discovery; when an image ID is given the found image must have exactly that ID, and when
 * {@code size} is given the ACE should check it.
 *
 * <p>{@code imageIdText} keeps the ID as written. The reference implementation accepted any
 * {@code sha512-<value>} here (the spec's own example says {@code "sha512-..."}), so rkj does too:
 * {@link #imageId()} is the parsed ID when the text is a full image ID, and empty otherwise, in
 * which case the dependency is found by name and labels alone.
 */
public record Dependency(AcIdentifier imageName, Optional<String> imageIdText, Labels labels, OptionalLong size) {
    /** The prefix every dependency image ID must carry. */
    public static final String ID_PREFIX = "sha512-";

    public Dependency {
        if (imageName == null || imageIdText == null || labels == null || size == null) {
            throw new IllegalArgumentException(
                    "a dependency needs an image name (use Optional.empty() for absent parts)");
        }
        if (size.isPresent() && size.getAsLong() < 0) {
            throw new IllegalArgumentException("dependency size " + size.getAsLong() + " must not be negative");
        }
        imageIdText.ifPresent(Dependency::checkImageIdText);
    }

    /** Checks an image ID as a dependency may give it; returns it unchanged. */
    static String checkImageIdText(String text) {
        if (!text.startsWith(ID_PREFIX) || text.length() == ID_PREFIX.length()) {
            throw new IllegalArgumentException("\"" + text + "\" is not an image ID: expected sha512-<hex digest>");
        }
        return text;
    }

    /** A dependency pinned to exactly this image. */
    public Dependency(AcIdentifier imageName, ImageId imageId, Labels labels, OptionalLong size) {
        this(imageName, Optional.of(imageId.toString()), labels, size);
    }

    /** The pinned image ID, when the manifest gives a full one. */
    public Optional<ImageId> imageId() {
        return imageIdText.flatMap(text -> {
            try {
                return Optional.of(ImageId.parse(text));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }

    /** A dependency on the image {@code name} with these labels and no pinned ID or size. */
    public static Dependency of(String name, Labels labels) {
        return new Dependency(AcIdentifier.parse(name), Optional.empty(), labels, OptionalLong.empty());
    }
}
