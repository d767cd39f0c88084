package dev.rkj.engine.read;

import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.ManifestException;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.engine.stage.PodRuntime.AppExit;
import dev.rkj.stage1.ExitStatus;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.LinuxKernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link PodTraces} of the pods in {@code <dataDir>/pods/<uuid>}: the pod lock probed with a
 * shared, non-blocking flock (taken and dropped at once; no write access needed), the statuses
 * from {@code status/<app>}, the app order from the pod manifest.
 */
public final class HostPodTraces implements PodTraces {
    private final Path podsDir;
    private final PodLock lock;

    public HostPodTraces(Path dataDir) {
        this.podsDir = dataDir.resolve(Stage1Host.PODS);
        this.lock = new PodLock(LinuxKernel.get());
    }

    @Override
    public Traces read(PodState pod) throws IOException {
        Path podDir = podsDir.resolve(pod.podId());
        boolean held;
        try {
            held = lock.held(podDir);
        } catch (KernelException e) {
            throw new IOException("cannot probe the lock of pod " + pod.podId() + " in " + podDir + ": "
                    + e.getMessage(), e);
        }
        boolean launched = held || Files.exists(new PodDir(podDir).lock());
        List<String> apps = appOrder(pod, podDir);
        Map<String, AppExit> written = new LinkedHashMap<>();
        for (String app : apps) {
            Optional<ExitStatus> s = ExitStatus.read(podDir, app);
            s.ifPresent(status -> written.put(app, new AppExit(app, status.code(),
                    status.killedBySignal() ? status.signal() : null, false)));
        }
        return new Traces(held, launched, apps, written);
    }

    /** The manifest's app order; the recorded apps (sorted by name) if the manifest cannot be read. */
    private static List<String> appOrder(PodState pod, Path podDir) {
        try {
            return ManifestCodec.parsePodManifest(Files.readAllBytes(new PodDir(podDir).manifest()))
                    .apps().stream().map(a -> a.name().value()).toList();
        } catch (IOException | ManifestException e) {
            return new ArrayList<>(pod.apps().keySet());
        }
    }
}
