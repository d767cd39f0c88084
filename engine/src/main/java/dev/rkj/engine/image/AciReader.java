package dev.rkj.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads an ACI in one streaming pass: detects its compression by magic bytes, computes its image
 * ID, checks its layout and extracts the manifest. Nothing is written.
 *
 * <p>An archive is refused ({@link AciFormatException}, naming the file and the entry) when it is
 * corrupt or truncated, has entries other than {@code manifest} and {@code rootfs/...}, has
 * duplicate entries, lacks a manifest, has a manifest over 1 MiB, has a device node or FIFO outside
 * {@code rootfs/dev/} (those under it are counted in {@link AciInfo#leftOut()}), has unsafe names or links or
 * unusable mount points (see {@link AciUnpacker}), has paths beyond {@link PathLimits}, or holds
 * more than {@code maxTarBytes} uncompressed bytes. The cost is linear in the archive's size.
 */
public final class AciReader {
    /** Default cap on uncompressed bytes: 8 GiB. */
    public static final long DEFAULT_MAX_TAR_BYTES = 8L << 30;
    /** Default cap on entries. */
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;

    private final long maxTarBytes;
    private final int maxEntries;

    public AciReader() {
        this(DEFAULT_MAX_TAR_BYTES, DEFAULT_MAX_ENTRIES);
    }

    public AciReader(long maxTarBytes, int maxEntries) {
        if (maxTarBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("limits must be positive: maxTarBytes=" + maxTarBytes + ", maxEntries=" + maxEntries);
        }
        this.maxTarBytes = maxTarBytes;
        this.maxEntries = maxEntries;
    }

    /** Reads the ACI at {@code aci} and reports a detached signature {@code <aci>.asc} beside it. */
    public AciInfo read(Path aci) throws AciFormatException {
        String source = aci.toString();
        InputStream in;
        try {
            in = Files.newInputStream(aci);
        } catch (NoSuchFileException e) {
            throw new AciFormatException(source, null, "no such file", e);
        } catch (IOException e) {
            throw new AciFormatException(source, null, "cannot open: " + e.getMessage(), e);
        }
        return read(in, source, signatureOf(aci));
    }

    /** Reads an ACI from a stream (closed when done); {@code source} names it in messages. */
    public AciInfo read(InputStream in, String source) throws AciFormatException {
        return read(in, source, Optional.empty());
    }

    /** The detached signature of {@code aci}: {@code <file name>.asc} beside it, when it is a regular file. */
    public static Optional<Path> signatureOf(Path aci) {
        Path fileName = aci.getFileName();
        if (fileName == null) {
            return Optional.empty();
        }
        Path signature = aci.resolveSibling(fileName + ".asc");
        return Files.isRegularFile(signature, LinkOption.NOFOLLOW_LINKS) ? Optional.of(signature) : Optional.empty();
    }

    private AciInfo read(InputStream in, String source, Optional<Path> signature) throws AciFormatException {
        try (AciTarStream stream = AciTarStream.open(in, source, maxTarBytes, maxEntries, false)) {
            AciTarStream.Finished finished = stream.finish();
            return new AciInfo(finished.imageId(), finished.manifestJson(), stream.compression(),
                    finished.uncompressedSize(), finished.entryCount(), signature, finished.leftOut());
        } catch (IOException e) {
            throw new AciFormatException(source, null, "cannot close: " + e.getMessage(), e);
        }
    }
}
