package dev.rkj.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Unpacks an ACI into {@code target/manifest} and {@code target/rootfs/}, in one streaming pass
 * that also computes the image ID, such that nothing outside the target can be reached.
 *
 * <p>Refused with an {@link UnpackException} naming the entry: absolute names and {@code ..}
 * components; entries other than {@code manifest} and {@code rootfs/...}; duplicates; entries
 * written through a symlink (every parent must be a real directory); symlinks that lead out of
 * rootfs when followed through the symlinks in the tree (absolute targets count from the rootfs
 * root, as the app sees them); hard links to outside, to entries not seen yet, or to
 * directories; paths, names and symlink targets beyond {@link PathLimits}; a {@code proc},
 * {@code sys}, {@code dev}, {@code dev/pts} or {@code dev/shm} that is not a directory; device
 * nodes and FIFOs outside {@code rootfs/dev/} unless allowed (those under it are left out, as the
 * pod mounts its own {@code /dev} there; created too when allowed); more bytes or entries than the limits
 * (counted while streaming); a corrupt or truncated archive; an image ID other than the expected
 * one.
 *
 * <p>Kept: contents, modes with setuid/setgid/sticky, uid/gid (when preserving ownership,
 * {@code lchown} for symlinks), mtimes (whole directories after their contents; symlinks where
 * the platform can), symlinks, hard links, empty directories. Not kept: xattrs.
 *
 * <p>Everything is written into a fresh mode-0700 directory beside the target, renamed into place
 * at the end; on any failure it is removed, so there is either a complete target or nothing. The
 * target keeps mode 0700, so host users cannot reach setuid programs in the rootfs.
 */
public final class AciUnpacker {
    private final NodeMaker nodeMaker;

    /** Creates device nodes and FIFOs (when allowed) with {@code mknod(1)}. */
    public AciUnpacker() {
        this(NodeMaker.mknod());
    }

    public AciUnpacker(NodeMaker nodeMaker) {
        this.nodeMaker = nodeMaker;
    }

    /** Unpacks the ACI file {@code aci} into {@code target}, which must not exist yet. */
    public UnpackResult unpack(Path aci, Path target, UnpackOptions options) throws UnpackException {
        String source = aci.toString();
        InputStream in;
        try {
            in = Files.newInputStream(aci);
        } catch (NoSuchFileException e) {
            throw new UnpackException(source, null, "no such file", e);
        } catch (IOException e) {
            throw new UnpackException(source, null, "cannot open: " + e.getMessage(), e);
        }
        return unpack(in, source, target, options);
    }

    /**
     * Unpacks an ACI read from {@code in} (closed when done) into {@code target}, which must not
     * exist yet; {@code source} names the archive in messages.
     */
    public UnpackResult unpack(InputStream in, String source, Path target, UnpackOptions options) throws UnpackException {
        Path absoluteTarget = target.toAbsolutePath().normalize();
        Path temp;
        try {
            temp = createTempBeside(source, absoluteTarget);
        } catch (IOException | UnpackException e) {
            UnpackException failure = e instanceof UnpackException ? (UnpackException) e
                    : new UnpackException(source, null, "cannot prepare " + absoluteTarget + ": " + e, e);
            try {
                in.close();
            } catch (IOException closing) {
                failure.addSuppressed(closing);
            }
            throw failure;
        }
        try {
            UnpackResult result = unpackInto(in, source, temp, absoluteTarget, options);
            moveIntoPlace(source, temp, absoluteTarget);
            return result;
        } catch (UnpackException | RuntimeException | Error e) {
            try {
                Trees.deleteRecursively(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private UnpackResult unpackInto(InputStream in, String source, Path temp, Path target, UnpackOptions options)
            throws UnpackException {
        Path rootfs = temp.resolve("rootfs");
        try {
            Files.createDirectory(rootfs);
            Files.setAttribute(rootfs, "unix:mode", 0755);
        } catch (IOException e) {
            throw new UnpackException(source, null, "cannot create " + rootfs + ": " + e, e);
        }
        RootfsWriter writer = new RootfsWriter(source, rootfs, options, nodeMaker);
        AciTarStream.Finished finished;
        Compression compression;
        try (AciTarStream stream = AciTarStream.open(in, source, options.maxTotalBytes(), options.maxEntries(),
                options.allowDeviceNodes())) {
            compression = stream.compression();
            AciEntry entry;
            while ((entry = stream.next()) != null) {
                writer.write(entry, stream);
            }
            finished = stream.finish();
        } catch (AciFormatException e) {
            throw UnpackException.of(e);
        } catch (IOException e) {
            throw new UnpackException(source, null, "cannot close the archive: " + e.getMessage(), e);
        }
        if (options.expectedImageId().isPresent() && !options.expectedImageId().get().equals(finished.imageId())) {
            throw new UnpackException(source, null, "image ID mismatch: expected " + options.expectedImageId().get()
                    + " but the archive is " + finished.imageId() + "; the image was altered or is not the one asked for");
        }
        PathWhitelist whitelist = new PathWhitelist(options.pathWhitelist());
        if (!whitelist.isEmpty()) {
            try {
                whitelist.prune(rootfs);
            } catch (IOException e) {
                throw new UnpackException(source, null, "cannot apply the path whitelist: " + e, e);
            }
        }
        writer.finishDirectories();
        Path manifest = temp.resolve("manifest");
        try {
            Files.write(manifest, finished.manifestJson(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(manifest, "unix:mode", 0644);
        } catch (IOException e) {
            throw new UnpackException(source, null, "cannot write " + manifest + ": " + e, e);
        }
        return new UnpackResult(finished.imageId(), target, finished.manifestJson(), compression,
                finished.uncompressedSize(), finished.entryCount(), writer.bytesWritten());
    }

    private static Path createTempBeside(String source, Path target) throws IOException, UnpackException {
        Path parent = target.getParent();
        if (parent == null) {
            throw new UnpackException(source, null, "cannot unpack into the root directory; name a directory below it");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnpackTargetExistsException(source, target);
        }
        Files.createDirectories(parent);
        // created with mode 0700; chmod again in case a default ACL or setgid parent widened it
        Path temp = Files.createTempDirectory(parent, "." + target.getFileName() + ".unpack-");
        Files.setAttribute(temp, "unix:mode", 0700);
        return temp;
    }

    private static void moveIntoPlace(String source, Path temp, Path target) throws UnpackException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            throw new UnpackTargetExistsException(source, target);
        } catch (IOException e) {
            throw new UnpackException(source, null, "cannot rename " + temp + " to " + target + ": " + e, e);
        }
    }
}
