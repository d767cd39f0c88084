package dev.rkj.engine.stage;

import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.PodCommand.FailStage;
import dev.rkj.engine.pod.PodCommand.MarkLost;
import dev.rkj.engine.pod.PodCommand.RecordAppExit;
import dev.rkj.engine.pod.PodCommand.RecordExit;
import dev.rkj.engine.pod.PodCommand.StartPod;
import dev.rkj.engine.pod.PodLifecycle;
import dev.rkj.engine.pod.PodMove;
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
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs the pods this engine owns: launches prepared pods it was asked to run, watches running
 * ones (those it launched, and those it adopted from a dead engine), stops them on request, and
 * records how they end.
 *
 * <ul>
 *   <li>prepared, launch requested here → {@link PodRuntime#start} → {@code PodStarted}, or
 *       {@code StageFailed(launch)}</li>
 *   <li>running, not watched here → {@link PodRuntime#watch} (an adopted pod)</li>
 *   <li>running, stop requested → {@link PodRuntime#stop} (once per request; a forced request after a
 *       gentle one signals again) or {@code StageFailed(stop)}</li>
 *   <li>a watch completes → {@link PodJanitorPort#release} (unmount, cgroups), or
 *       {@code StageFailed(release)} when that fails (gc releases again) → {@code AppExited} for
 *       each app, then {@code PodExited}, or {@code PodLost} when stage1 left no status</li>
 * </ul>
 * Each port call runs on a worker thread ({@link Blocking}).
 * A prepared pod is launched only when asked (by {@link #requestLaunch} or {@link #expectLaunch}):
 * that intent lives in memory, so a pod whose engine died before launching it stays prepared.
 */
public final class LaunchVerticle extends StageVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(LaunchVerticle.class);

    private final Vertx vertx;
    private final PodRuntime runtime;
    private final PodJanitorPort janitor;
    private final Set<String> launchRequested = ConcurrentHashMap.newKeySet();
    private final Map<String, PodWatch> watches = new ConcurrentHashMap<>();
    private final Set<String> ending = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Promise<PodState>>> launchWaiters = new ConcurrentHashMap<>();
    private final Map<String, Boolean> stopsSent = new ConcurrentHashMap<>();

    public LaunchVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, Vertx vertx,
                          PodRuntime runtime, PodJanitorPort janitor) {
        super(dispatcher, recorder, owner);
        this.vertx = vertx;
        this.runtime = runtime;
        this.janitor = janitor;
    }

    /**
     * Launches pod {@code podId} as soon as it is prepared (now, if it is), for {@code rkj run}:
     * call before its creation is recorded. Thread-safe.
     */
    public void expectLaunch(String podId) {
        launchRequested.add(podId);
    }

    /**
     * Launches the prepared pod {@code podId}, which this engine must own ({@code rkj
     * run-prepared}: adopt it first). Thread-safe.
     *
     * @return completes with the pod's state once its start is recorded; fails with the launch
     *         failure's {@link StageException}, or an {@link IllegalPodTransition} if the pod is not
     *         prepared
     */
    public Future<PodState> requestLaunch(String podId) {
        Promise<PodState> promise = Promise.promise();
        launchRequested.add(podId);
        context.runOnContext(v -> {
            launchWaiters.computeIfAbsent(podId, id -> new CopyOnWriteArrayList<>()).add(promise);
            onPod(podId);
            if (!isWorking(podId)) {
                failWaiters(podId, notLaunchable(recorder.current(podId)));
            }
        });
        return promise.future();
    }

    /** The pods this verticle watches now. */
    public Set<String> watched() {
        return Set.copyOf(watches.keySet());
    }

    @Override
    public Future<?> stop() {
        watches.values().forEach(PodWatch::cancel); // the pods keep running: pods outlive engines
        watches.clear();
        return super.stop();
    }

    @Override
    public boolean wants(PodState pod) {
        if (!mine(pod) || ending.contains(pod.podId())) {
            return false; // not ours, or its end is being recorded
        }
        return switch (pod.status()) {
            case PREPARED -> launchRequested.contains(pod.podId());
            case RUNNING -> !watches.containsKey(pod.podId()) || pod.stopRequested();
            default -> false;
        };
    }

    @Override
    protected Future<?> work(PodState pod) {
        if (pod.status() == PodStatus.PREPARED) {
            return launch(pod);
        }
        if (!watches.containsKey(pod.podId())) {
            return adoptWatch(pod);
        }
        return stopIfDue(pod);
    }

    @Override
    protected void settled(PodState pod) {
        if (pod.status().isFinished()) {
            launchRequested.remove(pod.podId());
        }
    }

    private Future<?> launch(PodState pod) {
        String podId = pod.podId();
        return Blocking.run(vertx, () -> runtime.start(pod)).transform(ar -> {
            launchRequested.remove(podId);
            if (ar.failed()) {
                return record(StageFailures.command(podId, Stage.LAUNCH, ar.cause()))
                        .onComplete(r -> failWaiters(podId, ar.cause()));
            }
            StartedPod launched = ar.result();
            CrashPoint.BEFORE_STARTED_RECORDED.reached();
            StartPod start = new StartPod(podId, launched.stage1Pid(), launched.appPids(), owner);
            Future<Recorded> recorded = record(start, CrashPoint.AFTER_STARTED);
            watch(podId, launched.watch()); // after the start is recorded: its end is recorded after it
            return recorded.onComplete(r -> {
                if (r.succeeded()) {
                    completeWaiters(podId, r.result().state());
                } else {
                    failWaiters(podId, r.cause());
                }
            });
        });
    }

    private Future<?> adoptWatch(PodState pod) {
        String podId = pod.podId();
        return Blocking.run(vertx, () -> runtime.watch(pod)).transform(ar -> {
            if (ar.failed()) {
                LOG.error("cannot watch pod {} (stage1 pid {}): its exit will be recorded by the next engine that starts",
                        podId, pod.stage1Pid(), ar.cause());
                return Future.succeededFuture();
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
        CrashPoint.BEFORE_EXIT_RECORDED.reached();
        stopsSent.remove(podId);
        PodExit ended = error == null ? exit
                : PodExit.lost(Map.of(), "watching its stage1 failed: " + error + "; its status is unknown");
        ending.add(podId);
        PodState pod = recorder.current(podId);
        Blocking.run(vertx, () -> {
                    janitor.release(pod);
                    return null;
                })
                .<Void>transform(ar -> ar.succeeded() ? Future.succeededFuture()
                        : record(StageFailures.command(podId, Stage.RELEASE, ar.cause())).mapEmpty())
                .compose(v -> recordExit(podId, ended), e -> recordExit(podId, ended))
                .onComplete(ar -> {
                    ending.remove(podId);
                    if (ar.failed()) {
                        LOG.error("pod {} ended ({}) but its exit could not be recorded", podId, ended, ar.cause());
                    }
                });
    }

    private Future<Recorded> recordExit(String podId, PodExit exit) {
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
                : record(new RecordExit(podId, exit.exitCode(), exitReason(pod, exit)), CrashPoint.AFTER_EXIT_RECORDED);
    }

    private static String exitReason(PodState pod, PodExit exit) {
        if (pod.stopRequested()) {
            return pod.forceStop() ? "stopped on request (forced)" : "stopped on request";
        }
        return exit.reason();
    }

    private Throwable notLaunchable(PodState pod) {
        try {
            PodLifecycle.check(pod, PodMove.START);
        } catch (IllegalPodTransition refused) {
            return refused;
        }
        if (!mine(pod)) {
            return new IllegalStateException("pod " + pod.podId() + " is driven by " + pod.owner() + ", not by "
                    + owner + ": it must be adopted before this engine can launch it");
        }
        return new IllegalStateException("pod " + pod.podId() + " was not launched");
    }

    private void completeWaiters(String podId, PodState state) {
        List<Promise<PodState>> waiters = launchWaiters.remove(podId);
        if (waiters != null) {
            waiters.forEach(p -> p.tryComplete(state));
        }
    }

    private void failWaiters(String podId, Throwable cause) {
        List<Promise<PodState>> waiters = launchWaiters.remove(podId);
        if (waiters != null) {
            waiters.forEach(p -> p.tryFail(cause));
        }
    }
}
