package dev.rkj.engine.run;

import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.PodManifest;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.PodPreparerPort;
import dev.rkj.engine.stage.StageException;
import dev.rkj.stage1.PodDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.HexFormat;

/**
 * Prepares a pod on the host: {@code <pods>/<uuid>/} with the reified pod manifest in {@code pod}
 * (canonical JSON, temp file + rename). Nothing is mounted: the pod runtime mounts the pod's root
 * filesystem when it starts the pod, so a prepared pod holds no mount. Idempotent: the same pod
 * gives the same manifest bytes (so the same digest), and a manifest already there is kept.
 */
public final class Stage1PodPreparer implements PodPreparerPort {
    private final Path podsDir;
    private final Path dataDir;
    private final ImageManifestSource manifests;
    private final PodPlanner planner;
    private final PreparedManifests prepared;

    /**
     * @param prepared where the manifests prepared here are kept for the runner of this process
     *                 (saves it reading them back), or null
     */
    public Stage1PodPreparer(Path dataDir, ImageManifestSource manifests, PodPlanner planner,
                             PreparedManifests prepared) {
        this.dataDir = dataDir;
        this.podsDir = dataDir.resolve(Stage1Host.PODS);
        this.manifests = manifests;
        this.planner = planner;
        this.prepared = prepared;
    }

    @Override
    public PreparedPod prepare(PodState pod) throws StageException {
        PodDir podDir = PodDir.of(podsDir, pod.podId());
        List<String> imageIds = pod.images().stream().map(PodState.PodImage::id).toList();
        List<ImageManifest> images = new java.util.ArrayList<>();
        for (String id : imageIds) {
            images.add(manifests.manifest(id));
        }
        PodManifest manifest = planner.manifest(pod.podId(), pod.spec(), imageIds, images);
        byte[] json = ManifestCodec.write(manifest);
        Path file = podDir.manifest();
        try {
            Files.createDirectories(podDir.path());
            writeOnce(file, json);
        } catch (IOException e) {
            throw StageException.retryable("cannot write the pod manifest " + file + ": " + e
                    + " (check the space and permissions of " + podsDir + ")", e);
        }
        String digest = digest(json);
        if (prepared != null) {
            prepared.put(pod.podId(), digest, manifest);
        }
        return new PreparedPod(podDir.path(), digest);
    }

    /** Writes {@code bytes} to {@code file} by temp file and rename, unless it holds them already. */
    static void writeOnce(Path file, byte[] bytes) throws IOException {
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.write(temp, bytes);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** {@code sha512-<hex>} of {@code bytes}. */
    static String digest(byte[] bytes) {
        try {
            return "sha512-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-512", e);
        }
    }
}
