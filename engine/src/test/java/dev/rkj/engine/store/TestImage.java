package dev.rkj.engine.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.image.AciBuildException;
import dev.rkj.engine.image.AciWriter;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.image.ManifestValidator;
import dev.rkj.engine.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds small real ACIs for store tests: a manifest (name, labels, dependencies, pathWhitelist)
 * and a rootfs of files, directories and symlinks, written with rkj's {@link AciWriter}.
 */
final class TestImage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private interface Content {
        void writeTo(Path rootfs) throws IOException;
    }

    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final ArrayNode dependencies = JSON.createArrayNode();
    private final List<String> whitelist = new ArrayList<>();
    private final List<Content> contents = new ArrayList<>();
    private Instant mtime = Instant.parse("2022-01-01T00:00:00Z");

    private TestImage(String name) {
        this.name = name;
    }

    static TestImage named(String name) {
        return new TestImage(name);
    }

    TestImage label(String label, String value) {
        labels.put(label, value);
        return this;
    }

    TestImage version(String version) {
        return label("version", version);
    }

    /** A dependency found by name and labels (alternating label names and values). */
    TestImage dependsOn(String imageName, String... labelPairs) {
        ObjectNode dependency = dependencies.addObject().put("imageName", imageName);
        if (labelPairs.length > 0) {
            ArrayNode list = dependency.putArray("labels");
            for (int i = 0; i < labelPairs.length; i += 2) {
                list.addObject().put("name", labelPairs[i]).put("value", labelPairs[i + 1]);
            }
        }
        return this;
    }

    /** A dependency pinned to an image ID. */
    TestImage dependsOnId(String imageName, ImageId id) {
        dependencies.addObject().put("imageName", imageName).put("imageID", id.toString());
        return this;
    }

    TestImage whitelist(String... paths) {
        whitelist.addAll(List.of(paths));
        return this;
    }

    TestImage file(String path, String content) {
        return file(path, content, 0644);
    }

    TestImage file(String path, String content, int mode) {
        contents.add(rootfs -> {
            Path file = rootfs.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            Files.setAttribute(file, "unix:mode", mode);
        });
        return this;
    }

    TestImage directory(String path, int mode) {
        contents.add(rootfs -> {
            Path dir = Files.createDirectories(rootfs.resolve(path));
            Files.setAttribute(dir, "unix:mode", mode);
        });
        return this;
    }

    TestImage symlink(String path, String target) {
        contents.add(rootfs -> {
            Path link = rootfs.resolve(path);
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(target));
        });
        return this;
    }

    TestImage hardlink(String path, String existing) {
        contents.add(rootfs -> Files.createLink(rootfs.resolve(path), rootfs.resolve(existing)));
        return this;
    }

    /** Sets the owner of a path already added (symlinks themselves, not their targets); needs root. */
    TestImage owner(String path, int uid, int gid) {
        contents.add(rootfs -> {
            Files.setAttribute(rootfs.resolve(path), "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(rootfs.resolve(path), "unix:gid", gid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        });
        return this;
    }

    /** Sets the mode of a path already added (after {@link #owner}: chown clears setuid). */
    TestImage mode(String path, int mode) {
        contents.add(rootfs -> Files.setAttribute(rootfs.resolve(path), "unix:mode", mode));
        return this;
    }

    /** A character device made with mknod(1); needs root. */
    TestImage charDevice(String path, int major, int minor) {
        contents.add(rootfs -> {
            Files.createDirectories(rootfs.resolve(path).getParent());
            dev.rkj.engine.testing.Commands.run("mknod", rootfs.resolve(path).toString(), "c", "" + major, "" + minor);
        });
        return this;
    }

    /** Every path gets a distinct mtime from {@code start} on (so a test can tell whose directory won). */
    TestImage mtimesFrom(Instant start) {
        this.mtime = start;
        return this;
    }

    String manifestJson() {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("acKind", "ImageManifest");
        manifest.put("acVersion", "0.8.11");
        manifest.put("name", name);
        ArrayNode labelList = manifest.putArray("labels");
        labels.forEach((k, v) -> labelList.addObject().put("name", k).put("value", v));
        if (!dependencies.isEmpty()) {
            manifest.set("dependencies", dependencies);
        }
        if (!whitelist.isEmpty()) {
            ArrayNode list = manifest.putArray("pathWhitelist");
            whitelist.forEach(list::add);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the image directory ({@code manifest}, {@code rootfs/}) under {@code work}. */
    Path writeDirectory(Path work) {
        try {
            Path dir = Files.createDirectories(work.resolve("image-" + COUNTER.incrementAndGet()));
            Files.writeString(dir.resolve("manifest"), manifestJson());
            Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
            for (Content content : contents) {
                content.writeTo(rootfs);
            }
            TestImages.setDistinctMtimes(rootfs, mtime);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a gzip ACI under {@code work} and returns its path. */
    Path writeAci(Path work) {
        return writeAci(work, Compression.GZIP);
    }

    Path writeAci(Path work, Compression compression) {
        return aciFrom(writeDirectory(work), compression);
    }

    /** Writes the image directory {@code dir} as {@code <dir>.aci} beside it. */
    static Path aciFrom(Path dir, Compression compression) {
        Path aci = dir.resolveSibling(dir.getFileName() + ".aci");
        try {
            new AciWriter(ManifestValidator.jsonObject()).write(dir, aci, compression);
        } catch (AciBuildException e) {
            throw new IllegalStateException(e);
        }
        return aci;
    }
}
