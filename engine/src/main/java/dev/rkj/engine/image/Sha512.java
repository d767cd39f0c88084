package dev.rkj.engine.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-512 digests behind appc image IDs ({@code sha512-<128 hex digits>}). */
public final class Sha512 {
    /** The prefix of every image ID (appc Image ID Type: {@code hash-value}, hash {@code sha512}). */
    public static final String IMAGE_ID_PREFIX = "sha512-";

    private Sha512() {}

    /** A fresh SHA-512 digest. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-512, which every Java SE platform must provide", e);
        }
    }

    /** Finishes {@code digest} and returns it as an image ID, {@code sha512-<hex>}. */
    public static String imageId(MessageDigest digest) {
        return imageId(digest.digest());
    }

    /** An image ID from a finished SHA-512 digest. */
    public static String imageId(byte[] sha512) {
        if (sha512.length != 64) {
            throw new IllegalArgumentException("a SHA-512 digest has 64 bytes, not " + sha512.length);
        }
        return IMAGE_ID_PREFIX + HexFormat.of().formatHex(sha512);
    }

    /** The image ID of an uncompressed tar held in memory. */
    public static String imageIdOf(byte[] uncompressedTar) {
        MessageDigest digest = newDigest();
        digest.update(uncompressedTar);
        return imageId(digest);
    }
}
