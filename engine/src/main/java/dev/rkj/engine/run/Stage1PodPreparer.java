package dev.rkj.engine.run;

import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.PodManifest;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.PodPreparerPort;
import dev.rkj.engine.stage.StageException;
import dev.rkj.stage1.PodStarter;
import dev.rkj.stage1.overlay.Overlay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Prepares a pod on the host: {@code <pods>/<uuid>/} with the reified pod manifest in {@code pod}
 * (canonical JSON, temp file + rename) and the pod's root filesystem mounted on {@code rootfs} as
 * an overlay whose lower layer is the rendered image tree. Idempotent: the same pod gives the same
 * manifest bytes (so the same digest), a manifest already there is kept, and a mounted overlay
 * counts as done.
 */
public final class Stage1PodPreparer implements PodPreparerPort {
    private final Path podsDir;
    private final Path dataDir;
    private final ImageManifestSource manifests;
    private final Overlay overlay;
    private final PodPlanner planner;
    private final PreparedManifests prepared;

    /**
     * @param prepared where the manifests prepared here are kept for the runner of this process
     *                 (saves it reading them back), or null
     */
    public Stage1PodPreparer(Path dataDir, ImageManifestSource manifests, Overlay overlay, PodPlanner planner,
                             PreparedManifests prepared) {
        this.dataDir = dataDir;
        this.podsDir = dataDir.resolve(Stage1Host.PODS);
        this.manifests = manifests;
        this.overlay = overlay;
        this.planner = planner;
        this.prepared = prepared;
    }

    @Override
    public PreparedPod prepare(PodState pod) throws StageException {
        Path podDir = podsDir.resolve(pod.podId());
        ImageManifest image = manifests.manifest(pod.image().id());
        PodManifest manifest = planner.manifest(pod.podId(), pod.spec(), pod.image().id(), image);
        byte[] json = ManifestCodec.write(manifest);
        Path file = podDir.resolve(PodPlanner.MANIFEST_FILE);
        try {
            Files.createDirectories(podDir);
            writeOnce(file, json);
        } catch (IOException e) {
            throw StageException.retryable("cannot write the pod manifest " + file + ": " + e
                    + " (check the space and permissions of " + podsDir + ")", e);
        }
        Path rootfs = podDir.resolve(PodPlanner.ROOTFS);
        try {
            overlay.mount(ImageStore.rootfsOf(dataDir, pod.treeId()), PodStarter.upperDir(podDir), PodStarter.workDir(podDir), rootfs);
        } catch (IOException e) {
            throw StageException.retryable("cannot mount the root filesystem of pod " + pod.podId() + " on " + rootfs
                    + ": " + e.getMessage(), e);
        }
        String digest = digest(json);
        if (prepared != null) {
            prepared.put(pod.podId(), digest, manifest);
        }
        return new PreparedPod(podDir, digest);
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
