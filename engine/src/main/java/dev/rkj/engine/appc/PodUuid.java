package dev.rkj.engine.appc;

import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A pod's RFC 4122 UUID (ace.md "Pod UUID"), in canonical lowercase 8-4-4-4-12 form.
 * Only RFC 4122 variant UUIDs of versions 1 to 5 are accepted. Use {@link #parsePrefix} for lookups.
 */
public record PodUuid(UUID value) {
    private static final Pattern CANONICAL = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    public PodUuid {
        if (value == null) {
            throw new IllegalArgumentException("a pod UUID is required");
        }
        if (value.variant() != 2) {
            throw new IllegalArgumentException(value + " is not an RFC 4122 UUID (variant " + value.variant()
                    + "); generate one with PodUuid.random()");
        }
        if (value.version() < 1 || value.version() > 5) {
            throw new IllegalArgumentException(value + " has UUID version " + value.version()
                    + ", RFC 4122 defines versions 1 to 5");
        }
    }

    /** Parses the canonical 36-character form (hex digits in either case). */
    public static PodUuid parse(String text) {
        if (text == null || !CANONICAL.matcher(text).matches()) {
            throw new IllegalArgumentException(Quote.of(text)
                    + " is not a UUID: expected 8-4-4-4-12 hex digits, e.g. 6733c3fc-8f5e-4a7b-9f2d-0c1e2d3f4a5b");
        }
        return new PodUuid(UUID.fromString(text));
    }

    /** A new random (version 4) pod UUID. */
    public static PodUuid random() {
        return new PodUuid(UUID.randomUUID());
    }

    /** Parses a leading part of a canonical UUID, e.g. {@code 6733c3fc} or {@code 6733c3fc-8f}, for lookups. */
    public static Prefix parsePrefix(String text) {
        return new Prefix(text == null ? null : text.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return value.toString();
    }

    /** A leading part of a pod UUID's canonical form. */
    public record Prefix(String text) {
        public Prefix {
            if (text == null || text.isEmpty() || text.length() > 36 || !isCanonicalPrefix(text)) {
                throw new IllegalArgumentException(Quote.of(text)
                        + " is not a pod UUID prefix: use the first characters of the UUID, e.g. 6733c3fc");
            }
        }

        private static boolean isCanonicalPrefix(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean dashPosition = i == 8 || i == 13 || i == 18 || i == 23;
                boolean ok = dashPosition ? c == '-' : (c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        public boolean matches(PodUuid uuid) {
            return uuid.toString().startsWith(text);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
