package dev.rkj.engine.fakes;

import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.run.InsecureOnlyImageVerifier;
import dev.rkj.engine.stage.ImageSourcePort;
import dev.rkj.engine.stage.ImageVerifierPort;
import dev.rkj.engine.stage.PodJanitorPort;
import dev.rkj.engine.stage.PodPreparerPort;
import dev.rkj.engine.stage.PodRuntime;
import dev.rkj.engine.stage.StageException;
import dev.rkj.engine.stage.TreeRendererPort;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recording fakes of every engine port: each counts its calls per pod in {@link #calls}, can be made
 * to fail ({@link #failing}) or to wait at a gate ({@link #gate}), and the runner's pods end when a
 * test says so ({@link #exit}).
 */
public final class FakePorts {
    public static final String IMAGE_ID = "sha512-" + "ab".repeat(64);
    public static final String IMAGE_NAME = "example.com/busybox";
    public static final String APP = "busybox";
    public static final Path TREES = Path.of("/fake/cas/trees");
    public static final Path PODS = Path.of("/fake/pods");

    public final CallLog calls = new CallLog();
    private final Map<String, StageException> failures = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> gates = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<PodRuntime.PodExit>> exits = new ConcurrentHashMap<>();
    private final Map<String, PodRuntime.PodProbe> probes = new ConcurrentHashMap<>();
    private final Set<String> alive = ConcurrentHashMap.newKeySet();
    private final AtomicLong pids = new AtomicLong(1000);
    private final ImageVerifierPort realVerifier = new InsecureOnlyImageVerifier();

    /** Makes every later call of {@code what} ({@code resolve}, {@code render}...) fail with {@code e} (null: succeed again). */
    public FakePorts failing(String what, StageException e) {
        if (e == null) {
            failures.remove(what);
        } else {
            failures.put(what, e);
        }
        return this;
    }

    /** Makes every later call of {@code what} wait until the returned future is completed. */
    public CompletableFuture<Void> gate(String what) {
        return gates.computeIfAbsent(what, w -> new CompletableFuture<>());
    }

    /** What {@code probe} and {@code watch} find in the pod's directory. */
    public FakePorts probe(String podId, boolean lockHeld, Map<String, PodRuntime.AppExit> written) {
        probes.put(podId, new PodRuntime.PodProbe(lockHeld, lockHeld || !written.isEmpty(), written));
        if (lockHeld) {
            alive.add(podId);
        } else {
            alive.remove(podId);
        }
        return this;
    }

    /** Ends the running pod: its watch completes with {@code exit}. */
    public void exit(String podId, PodRuntime.PodExit exit) {
        alive.remove(podId);
        exitOf(podId).complete(exit);
    }

    /** Whether the fake stage1 of the pod runs. */
    public boolean isRunning(String podId) {
        return alive.contains(podId);
    }

    public EnginePorts ports() {
        return new EnginePorts(source, verifier, renderer, preparer, runner, janitor);
    }

    private void call(String podId, String what) throws StageException {
        calls.add(podId, what);
        CompletableFuture<Void> gate = gates.get(what);
        if (gate != null) {
            gate.join();
        }
        StageException failure = failures.get(what);
        if (failure != null) {
            throw failure;
        }
    }

    private CompletableFuture<PodRuntime.PodExit> exitOf(String podId) {
        return exits.computeIfAbsent(podId, id -> new CompletableFuture<>());
    }

    private final ImageSourcePort source = new ImageSourcePort() {
        @Override
        public ResolvedImage resolve(String podId, String ref) throws StageException {
            call(podId, "resolve");
            return new ResolvedImage(IMAGE_ID, IMAGE_NAME, ImageSource.FETCHED);
        }
    };

    private final ImageVerifierPort verifier = new ImageVerifierPort() {
        @Override
        public Verification verify(String podId, PodSpec spec, String imageId, String imageName) throws StageException {
            call(podId, "verify");
            return realVerifier.verify(podId, spec, imageId, imageName);
        }
    };

    private final TreeRendererPort renderer = new TreeRendererPort() {
        @Override
        public String render(String podId, String imageId) throws StageException {
            call(podId, "render");
            return imageId;
        }
    };

    private final PodPreparerPort preparer = new PodPreparerPort() {
        @Override
        public PreparedPod prepare(PodState pod) throws StageException {
            call(pod.podId(), "prepare");
            return new PreparedPod(PODS.resolve(pod.podId()), "sha512-" + "cd".repeat(64));
        }
    };

    private final PodRuntime runner = new PodRuntime() {
        @Override
        public StartedPod start(PodState pod) throws StageException {
            call(pod.podId(), "launch");
            long pid = pids.addAndGet(10);
            alive.add(pod.podId());
            return new StartedPod(pid, Map.of(APP, pid + 1), watchOf(pod.podId()));
        }

        @Override
        public PodWatch watch(PodState pod) throws StageException {
            call(pod.podId(), "watch");
            PodProbe probe = probes.get(pod.podId());
            if (probe != null && !probe.lockHeld()) {
                PodExit exit = probe.written().isEmpty()
                        ? PodExit.lost(Map.of(), "stage1's lock is free and it wrote no status")
                        : PodExit.exited(probe.written(), probe.written().values().iterator().next().exitCode(),
                        "all apps exited");
                exitOf(pod.podId()).complete(exit);
            }
            return watchOf(pod.podId());
        }

        @Override
        public void stop(PodState pod, boolean force) throws StageException {
            call(pod.podId(), force ? "stop --force" : "stop");
        }

        @Override
        public PodProbe probe(PodState pod) throws StageException {
            call(pod.podId(), "probe");
            boolean running = alive.contains(pod.podId());
            return probes.getOrDefault(pod.podId(), new PodProbe(running, running, Map.of()));
        }

        private PodWatch watchOf(String podId) {
            return PodWatch.of(exitOf(podId), () -> calls.add(podId, "cancel watch"));
        }
    };

    private final PodJanitorPort janitor = new PodJanitorPort() {
        @Override
        public java.util.List<dev.rkj.engine.pod.NetworkAttachment> release(PodState pod) throws StageException {
            call(pod.podId(), "release");
            alive.remove(pod.podId());
            return java.util.List.of();
        }

        @Override
        public java.util.List<dev.rkj.engine.pod.NetworkAttachment> delete(PodState pod) throws StageException {
            call(pod.podId(), "delete");
            return java.util.List.of();
        }
    };
}
