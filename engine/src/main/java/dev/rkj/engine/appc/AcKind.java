package dev.rkj.engine.appc;

import java.util.regex.Pattern;

/**
 * An AC Kind (types.md): a non-empty alphanumeric string. The spec defines
 * {@link #IMAGE_MANIFEST} and {@link #POD_MANIFEST}; other kinds parse but have no defined meaning.
 */
public record AcKind(String value) {
    private static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9]+");

    public static final AcKind IMAGE_MANIFEST = new AcKind("ImageManifest");
    public static final AcKind POD_MANIFEST = new AcKind("PodManifest");

    /** @throws IllegalArgumentException when the value is empty or not alphanumeric */
    public AcKind {
        if (value == null || !PATTERN.matcher(value).matches()) {
            throw new IllegalArgumentException(Quote.of(value)
                    + " is not a valid AC Kind: use letters and digits only (ImageManifest or PodManifest)");
        }
    }

    public static AcKind parse(String value) {
        return new AcKind(value);
    }

    /** Whether the spec defines this kind. */
    public boolean isDefined() {
        return equals(IMAGE_MANIFEST) || equals(POD_MANIFEST);
    }

    @Override
    public String toString() {
        return value;
    }
}
