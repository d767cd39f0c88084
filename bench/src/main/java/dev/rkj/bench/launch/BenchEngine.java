package dev.rkj.bench.launch;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.EngineException;
import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.host.StoreImages;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.run.InsecureOnlyImageVerifier;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.engine.stage.GcReport;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Journal;
import dev.rkj.stage1.Stage1Launcher;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A warm engine on a data directory of its own, wired as {@code HostEngine.open} wires it (the
 * image store, {@link InsecureOnlyImageVerifier}, the native stage1, overlayfs, cgroups), with two
 * differences: every port is wrapped by {@link TimedPorts}, and pod cgroups go under a parent of
 * this run's own instead of {@code rkj}, so the run can prove it left none behind.
 */
public final class BenchEngine implements AutoCloseable {
    private static final Duration POD_TIMEOUT = Duration.ofSeconds(60);

    private final Journal journal;
    private final ImageStore store;
    private final Stage1Host host;
    private final TimedPorts timed;
    private final Engine engine;

    private BenchEngine(Journal journal, ImageStore store, Stage1Host host, TimedPorts timed, Engine engine) {
        this.journal = journal;
        this.store = store;
        this.host = host;
        this.timed = timed;
        this.engine = engine;
    }

    /** Opens the journal, the image store and the engine on {@code dataDir}. */
    public static BenchEngine open(Path dataDir, String cgroupParent) throws Exception {
        Journal journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry());
        try {
            ImageStore store = ImageStore.open(dataDir.resolve("cas"), journal);
            Stage1Host host = Stage1Host.open(dataDir, cgroupParent,
                    new Stage1Launcher.Output(Path.of("/dev/null"), Path.of("/dev/null")));
            StoreImages images = new StoreImages(store);
            EnginePorts real = new EnginePorts(images, new InsecureOnlyImageVerifier(), images, host.preparer(images),
                    host.runtime(), host.janitor());
            TimedPorts timed = new TimedPorts();
            Engine engine = Engine.open(EngineConfig.builder(dataDir, timed.wrap(real)).journal(journal).snapshots(true).build());
            return new BenchEngine(journal, store, host, timed, engine);
        } catch (Exception e) {
            journal.close();
            throw e;
        }
    }

    public ImageRecord fetch(Path aci) throws Exception {
        return store.fetch(aci);
    }

    public Journal journal() {
        return journal;
    }

    public ImageStore store() {
        return store;
    }

    public Stage1Host host() {
        return host;
    }

    public Engine engine() {
        return engine;
    }

    /** The timeline of a pod another caller created (the API, say); {@link #forget} it once it ended. */
    public PodTimeline timeline(String podId) {
        return timed.timeline(podId);
    }

    public void forget(String podId) {
        timed.forget(podId);
    }

    /**
     * Runs a pod: marks {@link Mark#COMMAND} just before {@code createPod(spec, true)} and completes
     * once {@code awaitStatus} reports it finished ({@link Mark#DONE}).
     *
     * @return fails if the pod did not exit 0 (naming its status, failure and reasons)
     */
    public CompletableFuture<PodTimeline> run(PodSpec spec) {
        long command = System.nanoTime();
        Future<String> created = engine.createPod(spec, true);
        long returned = System.nanoTime();
        CompletableFuture<PodTimeline> result = new CompletableFuture<>();
        String podId;
        try {
            podId = Engine.await(created, POD_TIMEOUT);
        } catch (EngineException e) {
            result.completeExceptionally(e);
            return result;
        }
        PodTimeline timeline = timed.timeline(podId);
        timeline.mark(Mark.COMMAND, command);
        timeline.mark(Mark.CREATED, returned);
        engine.awaitStatus(podId, state -> {
            if (state.status() == PodStatus.RUNNING) {
                timeline.mark(Mark.STARTED_SEEN);
            }
            if (state.status().isFinished()) {
                timeline.mark(Mark.EXITED_SEEN);
                return true;
            }
            return false;
        }, POD_TIMEOUT).onComplete(ar -> {
            timeline.mark(Mark.DONE);
            timed.forget(podId);
            if (ar.failed()) {
                result.completeExceptionally(ar.cause());
            } else if (!exitedZero(ar.result())) {
                result.completeExceptionally(new IllegalStateException(describe(ar.result())));
            } else {
                result.complete(timeline);
            }
        });
        return result;
    }

    /** Marks every exited pod garbage and deletes it: unmounted, cgroups and directory gone. */
    public GcReport gc() throws EngineException {
        GcReport report = Engine.await(engine.gc(Duration.ZERO, Duration.ZERO, false), Duration.ofMinutes(2));
        if (!report.failed().isEmpty()) {
            throw new EngineException("gc could not delete pods: " + report.failed(), null);
        }
        return report;
    }

    private static boolean exitedZero(PodState pod) {
        return pod.status() == PodStatus.EXITED && pod.lostReason() == null && Integer.valueOf(0).equals(pod.exitCode());
    }

    private static String describe(PodState pod) {
        return "pod " + pod.podId() + " ended " + pod.status().displayName() + " (exit code " + pod.exitCode()
                + ", reason " + pod.exitReason() + ", lost " + pod.lostReason() + ", failure " + pod.failure()
                + ", apps " + pod.apps() + "), not exited 0";
    }

    /** Closes the engine and the journal and removes this run's cgroup parent if it is empty. */
    @Override
    public void close() throws IOException {
        try {
            engine.close();
        } finally {
            journal.close();
            host.cgroups().removeParentIfEmpty();
        }
    }
}
