package dev.rkj.engine.run;

import dev.rkj.engine.appc.App;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.ManifestException;
import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.stage.ImageSourcePort;
import dev.rkj.engine.stage.StageException;
import dev.rkj.engine.stage.TreeRendererPort;
import dev.rkj.testsupport.TestImages;

import java.io.IOException;
import java.nio.file.Files;
import dev.rkj.engine.store.ImageStore;
import java.nio.file.Path;

/**
 * An image already rendered on disk, standing in for the image store in the engine's integration
 * tests: a tree in the data directory's store, {@code cas/trees/<id>/manifest} (appc JSON) and
 * {@code cas/trees/<id>/rootfs} (a busybox tree). Its id is the SHA-512 of the manifest bytes. It
 * resolves any reference naming it, renders to its tree (already rendered), and gives its manifest
 * to the preparer: real file reads, no fakes.
 */
public final class RenderedImage implements ImageSourcePort, TreeRendererPort, ImageManifestSource {
    public static final String NAME = "example.com/busybox";

    private final Path dir;
    private final ImageManifest manifest;
    private final String id;

    private RenderedImage(Path dir, ImageManifest manifest, String id) {
        this.dir = dir;
        this.manifest = manifest;
        this.id = id;
    }

    /** A busybox image rendered in the store of {@code dataDir} whose app runs {@code exec}. */
    public static RenderedImage busybox(Path dataDir, String... exec) throws IOException {
        return busybox(dataDir, App.builder("0", "0").exec(exec).env("GREETING", "hello").build());
    }

    /** A busybox image rendered in the store of {@code dataDir} with this app. */
    public static RenderedImage busybox(Path dataDir, App app) throws IOException {
        ImageManifest manifest = ImageManifest.builder(NAME).label("version", "1.0").app(app).build();
        byte[] json = ManifestCodec.write(manifest);
        String id = Stage1PodPreparer.digest(json);
        Path dir = ImageStore.rootfsOf(dataDir, id).getParent();
        TestImages.busybox(dir.resolve("rootfs"));
        Files.write(dir.resolve("manifest"), json);
        return new RenderedImage(dir.toRealPath(), manifest, id);
    }

    /** The image as another process would find it in the store of {@code dataDir}. */
    public static RenderedImage at(Path dataDir, String id) throws IOException, ManifestException {
        Path dir = ImageStore.rootfsOf(dataDir, id).getParent();
        byte[] json = Files.readAllBytes(dir.resolve("manifest"));
        return new RenderedImage(dir.toRealPath(), ManifestCodec.parseImageManifest(json), Stage1PodPreparer.digest(json));
    }

    public String id() {
        return id;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public ResolvedImage resolve(String podId, String ref) throws StageException {
        if (ref.equals(NAME) || ref.startsWith(NAME + ":") || ref.startsWith(NAME + ",") || id.startsWith(ref)
                || Path.of(ref).toAbsolutePath().equals(dir)) {
            return new ResolvedImage(id, NAME, ImageSource.STORE);
        }
        throw StageException.permanent("no image in the store matches " + ref + ": fetch it first");
    }

    @Override
    public String render(String podId, String imageId) throws StageException {
        requireOurs(imageId);
        return id;
    }

    @Override
    public ImageManifest manifest(String imageId) throws StageException {
        requireOurs(imageId);
        return manifest;
    }

    private void requireOurs(String imageId) throws StageException {
        if (!imageId.equals(id)) {
            throw StageException.permanent("image " + imageId + " is not in the store");
        }
    }
}
