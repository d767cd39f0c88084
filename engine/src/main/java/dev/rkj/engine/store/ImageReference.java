package dev.rkj.engine.store;

import dev.rkj.engine.appc.AcIdentifier;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.appc.Labels;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a user names an image: an image ID or a prefix of one ({@code sha512-4f2a}), or a name
 * with labels as rkt and appc write it: {@code example.com/app}, {@code example.com/app:1.0.0}
 * (the version label) or {@code example.com/app,version=1.0.0,os=linux}.
 */
public sealed interface ImageReference {

    /** The reference as given. */
    String text();

    /** An image ID or a prefix of one. */
    record ById(String text, ImageId.Prefix prefix) implements ImageReference {}

    /** A name with labels (labels not given match any value, see {@code LabelMatch}). */
    record ByName(String text, String name, Map<String, String> labels) implements ImageReference {
        public ByName {
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }
    }

    /**
     * Parses a reference.
     *
     * @throws IllegalArgumentException naming what is wrong: a malformed ID, name or label
     */
    static ImageReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an image reference is required: an image ID (sha512-...) or a name"
                    + " such as example.com/app:1.0.0");
        }
        if (text.startsWith(ImageId.ALGORITHM + "-")) {
            return new ById(text, ImageId.parsePrefix(text));
        }
        String[] parts = text.split(",", -1);
        String name = parts[0];
        Map<String, String> labels = new LinkedHashMap<>();
        int colon = name.indexOf(':');
        if (colon >= 0) {
            String version = name.substring(colon + 1);
            name = name.substring(0, colon);
            if (version.isEmpty()) {
                throw new IllegalArgumentException("image reference \"" + text + "\" has an empty version after ':'");
            }
            labels.put(Labels.VERSION, version);
        }
        identifierProblem(name).ifPresent(problem -> {
            throw new IllegalArgumentException("image reference \"" + text + "\": " + problem);
        });
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("image reference \"" + text + "\": label \"" + part
                        + "\" is not name=value");
            }
            String label = part.substring(0, eq);
            identifierProblem(label).ifPresent(problem -> {
                throw new IllegalArgumentException("image reference \"" + text + "\": label " + problem);
            });
            if (labels.put(label, part.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("image reference \"" + text + "\" gives label \"" + label + "\" twice");
            }
        }
        return new ByName(text, name, labels);
    }

    private static Optional<String> identifierProblem(String value) {
        try {
            AcIdentifier.parse(value);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }
}
