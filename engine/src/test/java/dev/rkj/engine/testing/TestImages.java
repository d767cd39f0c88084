package dev.rkj.engine.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.image.Compression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds real test images: a busybox rootfs (from Debian's busybox-static), image manifests, and
 * ACIs made with GNU tar and the gzip/bzip2/xz programs, independently of rkj's own writer.
 */
public final class TestImages {
    /** The statically linked busybox the rootfs is built from. */
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    /** The applets linked to busybox in {@code /bin}. */
    public static final List<String> APPLETS = List.of("sh", "echo", "cat", "ls", "id", "true", "false", "sleep", "env",
            "hostname", "ps", "mount", "umount", "mkdir", "rm", "touch", "grep", "head", "wc", "stat", "uname", "pwd",
            "test", "printf", "kill", "readlink", "whoami", "cp", "mv", "ln", "chmod", "date");

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestImages() {}

    /**
     * Fills {@code rootfs} (created if missing) with busybox: {@code /bin/busybox}, relative
     * symlinks {@code /bin/<applet> -> busybox}, {@code /etc/passwd}, {@code /etc/group},
     * {@code /etc/hostname}, empty {@code /proc /sys /dev /root}, and {@code /tmp} (mode 1777).
     */
    public static Path busyboxRootfs(Path rootfs) {
        try {
            Path bin = Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(BUSYBOX, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
            Files.setAttribute(bin.resolve("busybox"), "unix:mode", 0755);
            for (String applet : APPLETS) {
                Files.deleteIfExists(bin.resolve(applet));
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
            Path etc = Files.createDirectories(rootfs.resolve("etc"));
            Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            Files.writeString(etc.resolve("group"), "root:x:0:\nnogroup:x:65534:\n");
            Files.writeString(etc.resolve("hostname"), "rkj-test\n");
            for (String dir : List.of("proc", "sys", "dev", "root")) {
                Files.createDirectories(rootfs.resolve(dir));
            }
            Files.setAttribute(rootfs.resolve("root"), "unix:mode", 0700);
            Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
            Files.setAttribute(tmp, "unix:mode", 01777);
            return rootfs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build a busybox rootfs in " + rootfs, e);
        }
    }

    /**
     * Adds to {@code rootfs} what a faithful unpack must keep, for round-trip tests: an empty
     * directory, a setuid file (04755), a setgid directory (02775), a read-only file (0444), a
     * read-only directory with contents (0555), two hard links to one file, a symlink to a
     * directory, a name over 100 bytes, a non-ASCII name; then gives every path (symlinks too)
     * a distinct mtime in whole seconds, directories after their contents.
     */
    public static Path featureRootfs(Path rootfs) {
        try {
            Files.createDirectories(rootfs.resolve("usr/share/empty"));
            Path suid = Files.writeString(Files.createDirectories(rootfs.resolve("usr/bin")).resolve("suid-tool"), "#!/bin/sh\n");
            Files.setAttribute(suid, "unix:mode", 04755);
            Path shared = Files.createDirectories(rootfs.resolve("srv/shared"));
            Files.writeString(shared.resolve("notes"), "shared\n");
            Files.setAttribute(shared, "unix:mode", 02775);
            Path data = Files.createDirectories(rootfs.resolve("data"));
            Path hard = Files.writeString(data.resolve("hard1"), "same inode\n");
            Files.createLink(data.resolve("hard2"), hard);
            Path readOnly = Files.writeString(data.resolve("readonly"), "read only\n");
            Files.setAttribute(readOnly, "unix:mode", 0444);
            Files.writeString(data.resolve("h\u00e9llo-\u4e16\u754c.txt"), "non-ASCII name\n");
            Files.createSymbolicLink(data.resolve("share-link"), Path.of("../usr/share"));
            Path deep = Files.createDirectories(rootfs.resolve("deep/" + "d".repeat(60) + "/" + "e".repeat(60)));
            Files.writeString(deep.resolve("f".repeat(80)), "long name\n");
            Path locked = Files.createDirectories(rootfs.resolve("locked"));
            Files.writeString(locked.resolve("inside"), "in a read-only directory\n");
            Files.setAttribute(locked, "unix:mode", 0555);
            setDistinctMtimes(rootfs, Instant.parse("2020-05-06T07:08:09Z"));
            return rootfs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the feature rootfs in " + rootfs, e);
        }
    }

    /** Gives every path below {@code root} (and root) its own mtime from {@code start} on, deepest first. */
    public static void setDistinctMtimes(Path root, Instant start) {
        List<Path> paths;
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(java.util.Comparator.comparingInt(Path::getNameCount).reversed()
                    .thenComparing(Path::toString)).collect(java.util.stream.Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long second = start.getEpochSecond();
        for (Path path : paths) {
            try {
                long mtime = second++;
                if (Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                    // Java opens a file to set its times, which blocks on a FIFO: let touch use utimensat
                    Commands.run("touch", "-h", "-m", "-d", "@" + mtime, "--", path.toString());
                    continue;
                }
                Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.from(mtime, TimeUnit.SECONDS), null, null);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set the mtime of " + path, e);
            }
        }
    }

    /** A minimal valid appc image manifest; {@code exec} may be empty (no app). */
    public static String imageManifestJson(String name, Map<String, String> labels, String... exec) {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("acKind", "ImageManifest");
        manifest.put("acVersion", "0.8.11");
        manifest.put("name", name);
        ArrayNode labelList = manifest.putArray("labels");
        labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(label ->
                labelList.addObject().put("name", label.getKey()).put("value", label.getValue()));
        if (exec.length > 0) {
            ObjectNode app = manifest.putObject("app");
            ArrayNode execList = app.putArray("exec");
            for (String arg : exec) {
                execList.add(arg);
            }
            app.put("user", "0");
            app.put("group", "0");
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image directory: {@code dir/manifest} (the given JSON) and {@code dir/rootfs} (busybox). */
    public static Path busyboxImageDir(Path dir, String manifestJson) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("manifest"), manifestJson, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        busyboxRootfs(dir.resolve("rootfs"));
        return dir;
    }

    /**
     * Makes an ACI from an image directory with GNU tar ({@code --sort=name}, numeric owners) and
     * the host's compressor program, independently of rkj's {@code AciWriter}.
     */
    public static Path gnuTarAci(Path imageDir, Path aci, Compression compression) {
        try {
            Path tar = Files.createTempFile(aci.toAbsolutePath().getParent(), "gnu-", ".tar");
            try {
                Commands.run("tar", "--sort=name", "--numeric-owner", "-C", imageDir.toString(), "-cf", tar.toString(),
                        "manifest", "rootfs");
                if (compression == Compression.NONE) {
                    Files.move(tar, aci, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Commands.run(aci, compressor(compression), "-c", tar.toString());
                }
            } finally {
                Files.deleteIfExists(tar);
            }
            return aci;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The image ID of an ACI computed by the host's tools: {@code <decompressor> -dc | sha512sum},
     * as appc's spec shows it. {@code compression} picks the decompressor.
     */
    public static String sha512sumImageId(Path aci, Compression compression) {
        try {
            Path tar = Files.createTempFile(aci.toAbsolutePath().getParent(), "plain-", ".tar");
            try {
                if (compression == Compression.NONE) {
                    Files.copy(aci, tar, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Commands.run(tar, compressor(compression), "-dc", aci.toString());
                }
                String line = Commands.run("sha512sum", tar.toString());
                return "sha512-" + line.substring(0, line.indexOf(' '));
            } finally {
                Files.deleteIfExists(tar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The host program for a compression: gzip, bzip2 or xz. */
    public static String compressor(Compression compression) {
        switch (compression) {
            case GZIP:
                return "gzip";
            case BZIP2:
                return "bzip2";
            case XZ:
                return "xz";
            default:
                throw new IllegalArgumentException("no compressor program for " + compression);
        }
    }
}
