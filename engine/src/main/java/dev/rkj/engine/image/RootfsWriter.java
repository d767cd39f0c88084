package dev.rkj.engine.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes checked {@link AciEntry entries} below a fresh rootfs directory that only this writer
 * touches. Parents are directories this writer created (the {@link RootfsModel} has refused
 * anything else), files are opened with O_CREAT|O_EXCL|O_NOFOLLOW, and nothing is followed: so
 * nothing lands outside rootfs. Ownership is set before the mode (chown clears setuid); the
 * metadata of directories is set last, deepest first, so their own mode and mtime survive the
 * writing of their contents.
 */
final class RootfsWriter {
    private static final int BUFFER = 1 << 17;

    private final String source;
    private final Path rootfs;
    private final UnpackOptions options;
    private final NodeMaker nodeMaker;
    private final Set<String> directories = new HashSet<>();
    private final List<AciEntry> directoryEntries = new ArrayList<>();
    private final byte[] buffer = new byte[BUFFER];
    private long bytesWritten;

    RootfsWriter(String source, Path rootfs, UnpackOptions options, NodeMaker nodeMaker) {
        this.source = source;
        this.rootfs = rootfs;
        this.options = options;
        this.nodeMaker = nodeMaker;
        directories.add("");
    }

    long bytesWritten() {
        return bytesWritten;
    }

    /** Writes {@code entry}, reading a regular file's data from {@code data}. */
    void write(AciEntry entry, AciTarStream data) throws UnpackException {
        try {
            createParents(entry.path());
            Path path = entry.path().isEmpty() ? rootfs : rootfs.resolve(entry.path());
            switch (entry.kind()) {
                case DIRECTORY:
                    if (directories.add(entry.path())) {
                        Files.createDirectory(path);
                    }
                    directoryEntries.add(entry);
                    break;
                case FILE:
                    writeFile(entry, path, data);
                    setMetadata(path, entry);
                    break;
                case SYMLINK:
                    Files.createSymbolicLink(path, Path.of(entry.linkTarget()));
                    setMetadata(path, entry);
                    break;
                case HARDLINK:
                    Files.createLink(path, rootfs.resolve(entry.linkTarget()));
                    break;
                case CHAR_DEVICE:
                case BLOCK_DEVICE:
                case FIFO:
                    makeNode(entry, path);
                    setMetadata(path, entry);
                    break;
                default:
                    throw new AssertionError(entry.kind());
            }
        } catch (IOException e) {
            throw new UnpackException(source, entry.name(), "cannot write rootfs/" + entry.path() + ": " + e, e);
        }
    }

    /** Sets owner, mode and mtime of every directory entry that still exists, deepest first. */
    void finishDirectories() throws UnpackException {
        List<Map.Entry<Integer, AciEntry>> deepestFirst = new ArrayList<>(directoryEntries.size());
        for (AciEntry entry : directoryEntries) {
            deepestFirst.add(Map.entry(depth(entry.path()), entry));
        }
        deepestFirst.sort(Map.Entry.<Integer, AciEntry>comparingByKey().reversed());
        for (Map.Entry<Integer, AciEntry> deep : deepestFirst) {
            AciEntry entry = deep.getValue();
            Path path = entry.path().isEmpty() ? rootfs : rootfs.resolve(entry.path());
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                continue; // removed by the path whitelist
            }
            try {
                setMetadata(path, entry);
            } catch (IOException e) {
                throw new UnpackException(source, entry.name(), "cannot set owner, mode or mtime of rootfs/" + entry.path()
                        + ": " + e, e);
            }
        }
    }

    /**
     * Creates the parents of {@code path} that do not exist yet. Every ancestor of a directory
     * made here was made before it, so the walk stops at the deepest parent already made: one
     * lookup for most entries, whatever their depth.
     */
    private void createParents(String path) throws IOException {
        List<Integer> missing = new ArrayList<>(); // ends of the parents to create, deepest first
        int end = path.lastIndexOf('/');
        while (end > 0 && !directories.contains(path.substring(0, end))) {
            missing.add(end);
            end = path.lastIndexOf('/', end - 1);
        }
        for (int i = missing.size() - 1; i >= 0; i--) {
            String parent = path.substring(0, missing.get(i));
            directories.add(parent);
            Path directory = rootfs.resolve(parent);
            Files.createDirectory(directory);
            Files.setAttribute(directory, "unix:mode", 0755);
        }
    }

    private void writeFile(AciEntry entry, Path path, AciTarStream data) throws IOException, UnpackException {
        if (entry.size() > options.maxFileBytes()) {
            throw new UnpackException(source, entry.name(), "the file declares " + entry.size()
                    + " bytes, over the per-file limit of " + options.maxFileBytes() + "; raise maxFileBytes if the image is genuine");
        }
        long written = 0;
        try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = readData(data, entry)) >= 0) {
                written += n;
                if (written > options.maxFileBytes()) {
                    throw new UnpackException(source, entry.name(), "the file holds more than "
                            + options.maxFileBytes() + " bytes, the per-file limit; raise maxFileBytes if the image is genuine");
                }
                out.write(buffer, 0, n);
            }
        }
        bytesWritten += written;
    }

    private int readData(AciTarStream data, AciEntry entry) throws UnpackException {
        try {
            return data.read(buffer, 0, buffer.length);
        } catch (AciFormatException e) {
            throw UnpackException.of(e);
        }
    }

    private void makeNode(AciEntry entry, Path path) throws IOException, UnpackException {
        if (!options.allowDeviceNodes()) {
            String what = entry.kind() == EntryKind.FIFO ? "a FIFO"
                    : "a " + entry.kind().description() + " (" + entry.devMajor() + ":" + entry.devMinor() + ")";
            throw new UnpackException(source, entry.name(), what + " is refused: device nodes and FIFOs are only"
                    + " created when allowDeviceNodes is set");
        }
        NodeMaker.NodeType type = entry.kind() == EntryKind.CHAR_DEVICE ? NodeMaker.NodeType.CHARACTER_DEVICE
                : entry.kind() == EntryKind.BLOCK_DEVICE ? NodeMaker.NodeType.BLOCK_DEVICE : NodeMaker.NodeType.FIFO;
        nodeMaker.make(path, type, entry.devMajor(), entry.devMinor(), entry.mtime());
    }

    /**
     * Owner first (chown clears setuid/setgid), then mtime (Java opens the file to set it, which
     * a mode like 0000 would forbid an unprivileged unpacker), then mode (chmod leaves mtime alone).
     */
    private void setMetadata(Path path, AciEntry entry) throws IOException {
        boolean symlink = entry.kind() == EntryKind.SYMLINK;
        if (options.preserveOwnership()) {
            // lchown semantics: NOFOLLOW_LINKS changes a symlink itself, never its target
            Files.setAttribute(path, "unix:uid", (int) entry.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", (int) entry.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        if (!entry.kind().isNode()) { // the NodeMaker set a node's mtime: Java would open it (and block on a FIFO)
            BasicFileAttributeView times = Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            try {
                times.setTimes(entry.mtime(), null, null);
            } catch (IOException | UnsupportedOperationException e) {
                if (!symlink) {
                    throw e;
                }
                // a symlink's mtime is kept where the platform can set it (lutimes); it is cosmetic
            }
        }
        if (!symlink) {
            Files.setAttribute(path, "unix:mode", entry.mode()); // chmod(2): the path is not a symlink
        }
    }

    private static int depth(String path) {
        if (path.isEmpty()) {
            return 0;
        }
        int depth = 1;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                depth++;
            }
        }
        return depth;
    }
}
