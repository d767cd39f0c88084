package dev.rkj.engine.appc;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * An image ID (types.md, aci.md): {@code sha512-} followed by the 128 lowercase hex digits of the
 * SHA-512 of the image's uncompressed tar. Upper-case hex is accepted and normalised to lowercase.
 * For lookups by a shortened ID use {@link #parsePrefix}.
 */
public record ImageId(String hex) {
    public static final String ALGORITHM = "sha512";
    public static final int HEX_LENGTH = 128;
    private static final String PREFIX = ALGORITHM + "-";
    /** rkt's short form keeps this many hex digits. */
    private static final int SHORT_HEX_LENGTH = 32;

    /** @param hex 128 lowercase hex digits */
    public ImageId {
        if (hex == null || hex.length() != HEX_LENGTH || !isLowerHex(hex)) {
            throw new IllegalArgumentException(Quote.of(hex) + " is not a SHA-512 digest: expected "
                    + HEX_LENGTH + " lowercase hex digits");
        }
    }

    /** Parses {@code sha512-<128 hex digits>}; the exception message says what is wrong. */
    public static ImageId parse(String text) {
        String hex = hexPart(text, "an image ID");
        if (hex.length() != HEX_LENGTH) {
            throw new IllegalArgumentException(Quote.of(text) + " is not a full image ID: it has " + hex.length()
                    + " hex digits after \"sha512-\", a full ID has " + HEX_LENGTH);
        }
        return new ImageId(hex);
    }

    /** The ID of an image whose uncompressed tar has this SHA-512 digest (64 bytes). */
    public static ImageId ofDigest(byte[] sha512) {
        if (sha512.length != HEX_LENGTH / 2) {
            throw new IllegalArgumentException("a SHA-512 digest has 64 bytes, got " + sha512.length);
        }
        return new ImageId(HexFormat.of().formatHex(sha512));
    }

    /** Parses a possibly shortened ID such as {@code sha512-4f2a} (1 to 128 hex digits), for lookups. */
    public static Prefix parsePrefix(String text) {
        return new Prefix(hexPart(text, "an image ID prefix"));
    }

    private static String hexPart(String text, String what) {
        if (text == null) {
            throw new IllegalArgumentException(what + " is required");
        }
        int dash = text.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException(Quote.of(text) + " is not " + what
                    + ": expected sha512-<hex digits>, e.g. sha512-4f2a...");
        }
        String algorithm = text.substring(0, dash);
        if (!algorithm.equals(ALGORITHM)) {
            throw new IllegalArgumentException(Quote.of(text) + " is not " + what + ": hash algorithm "
                    + Quote.of(algorithm) + " is not supported, appc image IDs use sha512");
        }
        String hex = text.substring(dash + 1).toLowerCase(Locale.ROOT);
        if (hex.isEmpty() || hex.length() > HEX_LENGTH || !isLowerHex(hex)) {
            throw new IllegalArgumentException(Quote.of(text) + " is not " + what
                    + ": after \"sha512-\" expected 1 to " + HEX_LENGTH + " hex digits");
        }
        return hex;
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** rkt's short display form: {@code sha512-} and the first 32 hex digits. */
    public String shortString() {
        return PREFIX + hex.substring(0, SHORT_HEX_LENGTH);
    }

    @Override
    public String toString() {
        return PREFIX + hex;
    }

    /** A possibly shortened image ID, used to look images up; the store decides about ambiguity. */
    public record Prefix(String hex) {
        public Prefix {
            if (hex == null || hex.isEmpty() || hex.length() > HEX_LENGTH || !isLowerHex(hex)) {
                throw new IllegalArgumentException(Quote.of(hex) + " is not an image ID prefix: expected 1 to "
                        + HEX_LENGTH + " lowercase hex digits");
            }
        }

        public boolean matches(ImageId id) {
            return id.hex().startsWith(hex);
        }

        /** The full ID when this prefix has all 128 digits. */
        public Optional<ImageId> toImageId() {
            return hex.length() == HEX_LENGTH ? Optional.of(new ImageId(hex)) : Optional.empty();
        }

        @Override
        public String toString() {
            return PREFIX + hex;
        }
    }
}
