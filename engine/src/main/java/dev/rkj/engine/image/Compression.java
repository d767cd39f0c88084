package dev.rkj.engine.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/**
 * The compressions an ACI may use (appc: a tar, optionally gzip, bzip2 or xz compressed).
 * Detected from the magic bytes, never from the file name.
 */
public enum Compression {
    NONE("none"),
    GZIP("gzip"),
    BZIP2("bzip2"),
    XZ("xz");

    /** Bytes to peek at to detect a compression: the tar magic sits at offset 257. */
    static final int MAGIC_PEEK = 263;

    private static final byte[] GZIP_MAGIC = {(byte) 0x1f, (byte) 0x8b};
    private static final byte[] BZIP2_MAGIC = {'B', 'Z', 'h'};
    private static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] ZSTD_MAGIC = {(byte) 0x28, (byte) 0xb5, (byte) 0x2f, (byte) 0xfd};
    private static final byte[] USTAR_MAGIC = "ustar".getBytes(StandardCharsets.US_ASCII);

    private final String wireName;

    Compression(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case name used on the command line and in events: none, gzip, bzip2, xz. */
    public String wireName() {
        return wireName;
    }

    /** Parses a {@link #wireName()} (case-insensitive). */
    public static Optional<Compression> fromWireName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(c -> c.wireName.equals(lower)).findFirst();
    }

    /**
     * Detects the compression from the first bytes of an archive.
     *
     * @param head up to {@link #MAGIC_PEEK} bytes from the start of the file
     * @return the compression, or empty when the bytes are neither a known compression nor a tar
     */
    static Optional<Compression> detect(byte[] head) {
        if (startsWith(head, GZIP_MAGIC)) {
            return Optional.of(GZIP);
        }
        if (startsWith(head, BZIP2_MAGIC)) {
            return Optional.of(BZIP2);
        }
        if (startsWith(head, XZ_MAGIC)) {
            return Optional.of(XZ);
        }
        if (head.length >= 257 + USTAR_MAGIC.length
                && Arrays.equals(head, 257, 257 + USTAR_MAGIC.length, USTAR_MAGIC, 0, USTAR_MAGIC.length)) {
            return Optional.of(NONE);
        }
        return Optional.empty();
    }

    /**
     * Why a file whose first bytes are {@code head} cannot be an ACI (neither a known compression
     * nor a tar), or empty when it may be one.
     */
    public static Optional<String> notAnAci(byte[] head) {
        return detect(head).isPresent() ? Optional.empty() : Optional.of(describeUnknown(head));
    }

    /** How many leading bytes {@link #notAnAci} needs. */
    public static int magicPeek() {
        return MAGIC_PEEK;
    }

    /** A short description of unrecognized leading bytes, for error messages. */
    static String describeUnknown(byte[] head) {
        if (startsWith(head, ZSTD_MAGIC)) {
            return "zstd-compressed data (an ACI may only use gzip, bzip2 or xz)";
        }
        if (head.length > 0 && (head[0] & 0xff) >= 0x80 && (head[0] & 0x40) != 0) {
            return "what looks like OpenPGP data (encrypted ACIs are not supported; decrypt it first)";
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            hex.append(String.format("%02x", head[i] & 0xff));
        }
        return "unrecognized data (first bytes " + hex + "); an ACI is a tar, optionally gzip, bzip2 or xz compressed";
    }

    /** Wraps a compressed stream in its decompressor; concatenated members are read like {@code gzip -dc}. */
    InputStream decompress(InputStream compressed) throws IOException {
        switch (this) {
            case NONE:
                return compressed;
            case GZIP:
                return new BufferedInputStream(new GzipCompressorInputStream(compressed, true), 1 << 16);
            case BZIP2:
                return new BufferedInputStream(new BZip2CompressorInputStream(compressed, true), 1 << 16);
            case XZ:
                return new BufferedInputStream(new XZCompressorInputStream(compressed, true), 1 << 16);
            default:
                throw new AssertionError(this);
        }
    }

    /** Wraps a stream in this compression's compressor, with deterministic headers (no name, no time). */
    OutputStream compress(OutputStream out) throws IOException {
        switch (this) {
            case NONE:
                return out;
            case GZIP: {
                GzipParameters parameters = new GzipParameters();
                parameters.setModificationTime(0);
                parameters.setOperatingSystem(3); // Unix
                return new GzipCompressorOutputStream(out, parameters);
            }
            case BZIP2:
                return new BZip2CompressorOutputStream(out);
            case XZ:
                return new XZCompressorOutputStream(out, 6);
            default:
                throw new AssertionError(this);
        }
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }
}
