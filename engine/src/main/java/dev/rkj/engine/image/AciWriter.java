package dev.rkj.engine.image;

import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes an ACI from an image directory holding {@code manifest} and {@code rootfs/} (what
 * {@code rkj image build} produces). The manifest goes first, then rootfs depth first with the
 * entries of each directory sorted by name, so the same tree always gives the same image ID.
 * Kept: modes with setuid/setgid/sticky, numeric uid/gid (no user names), mtimes (whole
 * seconds), symlinks, hard links (by inode), device nodes and FIFOs. Not kept: xattrs, sockets
 * (refused). Long names and large ids use PAX headers.
 *
 * <p>The archive is written to a temporary file beside the output, synced and renamed into place.
 */
public final class AciWriter {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;
    private static final String ATTRIBUTES = "unix:mode,uid,gid,ino,dev,rdev,nlink,size,lastModifiedTime";

    private final ManifestValidator validator;

    public AciWriter(ManifestValidator validator) {
        this.validator = validator;
    }

    /**
     * Writes {@code imageDir} as an ACI to {@code aciFile} (replacing it) with {@code compression}.
     *
     * @return the image ID: {@code sha512-} and the SHA-512 of the uncompressed tar written
     */
    public String write(Path imageDir, Path aciFile, Compression compression) throws AciBuildException {
        byte[] manifest = readManifest(imageDir);
        Path rootfs = imageDir.resolve("rootfs");
        if (!Files.isDirectory(rootfs, LinkOption.NOFOLLOW_LINKS)) {
            throw new AciBuildException(rootfs + " is not a directory: an image directory holds manifest and rootfs/");
        }
        Path output = aciFile.toAbsolutePath();
        Path temp;
        try {
            Files.createDirectories(output.getParent());
            temp = Files.createTempFile(output.getParent(), "." + output.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new AciBuildException("cannot create a temporary file beside " + output + ": " + e, e);
        }
        try {
            MessageDigest digest = Sha512.newDigest();
            try (TarArchiveOutputStream tar = openTar(temp, compression, digest)) {
                Map<String, String> linkedInodes = new HashMap<>();
                writeEntry(tar, imageDir.resolve("manifest"), "manifest", new HashMap<>()); // never a link target
                writeTree(tar, rootfs, "rootfs", linkedInodes);
                tar.finish();
            }
            Files.setAttribute(temp, "unix:mode", 0644);
            Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return Sha512.imageId(digest);
        } catch (IOException | AciBuildException | RuntimeException e) {
            AciBuildException failure = e instanceof AciBuildException ? (AciBuildException) e
                    : new AciBuildException("cannot write " + output + " from " + imageDir + ": " + e, e);
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    private byte[] readManifest(Path imageDir) throws AciBuildException {
        if (!Files.isDirectory(imageDir)) {
            throw new AciBuildException(imageDir + " is not a directory: give the image directory holding manifest and rootfs/");
        }
        List<String> extra = new ArrayList<>();
        try (DirectoryStream<Path> top = Files.newDirectoryStream(imageDir)) {
            for (Path child : top) {
                String name = child.getFileName().toString();
                if (!name.equals("manifest") && !name.equals("rootfs")) {
                    extra.add(name);
                }
            }
        } catch (IOException e) {
            throw new AciBuildException("cannot list " + imageDir + ": " + e, e);
        }
        if (!extra.isEmpty()) {
            extra.sort(null);
            throw new AciBuildException(imageDir + " holds " + extra + " besides manifest and rootfs/; an ACI holds"
                    + " nothing else at the top level: move them into rootfs/ or out of the image directory");
        }
        Path manifest = imageDir.resolve("manifest");
        if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
            throw new AciBuildException(manifest + " is missing or not a regular file: write the image manifest there");
        }
        byte[] bytes;
        try {
            if (Files.size(manifest) > AciTarStream.MAX_MANIFEST_BYTES) {
                throw new AciBuildException(manifest + " is larger than " + AciTarStream.MAX_MANIFEST_BYTES
                        + " bytes, the most an ACI reader accepts");
            }
            bytes = Files.readAllBytes(manifest);
        } catch (IOException e) {
            throw new AciBuildException("cannot read " + manifest + ": " + e, e);
        }
        try {
            validator.validate(bytes);
        } catch (InvalidManifestException e) {
            throw new AciBuildException(manifest + " is not a valid image manifest: " + e.getMessage(), e);
        }
        return bytes;
    }

    private static TarArchiveOutputStream openTar(Path temp, Compression compression, MessageDigest digest) throws IOException {
        OutputStream file = new SyncOnClose(new FileOutputStream(temp.toFile()));
        OutputStream compressed = compression.compress(new java.io.BufferedOutputStream(file, 1 << 16));
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new DigestOutputStream(compressed, digest),
                StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        return tar;
    }

    private void writeTree(TarArchiveOutputStream tar, Path directory, String name, Map<String, String> linkedInodes)
            throws IOException, AciBuildException {
        writeEntry(tar, directory, name + "/", linkedInodes);
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(children::add);
        }
        children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        for (Path child : children) {
            String childName = name + "/" + child.getFileName();
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                writeTree(tar, child, childName, linkedInodes);
            } else {
                writeEntry(tar, child, childName, linkedInodes);
            }
        }
    }

    private void writeEntry(TarArchiveOutputStream tar, Path path, String name, Map<String, String> linkedInodes)
            throws IOException, AciBuildException {
        Map<String, Object> attributes = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attributes.get("mode");
        int type = mode & S_IFMT;
        if (type == S_IFSOCK) {
            throw new AciBuildException(path + " is a socket, which a tar cannot hold: remove it from the image directory");
        }
        TarArchiveEntry entry;
        String inode = attributes.get("dev") + ":" + attributes.get("ino");
        String firstName = type != S_IFDIR && (Integer) attributes.get("nlink") > 1 ? linkedInodes.putIfAbsent(inode, name) : null;
        if (firstName != null) {
            entry = new TarArchiveEntry(name, TarConstants.LF_LINK);
            entry.setLinkName(firstName);
        } else {
            entry = new TarArchiveEntry(name, linkFlagOf(type, path));
            if (type == S_IFREG) {
                entry.setSize((Long) attributes.get("size"));
            } else if (type == S_IFLNK) {
                entry.setLinkName(Files.readSymbolicLink(path).toString());
            } else if (type == S_IFCHR || type == S_IFBLK) {
                long rdev = (Long) attributes.get("rdev");
                entry.setDevMajor((int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL)));
                entry.setDevMinor((int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL)));
            }
        }
        entry.setMode(mode & 07777);
        entry.setUserId(Integer.toUnsignedLong((Integer) attributes.get("uid")));
        entry.setGroupId(Integer.toUnsignedLong((Integer) attributes.get("gid")));
        entry.setUserName("");
        entry.setGroupName("");
        FileTime mtime = (FileTime) attributes.get("lastModifiedTime");
        entry.setLastModifiedTime(FileTime.from(mtime.to(TimeUnit.SECONDS), TimeUnit.SECONDS));
        tar.putArchiveEntry(entry);
        if (firstName == null && type == S_IFREG) {
            copyExactly(path, entry.getSize(), tar);
        }
        tar.closeArchiveEntry();
    }

    private static byte linkFlagOf(int type, Path path) {
        switch (type) {
            case S_IFREG:
                return TarConstants.LF_NORMAL;
            case S_IFDIR:
                return TarConstants.LF_DIR;
            case S_IFLNK:
                return TarConstants.LF_SYMLINK;
            case S_IFCHR:
                return TarConstants.LF_CHR;
            case S_IFBLK:
                return TarConstants.LF_BLK;
            case S_IFIFO:
                return TarConstants.LF_FIFO;
            default:
                throw new IllegalStateException(path + " has an unknown file type " + Integer.toOctalString(type));
        }
    }

    private static void copyExactly(Path path, long size, OutputStream out) throws IOException, AciBuildException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            while (copied < size) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied));
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
                copied += n;
            }
            if (copied != size || in.read() >= 0) {
                throw new AciBuildException(path + " changed size while it was being archived; build again from a quiet tree");
            }
        }
    }

    /** Syncs the file to disk when closed, so the rename that follows publishes complete data. */
    private static final class SyncOnClose extends FilterOutputStream {
        private final FileOutputStream file;

        SyncOnClose(FileOutputStream file) {
            super(file);
            this.file = file;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            file.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            try (file) {
                file.flush();
                file.getFD().sync();
            }
        }
    }
}
