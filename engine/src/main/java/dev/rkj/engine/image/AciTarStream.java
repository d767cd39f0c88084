package dev.rkj.engine.image;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Reads an ACI once, front to back, checking its layout as it goes: decompression (detected by
 * magic bytes), the image ID (SHA-512 of every uncompressed byte, end-of-archive padding
 * included), top-level names ({@code manifest} and {@code rootfs/} only), duplicate entries,
 * unsafe names and links ({@link RootfsModel}), path lengths and depths ({@link PathLimits}), the
 * pod's mount points ({@link PodMountPoints}), truncation and the byte and entry limits. The cost
 * is linear in the archive's size.
 *
 * <p>{@link #next()} returns the {@code rootfs} entries; the manifest is read into memory on the
 * way. {@link #finish()} reads to the end of the stream and returns the image ID. Not thread-safe.
 */
final class AciTarStream implements Closeable {
    /** The largest manifest accepted (appc manifests are a few KiB). */
    static final int MAX_MANIFEST_BYTES = 1 << 20;

    private static final long UID_MAX = 0xFFFF_FFFEL;

    /** The result of reading an archive to its end. */
    record Finished(String imageId, byte[] manifestJson, long uncompressedSize, int entryCount, LeftOut leftOut) {}

    private final String source;
    private final Compression compression;
    private final ParallelDigest digest;
    private final HashingInputStream hashing;
    private final TarArchiveInputStream tar;
    private final long maxTarBytes;
    private final int maxEntries;
    private final boolean allowNodes;
    private final RootfsModel model = new RootfsModel();
    private final List<String> leftOutPaths = new ArrayList<>();
    private int leftOutCount;

    private long nextHeaderOffset;
    private int entryCount;
    private String currentName;
    private byte[] manifest;
    private String manifestName;
    private boolean atEnd;

    private AciTarStream(String source, Compression compression, InputStream decompressed, long maxTarBytes, int maxEntries,
            boolean allowNodes) {
        this.source = source;
        this.allowNodes = allowNodes;
        this.compression = compression;
        this.digest = new ParallelDigest(Sha512.newDigest(), source);
        this.hashing = new HashingInputStream(decompressed, digest, maxTarBytes);
        this.tar = new BoundedTarInputStream(hashing);
        this.maxTarBytes = maxTarBytes;
        this.maxEntries = maxEntries;
    }

    /**
     * Detects the compression of {@code raw} and prepares to read it. Takes ownership of {@code raw}.
     *
     * @param source      names the archive in messages (usually its path)
     * @param maxTarBytes the most uncompressed bytes to read, end padding included
     * @param maxEntries  the most tar entries to accept
     * @param allowNodes  return device nodes and FIFOs like other entries; when false (the default for
     *                    images) those under {@code rootfs/dev/} are skipped and counted ({@link LeftOut}),
     *                    any other is refused
     */
    static AciTarStream open(InputStream raw, String source, long maxTarBytes, int maxEntries, boolean allowNodes)
            throws AciFormatException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        try {
            buffered.mark(Compression.MAGIC_PEEK);
            byte[] head = buffered.readNBytes(Compression.MAGIC_PEEK);
            buffered.reset();
            if (head.length == 0) {
                throw new AciFormatException(source, null, "the file is empty; fetch the image again");
            }
            Compression compression = Compression.detect(head)
                    .orElseThrow(() -> new AciFormatException(source, null, "not an ACI: " + Compression.describeUnknown(head)));
            return new AciTarStream(source, compression, compression.decompress(buffered), maxTarBytes, maxEntries,
                    allowNodes);
        } catch (AciFormatException e) {
            closeQuietly(buffered, e);
            throw e;
        } catch (IOException e) {
            AciFormatException failure = new AciFormatException(source, null, "cannot read the archive: " + e.getMessage(), e);
            closeQuietly(buffered, failure);
            throw failure;
        }
    }

    Compression compression() {
        return compression;
    }

    /**
     * The next {@code rootfs} entry, checked; null after the last one. Any unread data of the
     * previous entry is skipped (and hashed).
     */
    AciEntry next() throws AciFormatException {
        if (atEnd) {
            return null;
        }
        while (true) {
            hashing.captureRecordAt(nextHeaderOffset);
            TarArchiveEntry header;
            try {
                header = tar.getNextEntry();
            } catch (IOException e) {
                throw readFailure(e, currentName == null ? " at its start" : " in or after this entry");
            }
            if (header == null) {
                atEnd = true;
                if (!hashing.capturedRecordIsZero()) {
                    throw new AciFormatException(source, currentName, "the archive ends without a tar end-of-archive record"
                            + (currentName == null ? "" : " after this entry") + ": it is truncated; fetch the image again");
                }
                return null;
            }
            long dataStart = hashing.position();
            nextHeaderOffset = dataStart + roundUpToRecord(header.getSize());
            currentName = header.getName();
            if (header.isGlobalPaxHeader()) {
                continue;
            }
            if (++entryCount > maxEntries) {
                throw refuse("the archive has more than " + maxEntries
                        + " entries (the limit); raise maxEntries if the image is genuine");
            }
            AciEntry entry = classify(header);
            if (entry != null) {
                return entry;
            }
        }
    }

    /** Reads data of the current entry, like {@link InputStream#read(byte[], int, int)}. */
    int read(byte[] buffer, int offset, int length) throws AciFormatException {
        try {
            return tar.read(buffer, offset, length);
        } catch (IOException e) {
            throw readFailure(e, "");
        }
    }

    /**
     * Reads to the end of the archive (the remaining entries are checked like {@link #next()}),
     * then checks that a manifest was found, that no symlink leads out of rootfs and that the pod's
     * mount points ({@link PodMountPoints}) are directories or absent.
     */
    Finished finish() throws AciFormatException {
        while (next() != null) {
            // checked by next(), data skipped
        }
        byte[] sha512;
        try {
            hashing.drain();
            sha512 = digest.finish();
        } catch (IOException e) {
            throw readFailure(e, " after the end-of-archive record");
        }
        if (manifest == null) {
            throw new AciFormatException(source, null,
                    "no 'manifest' entry: an ACI holds a manifest file and a rootfs/ directory");
        }
        RootfsModel.Escape escape = model.firstEscapingSymlink();
        if (escape != null) {
            throw new AciFormatException(source, escape.entryName(), escape.reason());
        }
        RootfsModel.MountPointProblem mountPoint = model.mountPointProblem();
        if (mountPoint != null) {
            throw new AciFormatException(source, mountPoint.entryName(), mountPoint.reason());
        }
        return new Finished(Sha512.imageId(sha512), manifest, hashing.position(), entryCount,
                new LeftOut(leftOutPaths, leftOutCount));
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }

    /** Returns the rootfs entry for {@code header}, or null after consuming the manifest or skipping a node under /dev. */
    private AciEntry classify(TarArchiveEntry header) throws AciFormatException {
        String name = header.getName();
        List<String> components;
        try {
            components = EntryPath.components(name);
        } catch (EntryPath.UnsafeNameException e) {
            throw refuse(e.getMessage());
        }
        EntryKind kind = kindOf(header);
        if (components.isEmpty()) {
            if (kind != EntryKind.DIRECTORY) {
                throw refuse("a " + kind.description() + " named as the archive root");
            }
            return null; // "./": the archive root itself, nothing to unpack
        }
        String top = components.get(0);
        if (top.equals("manifest")) {
            readManifest(header, components, kind);
            return null;
        }
        if (!top.equals("rootfs")) {
            throw refuse("outside rootfs/: an ACI holds only 'manifest' and 'rootfs/' at the top level");
        }
        if (header.getLongUserId() < 0 || header.getLongUserId() > UID_MAX
                || header.getLongGroupId() < 0 || header.getLongGroupId() > UID_MAX) {
            throw refuse("uid " + header.getLongUserId() + " or gid " + header.getLongGroupId() + " is out of range");
        }
        String path = String.join("/", components.subList(1, components.size()));
        String linkTarget = null;
        if (kind == EntryKind.SYMLINK) {
            linkTarget = header.getLinkName();
        } else if (kind == EntryKind.HARDLINK) {
            linkTarget = hardLinkTarget(header.getLinkName());
        }
        AciEntry entry = new AciEntry(name, path, kind, header.getMode() & 07777, header.getLongUserId(),
                header.getLongGroupId(), header.getLastModifiedTime(), kind == EntryKind.FILE ? header.getSize() : 0,
                linkTarget, header.getDevMajor(), header.getDevMinor());
        EntryKind is;
        try {
            is = model.add(entry);
        } catch (RootfsModel.RefusedException e) {
            throw refuse(e.getMessage());
        }
        if (is.isNode() && !allowNodes) {
            if (components.size() > 2 && components.get(1).equals("dev")) {
                // the pod mounts its own /dev over this one: left out of the tree, never reachable
                if (leftOutPaths.size() < LeftOut.MAX_PATHS) {
                    leftOutPaths.add("/" + path);
                }
                leftOutCount++;
                return null;
            }
            String what = kind == EntryKind.HARDLINK ? "a hard link to a " + is.description() + " (rootfs/" + linkTarget + ")"
                    : is == EntryKind.FIFO ? "a FIFO" : "a " + is.description() + " (" + entry.devMajor() + ":" + entry.devMinor() + ")";
            throw refuse(what + " is refused: an image may hold device nodes and FIFOs only under /dev, where the pod"
                    + " mounts its own /dev over them; remove it from the image and build it again");
        }
        return entry;
    }

    private EntryKind kindOf(TarArchiveEntry header) throws AciFormatException {
        if (header.isSparse()) {
            throw refuse("sparse file entries are not supported; rebuild the image without --sparse");
        }
        if (header.isDirectory()) {
            if (header.getSize() != 0) {
                throw refuse("a directory entry that declares " + header.getSize() + " bytes of data (type '"
                        + (char) header.getLinkFlag() + "' is not supported)");
            }
            return EntryKind.DIRECTORY;
        }
        switch (header.getLinkFlag()) {
            case TarConstants.LF_OLDNORM:
            case TarConstants.LF_NORMAL:
            case TarConstants.LF_CONTIG:
                return EntryKind.FILE;
            case TarConstants.LF_LINK:
                return EntryKind.HARDLINK;
            case TarConstants.LF_SYMLINK:
                return EntryKind.SYMLINK;
            case TarConstants.LF_CHR:
                return EntryKind.CHAR_DEVICE;
            case TarConstants.LF_BLK:
                return EntryKind.BLOCK_DEVICE;
            case TarConstants.LF_FIFO:
                return EntryKind.FIFO;
            default:
                throw refuse("unsupported tar entry type '" + (char) header.getLinkFlag() + "'");
        }
    }

    private void readManifest(TarArchiveEntry header, List<String> components, EntryKind kind) throws AciFormatException {
        if (components.size() > 1) {
            throw refuse("outside rootfs/: 'manifest' must be a file, not a directory holding entries");
        }
        if (manifest != null) {
            throw refuse("duplicate entry: the manifest appeared before as entry '" + manifestName
                    + "'; an ACI must not have duplicate entries");
        }
        if (kind != EntryKind.FILE) {
            throw refuse("the manifest must be a regular file, not a " + kind.description());
        }
        if (header.getSize() > MAX_MANIFEST_BYTES) {
            throw refuse("the manifest declares " + header.getSize() + " bytes, more than the " + MAX_MANIFEST_BYTES
                    + "-byte limit for manifests");
        }
        byte[] bytes = new byte[(int) header.getSize()];
        int filled = 0;
        while (filled < bytes.length) {
            int n = read(bytes, filled, bytes.length - filled);
            if (n < 0) {
                throw refuse("the manifest is truncated; fetch the image again");
            }
            filled += n;
        }
        manifest = bytes;
        manifestName = header.getName();
    }

    private String hardLinkTarget(String linkName) throws AciFormatException {
        List<String> components;
        try {
            components = EntryPath.components(linkName);
        } catch (EntryPath.UnsafeNameException e) {
            throw refuse("hard link target '" + linkName + "': " + e.getMessage());
        }
        if (components.size() < 2 || !components.get(0).equals("rootfs")) {
            throw refuse("hard link to '" + linkName + "', outside rootfs/");
        }
        return String.join("/", components.subList(1, components.size()));
    }

    private AciFormatException refuse(String problem) {
        return new AciFormatException(source, currentName, problem);
    }

    private AciFormatException readFailure(IOException e, String where) {
        if (e instanceof BoundedTarInputStream.ExtendedHeaderTooLarge big) {
            return new AciFormatException(source, currentName, big.kind() + (currentName == null ? "" : " after this entry")
                    + " declares " + big.declaredBytes() + " bytes, over the limit of "
                    + BoundedTarInputStream.MAX_EXTENDED_HEADER_BYTES + " (a decompression bomb?): the image is refused", e);
        }
        if (e instanceof HashingInputStream.LimitExceededException) {
            return new AciFormatException(source, currentName, "the archive holds more than " + maxTarBytes
                    + " uncompressed bytes, the limit (a tar bomb?); raise maxTotalBytes if the image is genuine", e);
        }
        if (e instanceof java.io.InterruptedIOException) {
            return new AciFormatException(source, currentName, "interrupted while reading the archive", e);
        }
        String kind = compression == Compression.NONE ? "tar" : compression.wireName() + "-compressed tar";
        return new AciFormatException(source, currentName, "corrupt or truncated " + kind + where + ": " + e.getMessage()
                + "; fetch the image again", e);
    }

    private static long roundUpToRecord(long size) {
        long record = HashingInputStream.RECORD;
        return (size + record - 1) / record * record;
    }

    private static void closeQuietly(Closeable closeable, Exception failure) {
        try {
            closeable.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
