package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand;
import dev.rkj.engine.pod.PodCommand.FailStage;
import dev.rkj.engine.pod.PodCommand.MarkLost;
import dev.rkj.engine.pod.PodCommand.RecordAppExit;
import dev.rkj.engine.pod.PodCommand.RecordExit;
import dev.rkj.engine.pod.PodCommand.StartPod;
import dev.rkj.engine.pod.NetworkAttachment;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.stage.PodRecorder.Recorded;
import dev.rkj.engine.stage.PodRuntime.AppExit;
import dev.rkj.engine.stage.PodRuntime.StartedPod;
import dev.rkj.engine.stage.PodRuntime.PodExit;
import dev.rkj.engine.stage.PodRuntime.PodWatch;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs the pods this engine owns: launches prepared pods it asked to run, watches running
 * ones (those it launched, and those it adopted from a dead engine), stops them on request, and
 * records how they end.
 *
 * <ul>
 *   <li>prepared, {@code pod.launch-requested} by this engine → {@link PodRuntime#start} →
 *       {@code PodStarted}, or {@code StageFailed(launch)}</li>
 *   <li>running, not watched here → {@link PodRuntime#watch} (an adopted pod)</li>
 *   <li>running, stop requested → {@link PodRuntime#stop} (once per request; a forced request after a
 *       gentle one signals again) or {@code StageFailed(stop)}</li>
 *   <li>a watch completes → {@link PodJanitorPort#release} (unmount, cgroups), or
 *       {@code StageFailed(release)} when that fails (gc releases again) → {@code AppExited} for
 *       each app, then {@code PodExited}, or {@code PodLost} when stage1 left no status</li>
 * </ul>
 * Each port call runs on a worker thread ({@link Blocking}) and completes back on this verticle's
 * context. The launch intent is the journal's {@code pod.launch-requested}, not this verticle's
 * memory: a request whose engine died before the launch is settled by recovery (see
 * {@code Reconciler}). Its bookkeeping (watches, pods whose end is being recorded, stops sent)
 * lives on its own context.
 */
public final class LaunchVerticle extends StageVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(LaunchVerticle.class);

    private final PodRuntime runtime;
    private final PodJanitorPort janitor;
    private final Map<String, PodWatch> watches = new HashMap<>();
    private final Set<String> ending = new HashSet<>();
    private final Map<String, Boolean> stopsSent = new HashMap<>();

    public LaunchVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                          PodWork podWork, PodRuntime runtime, PodJanitorPort janitor) {
        super(dispatcher, recorder, owner, crashAt, podWork);
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.janitor = Objects.requireNonNull(janitor, "janitor");
    }

    @Override
    public Future<?> stop() {
        watches.values().forEach(PodWatch::cancel); // the pods keep running: pods outlive engines
        watches.clear();
        return super.stop();
    }

    @Override
    public boolean wants(PodState pod) {
        if (!mine(pod)) {
            return false;
        }
        return switch (pod.status()) {
            case PREPARED -> owner.equals(pod.launchRequestedBy());
            case RUNNING -> true;
            default -> false;
        };
    }

    @Override
    protected boolean due(PodState pod) {
        if (ending.contains(pod.podId())) {
            return false; // its end is being recorded
        }
        return pod.status() != PodStatus.RUNNING || !watches.containsKey(pod.podId()) || pod.stopRequested();
    }

    @Override
    protected Step step(PodState pod) {
        return pod.status() == PodStatus.PREPARED ? new Launch(pod) : null;
    }

    @Override
    protected Future<?> work(PodState pod) {
        if (!watches.containsKey(pod.podId())) {
            return adoptWatch(pod);
        }
        return stopIfDue(pod);
    }

    /** Starts a prepared pod (on a worker) and records it; the pod is watched from this verticle's context after. */
    private final class Launch implements Step {
        private final PodState pod;
        private StartedPod launched; // written and read by the worker running the step

        Launch(PodState pod) {
            this.pod = pod;
        }

        @Override
        public PodCommand call() throws Exception {
            launched = runtime.start(pod);
            CrashPoint.BEFORE_STARTED_RECORDED.reached(crashAt);
            return new StartPod(pod.podId(), launched.stage1Pid(), launched.appPids(), owner, launched.isolators(),
                    launched.warnings(), launched.networks());
        }

        @Override
        public Stage stage() {
            return Stage.LAUNCH;
        }

        @Override
        public CrashPoint after() {
            return CrashPoint.AFTER_STARTED;
        }

        @Override
        public Runnable handOver() {
            StartedPod started = launched;
            // after the start is recorded: its end is recorded after it
            return started == null ? null : () -> watch(pod.podId(), started.watch());
        }
    }

    private Future<?> adoptWatch(PodState pod) {
        String podId = pod.podId();
        return Blocking.run(vertx, () -> runtime.watch(pod)).transform(ar -> {
            if (ar.failed()) {
                LOG.error("cannot watch pod {} (stage1 pid {}): its exit will be recorded by the next engine that starts",
                        podId, pod.stage1Pid(), ar.cause());
                return Future.succeededFuture(IDLE); // not again at once: it would fail the same way
            }
            watch(podId, ar.result());
            return Future.succeededFuture(); // looked at again when done: a stop may be pending
        });
    }

    private Future<?> stopIfDue(PodState pod) {
        String podId = pod.podId();
        Boolean sent = stopsSent.get(podId);
        boolean force = pod.forceStop();
        if (!pod.stopRequested() || (sent != null && (sent || !force))) {
            return Future.succeededFuture(IDLE);
        }
        stopsSent.put(podId, force);
        return Blocking.run(vertx, () -> {
            runtime.stop(pod, force);
            return null;
        }).transform(ar -> {
            if (ar.succeeded()) {
                return Future.succeededFuture();
            }
            stopsSent.remove(podId);
            FailStage failure = StageFailures.command(podId, Stage.STOP, ar.cause());
            return record(failure);
        });
    }

    private void watch(String podId, PodWatch watch) {
        watches.put(podId, watch);
        watch.exit().whenComplete((exit, error) -> context.runOnContext(v -> onExit(podId, watch, exit, error)));
    }

    private void onExit(String podId, PodWatch watch, PodExit exit, Throwable error) {
        if (!watches.remove(podId, watch)) {
            return; // cancelled: the engine is closing
        }
        CrashPoint.BEFORE_EXIT_RECORDED.reached(crashAt);
        stopsSent.remove(podId);
        PodExit ended = error == null ? exit
                : PodExit.lost(Map.of(), "watching its stage1 failed: " + error + "; its status is unknown");
        ending.add(podId);
        PodState pod = recorder.current(podId);
        Blocking.run(vertx, () -> janitor.release(pod))
                .<List<NetworkAttachment>>transform(ar -> ar.succeeded() ? Future.succeededFuture(ar.result())
                        : record(StageFailures.command(podId, Stage.RELEASE, ar.cause())).map(List.<NetworkAttachment>of()))
                .compose(removed -> recordExit(podId, ended, removed), e -> recordExit(podId, ended, List.of()))
                .onComplete(ar -> {
                    ending.remove(podId);
                    if (ar.failed()) {
                        LOG.error("pod {} ended ({}) but its exit could not be recorded", podId, ended, ar.cause());
                    }
                });
    }

    private Future<Recorded> recordExit(String podId, PodExit exit, List<NetworkAttachment> networksRemoved) {
        PodState pod = recorder.current(podId);
        for (AppExit app : exit.apps().values()) {
            if (!pod.apps().containsKey(app.app())) {
                LOG.warn("pod {}: stage1 reported app {}, which its start did not list; ignoring it", podId, app.app());
                continue;
            }
            Future<Recorded> recorded = record(new RecordAppExit(podId, app.app(), app.exitCode(), app.signal(),
                    app.oomKilled()));
            if (recorded.failed()) {
                return recorded;
            }
        }
        return exit.isLost()
                ? record(new MarkLost(podId, exit.reason()), CrashPoint.AFTER_EXIT_RECORDED)
                : record(new RecordExit(podId, exit.exitCode(), exitReason(pod, exit), networksRemoved),
                        CrashPoint.AFTER_EXIT_RECORDED);
    }

    private static String exitReason(PodState pod, PodExit exit) {
        if (pod.stopRequested()) {
            return pod.forceStop() ? "stopped on request (forced)" : "stopped on request";
        }
        return exit.reason();
    }
}
