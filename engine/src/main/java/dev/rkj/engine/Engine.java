package dev.rkj.engine;

import dev.rkj.engine.Grantor;
import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.PodCommand.AdoptPod;
import dev.rkj.engine.pod.PodCommand.CreatePod;
import dev.rkj.engine.pod.PodCommand.RemovePod;
import dev.rkj.engine.pod.PodCommand.RequestDelete;
import dev.rkj.engine.pod.PodCommand.RequestLaunch;
import dev.rkj.engine.pod.PodCommand.StopPod;
import dev.rkj.engine.pod.PodHistory;
import dev.rkj.engine.pod.PodIds;
import dev.rkj.engine.pod.PodLifecycle;
import dev.rkj.engine.pod.PodLookupException;
import dev.rkj.engine.pod.PodMove;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.snapshot.Snapshots;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.recovery.FlockLiveness;
import dev.rkj.engine.recovery.Liveness;
import dev.rkj.engine.recovery.Reconciler;
import dev.rkj.engine.stage.CrashPoint;
import dev.rkj.engine.stage.FetchVerticle;
import dev.rkj.engine.stage.GarbageCollector;
import dev.rkj.engine.stage.GcReport;
import dev.rkj.engine.stage.GcVerticle;
import dev.rkj.engine.stage.LaunchVerticle;
import dev.rkj.engine.stage.PodEventDispatcher;
import dev.rkj.engine.stage.PodJanitorPort;
import dev.rkj.engine.stage.StageException;
import dev.rkj.engine.stage.PodRecorder;
import dev.rkj.engine.stage.PodWork;
import dev.rkj.engine.stage.PodRecorder.Recorded;
import dev.rkj.engine.stage.PrepareVerticle;
import dev.rkj.engine.stage.PodRuntime;
import dev.rkj.engine.stage.UnpackVerticle;
import dev.rkj.engine.stage.VerifyVerticle;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import dev.rkj.stage1.cgroup.CgroupLimits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The pod lifecycle engine: what {@code rkj} (embedded, no daemon) and the HTTP daemon call.
 *
 * <p>Commands are decided against the pod's state by {@link PodLifecycle} and appended to the
 * journal; one dispatcher tails the journal into the {@link PodProjection} and wakes the stage
 * verticles (fetch, verify, unpack/render, prepare, launch, gc), which do their work off the event
 * loop and append the outcome. Starting replays the journal and then reconciles it with the host
 * (see {@link Reconciler}). Several engines may share a data directory: each pod is driven by the
 * one engine that owns it.
 *
 * <p>Every method may be called from any thread. The futures complete on the engine's own Vert.x
 * context: don't block in their callbacks; a CLI thread may wait on them with
 * {@link #await(Future, Duration)}. Pods outlive the engine: {@link #close} leaves them running.
 *
 * <p>Views: {@link #pod}, {@link #awaitStatus} and {@link #history} see what this engine has just
 * recorded at once; {@link #projection()} and {@link #list()} follow the journal's tail, which folds
 * in this process's appends within microseconds and other processes' within about a millisecond.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** How long {@link #runPrepared} and {@link #remove} wait for this engine to record the outcome. */
    private static final Duration PROMPT = Duration.ofMinutes(2);
    /** How often a wait on a pod another engine drives checks that that engine is alive. */
    public static final Duration OWNER_CHECK = Duration.ofSeconds(1);

    private final EngineConfig config;
    private final PodOwner me;
    private final Vertx vertx;
    private final boolean ownsVertx;
    private final Context context;
    private final Journal journal;
    private final boolean ownsJournal;
    private final Liveness.Registration registration;
    private final PodEventDispatcher dispatcher;
    private final PodRecorder recorder;
    private final LaunchVerticle launcher;
    private final PodRuntime runtime;
    private final GcVerticle gcVerticle;
    /** One piece of work per pod at a time, and the order in which the stages chain (the deploy order). */
    private final PodWork podWork = new PodWork();
    private final GarbageCollector collector;
    private final Reconciler reconciler;
    private final List<String> deployments = new CopyOnWriteArrayList<>();
    private final Map<String, List<StatusWaiter>> waiters = new ConcurrentHashMap<>();
    private final Consumer<PodState> statusListener = this::onState;
    private final Snapshots snapshots;
    private final java.util.concurrent.atomic.AtomicBoolean snapshotting = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long snapshotAt;
    private volatile boolean closed;

    private Engine(EngineConfig config, Vertx vertx, boolean ownsVertx, Context context, Journal journal,
                   boolean ownsJournal, Liveness liveness, Liveness.Registration registration, Snapshots snapshots,
                   Snapshots.Base base) {
        this.config = config;
        this.me = new PodOwner(config.engineId(), ProcessHandle.current().pid());
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.context = context;
        this.journal = journal;
        this.ownsJournal = ownsJournal;
        this.registration = registration;
        this.snapshots = snapshots;
        this.snapshotAt = base.index();
        PodProjection projection = base.pods();
        this.dispatcher = new PodEventDispatcher(journal, projection, context);
        this.recorder = new PodRecorder(journal, dispatcher);
        this.recorder.onJournalFailure(this::onJournalFailure);
        EnginePorts ports = config.ports();
        this.runtime = ports.runtime();
        this.launcher = new LaunchVerticle(dispatcher, recorder, me, config.crashAt(), podWork, ports.runtime(),
                ports.janitor());
        this.gcVerticle = new GcVerticle(dispatcher, recorder, me, config.crashAt(), podWork, ports.janitor());
        this.collector = new GarbageCollector(recorder, config.clock(), me, this::whyGone);
        this.reconciler = new Reconciler(vertx, me, liveness, recorder, dispatcher, ports.runtime(), ports.janitor(),
                config.watchOrphans());
    }

    /**
     * Starts an engine: registers it alive, opens the journal, replays it, deploys the stage
     * verticles, tails the journal and reconciles the pods with the host.
     *
     * @return fails with an {@link EngineException} naming what could not be opened
     */
    public static Future<Engine> start(EngineConfig config) {
        Objects.requireNonNull(config, "config");
        boolean ownsVertx = config.vertx() == null;
        Vertx vertx = ownsVertx ? Vertx.vertx() : config.vertx();
        Context context = vertx.getOrCreateContext();
        PodOwner self = new PodOwner(config.engineId(), ProcessHandle.current().pid());
        Future<Engine> opened = vertx.executeBlocking(() -> {
            Liveness liveness = config.liveness() != null ? config.liveness()
                    : FlockLiveness.create(config.dataDir().resolve(FlockLiveness.DIRECTORY));
            Liveness.Registration registration;
            try {
                registration = liveness.register(self);
            } catch (IOException e) {
                throw new EngineException("cannot register engine " + self.engineId() + " in "
                        + config.dataDir() + ": " + e.getMessage() + " (check that the data directory is writable)", e);
            }
            Journal journal = config.journal();
            boolean ownsJournal = journal == null;
            try {
                if (ownsJournal) {
                    journal = ChronicleJournal.open(config.dataDir().resolve("journal"), EngineEvents.registry());
                }
                Snapshots snapshots = config.snapshots() ? Snapshots.in(config.dataDir()) : null;
                Snapshots.Base base = snapshots != null ? snapshots.load(journal) : Snapshots.Base.none();
                base.warnings().forEach(LOG::warn);
                Engine engine = new Engine(config, vertx, ownsVertx, context, journal, ownsJournal, liveness,
                        registration, snapshots, base);
                engine.dispatcher.replay();
                return engine;
            } catch (JournalException | RuntimeException e) {
                registration.close();
                if (ownsJournal && journal != null) {
                    journal.close();
                }
                throw new EngineException("cannot open the journal of " + config.dataDir() + ": " + e.getMessage(), e);
            }
        }, false);
        return opened.compose(engine -> engine.deploy().map(engine)
                        .recover(e -> engine.shutdown().transform(ignored -> Future.failedFuture(e))))
                .recover(e -> {
                    Future<Void> closing = ownsVertx ? vertx.close() : Future.succeededFuture();
                    return closing.transform(ignored -> Future.failedFuture(
                            e instanceof EngineException ? e : new EngineException("cannot start the engine: " + e, e)));
                });
    }

    /**
     * {@link #start}, blocking: for the CLI. Not on a Vert.x thread.
     *
     * @throws EngineException naming what could not be opened
     */
    public static Engine open(EngineConfig config) throws EngineException {
        try {
            return start(config).toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof EngineException ee ? ee : new EngineException("cannot start the engine: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while the engine started", e);
        }
    }

    /**
     * Waits for {@code future} on a thread that may block (a CLI's main thread, never an event
     * loop).
     *
     * @throws EngineException with the future's failure as cause, or if it took longer than
     *                         {@code timeout}
     */
    public static <T> T await(Future<T> future, Duration timeout) throws EngineException {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new EngineException(String.valueOf(cause.getMessage()), cause);
        } catch (TimeoutException e) {
            throw new EngineException("gave up waiting after " + Durations.words(timeout), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while waiting", e);
        }
    }

    private Future<Void> deploy() {
        EnginePorts ports = config.ports();
        List<VerticleBase> verticles = List.of(
                new FetchVerticle(dispatcher, recorder, me, config.crashAt(), podWork, ports.imageSource()),
                new VerifyVerticle(dispatcher, recorder, me, config.crashAt(), podWork, ports.verifier()),
                new UnpackVerticle(dispatcher, recorder, me, config.crashAt(), podWork, ports.renderer()),
                new PrepareVerticle(dispatcher, recorder, me, config.crashAt(), podWork, ports.preparer()),
                launcher,
                gcVerticle);
        Future<Void> chain = Future.succeededFuture();
        for (VerticleBase v : verticles) {
            chain = chain.compose(x -> vertx.deployVerticle(v).map(id -> {
                deployments.add(id);
                return null;
            }));
        }
        return chain.compose(x -> {
            dispatcher.listen(statusListener);
            dispatcher.whenFailed(this::onTailFailure);
            dispatcher.start();
            return reconciler.reconcileAll();
        }).map(outcomes -> {
            outcomes.forEach(o -> LOG.info("recovery: pod {}: {}", o.podId(), o.action()));
            return null;
        });
    }

    /** This engine as pods' owner: its id and pid. */
    public PodOwner owner() {
        return me;
    }

    /** This engine instance's id. */
    public String engineId() {
        return me.engineId();
    }

    /** The data directory. */
    public Path dataDir() {
        return config.dataDir();
    }

    /** The Vert.x the engine runs on. */
    public Vertx vertx() {
        return vertx;
    }

    /** Every pod's state, as the journal says; updated as events arrive. */
    public PodProjection projection() {
        return dispatcher.projection();
    }

    /**
     * The pod whose id starts with {@code idOrPrefix}, with this engine's latest view of it.
     *
     * @throws PodLookupException if no listed pod or several match
     */
    public PodState pod(String idOrPrefix) throws PodLookupException {
        if (PodIds.isValid(idOrPrefix)) {
            PodState written = recorder.current(idOrPrefix); // includes this engine's latest appends
            if (written.exists()) {
                return written;
            }
        }
        return recorder.current(projection().resolvePrefix(idOrPrefix).podId());
    }

    /** The pods {@code rkj list} shows, oldest first. */
    public List<PodState> list() {
        return projection().list();
    }

    /**
     * Creates a pod ({@code rkj prepare}; with {@code run}, {@code rkj run}): records
     * {@code PodCreated} owned by this engine (with {@code run}, and {@code pod.launch-requested} by
     * it, in the same append), whose verticles then fetch, verify, render and prepare it, and with
     * {@code run} launch it once prepared. Watch it with {@link #awaitStatus}.
     *
     * @return the new pod's id, once its creation is recorded
     */
    public Future<String> createPod(PodSpec spec, boolean run) {
        return createPod(spec, Grantor.UNSTATED, run);
    }

    /**
     * {@link #createPod(PodSpec, boolean)}, saying who asks: if the spec grants privileges beyond
     * rkj's defaults, the journal records {@code grantor} as who granted them, with the creation.
     */
    public Future<String> createPod(PodSpec spec, Grantor grantor, boolean run) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(grantor, "grantor");
        if (closed) {
            return closedFailure();
        }
        try {
            CgroupLimits.requireWorkable(spec.memoryLimitBytes(), spec.cpuLimitMillis());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        String podId = PodIds.newId();
        try {
            recorder.record(new CreatePod(podId, spec, me, grantor, run));
            CrashPoint.AFTER_CREATED.reached(config.crashAt());
        } catch (IllegalPodTransition | JournalException e) {
            return Future.failedFuture(e);
        }
        return Future.succeededFuture(podId);
    }

    /**
     * Launches a prepared pod ({@code rkj run-prepared}): records {@code pod.launch-requested} by
     * this engine, whose launch verticle then launches it. A pod prepared by another engine is
     * adopted first (if two engines try at once, one wins and the other fails).
     *
     * @return the pod's state once its start is recorded; fails with the launch's
     *         {@link dev.rkj.engine.stage.StageException} (also recorded), an
     *         {@link IllegalPodTransition} if it is not prepared, or a {@link PodLookupException}
     */
    public Future<PodState> runPrepared(String idOrPrefix) {
        return runPrepared(idOrPrefix, Grantor.UNSTATED);
    }

    /** {@link #runPrepared(String)}, recording {@code grantor} as who asked. */
    public Future<PodState> runPrepared(String idOrPrefix, Grantor grantor) {
        PodState pod;
        try {
            pod = pod(idOrPrefix);
            PodLifecycle.check(pod, PodMove.START);
        } catch (PodLookupException | IllegalPodTransition e) {
            return Future.failedFuture(e);
        }
        String podId = pod.podId();
        Future<Void> owned = me.equals(pod.owner()) ? Future.succeededFuture()
                : adopt(pod, "run-prepared by " + me);
        return owned.compose(v -> requestLaunch(podId, grantor));
    }

    private Future<PodState> requestLaunch(String podId, Grantor grantor) {
        try {
            recorder.record(new RequestLaunch(podId, me, grantor));
            CrashPoint.AFTER_LAUNCH_REQUESTED.reached(config.crashAt());
        } catch (IllegalPodTransition | JournalException e) {
            return Future.failedFuture(e);
        }
        return awaitStatus(podId, s -> s.stage1Pid() != null || s.status().isFinished(), PROMPT).compose(s -> {
            if (s.stage1Pid() != null) {
                return Future.succeededFuture(s);
            }
            return Future.failedFuture(s.failure() != null && s.failure().stage() == Stage.LAUNCH
                    ? new StageException(s.failure().reason(), s.failure().retryable())
                    : new IllegalStateException("pod " + podId + " ended " + s.status().displayName()
                    + " without being launched"));
        });
    }

    /**
     * Asks a running pod to stop ({@code rkj stop [--force]}): records the request; the engine
     * driving the pod signals it. If that engine is gone, this one adopts the pod first. Wait for
     * the end with {@link #awaitStatus}.
     *
     * @return the pod's state once the request is recorded
     */
    public Future<PodState> stop(String idOrPrefix, boolean force) {
        return stop(idOrPrefix, force, Grantor.UNSTATED);
    }

    /** {@link #stop(String, boolean)}, recording {@code grantor} as who asked. */
    public Future<PodState> stop(String idOrPrefix, boolean force, Grantor grantor) {
        PodState pod;
        Recorded recorded;
        try {
            pod = pod(idOrPrefix);
            recorded = recorder.record(new StopPod(pod.podId(), force, grantor));
        } catch (PodLookupException | IllegalPodTransition | JournalException e) {
            return Future.failedFuture(e);
        }
        if (me.equals(pod.owner())) {
            dispatcher.poke(pod.podId());
            return Future.succeededFuture(recorded.state());
        }
        return reconciler.reconcile(pod.podId()).map(action -> recorder.current(pod.podId()));
    }

    /**
     * Removes a pod ({@code rkj rm}): marks it garbage and records {@code pod.delete-requested} by
     * this engine, whose gc verticle deletes its mounts, cgroups and directory. Refused for a pod
     * being prepared or running.
     *
     * @return completes when its deletion is recorded; fails with the refusal or the gc failure
     */
    public Future<Void> remove(String idOrPrefix) {
        return remove(idOrPrefix, Grantor.UNSTATED);
    }

    /** {@link #remove(String)}, recording {@code grantor} as who asked. */
    public Future<Void> remove(String idOrPrefix, Grantor grantor) {
        PodState pod;
        try {
            pod = pod(idOrPrefix);
            recorder.record(new RemovePod(pod.podId()));
        } catch (PodLookupException | IllegalPodTransition | JournalException e) {
            return Future.failedFuture(e);
        }
        return requestDelete(pod.podId(), grantor);
    }

    /**
     * Records {@code pod.delete-requested} by this engine for a garbage pod (its gc verticle
     * deletes it); completes when its deletion is recorded, fails with the recorded gc failure or
     * the refusal (not garbage).
     */
    private Future<Void> requestDelete(String podId, Grantor grantor) {
        try {
            recorder.record(new RequestDelete(podId, me, grantor));
        } catch (IllegalPodTransition | JournalException e) {
            return Future.failedFuture(e);
        }
        return awaitStatus(podId, s -> s.status() == PodStatus.DELETED || gcFailed(s), PROMPT).compose(s ->
                s.status() == PodStatus.DELETED ? Future.succeededFuture()
                        : Future.failedFuture(new StageException(s.failure().reason(), s.failure().retryable())));
    }

    /** The last delete request failed: the failure is recorded and the request cleared. */
    private static boolean gcFailed(PodState s) {
        return s.deleteRequestedBy() == null && s.failure() != null && s.failure().stage() == Stage.GC;
    }

    /**
     * Collects garbage ({@code rkj gc}): marks exited pods older than {@code gracePeriod}, aborted
     * pods, and prepared pods older than {@code expirePrepared} as garbage, then (unless
     * {@code markOnly}) deletes every garbage pod.
     */
    public Future<GcReport> gc(Duration gracePeriod, Duration expirePrepared, boolean markOnly) {
        return gc(gracePeriod, expirePrepared, markOnly, Grantor.UNSTATED);
    }

    /** {@link #gc(Duration, Duration, boolean)}, recording {@code grantor} as who asked for each deletion. */
    public Future<GcReport> gc(Duration gracePeriod, Duration expirePrepared, boolean markOnly, Grantor grantor) {
        return collector.collect(gracePeriod, expirePrepared, markOnly, podId -> requestDelete(podId, grantor));
    }

    /**
     * Completes with the pod's state as soon as {@code until} holds for it (now, if it already
     * does). The wait never outlives the pod's chances: it fails at once if the pod is deleted and
     * {@code until} does not hold (nothing more can happen to it), or if the journal can no longer
     * be read or written; and while another engine drives the pod, this engine checks every
     * {@link #OWNER_CHECK} that that engine is alive: if it is gone, this one takes the pod over as
     * recovery does ({@link Reconciler#reconcile}), so that what is awaited is still recorded, or
     * fails saying why it cannot.
     *
     * @param timeout how long to wait at most; a long one is fine (e.g. {@code rkj run} waits as
     *                long as the app runs), the guards above end a wait that cannot succeed
     * @return fails with a {@link TimeoutException} naming the pod's status after {@code timeout}
     */
    public Future<PodState> awaitStatus(String podId, Predicate<PodState> until, Duration timeout) {
        Objects.requireNonNull(until, "until");
        Promise<PodState> promise = Promise.promise();
        StatusWaiter waiter = new StatusWaiter(podId, until, promise);
        waiters.computeIfAbsent(podId, id -> new CopyOnWriteArrayList<>()).add(waiter);
        waiter.timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
            waiter.done = true;
            vertx.cancelTimer(waiter.ownerTimer);
            removeWaiter(waiter);
            PodState now = recorder.current(podId);
            promise.tryFail(new TimeoutException("pod " + podId + " is still " + now.status().displayName()
                    + " after " + timeout + " of waiting"));
        });
        if (closed) {
            finish(waiter, null, new IllegalStateException("engine " + me.engineId() + " is closed"));
        } else {
            offer(waiter, recorder.current(podId));
            dispatcher.failure().ifPresent(why -> finish(waiter, null, why));
            watchOwner(waiter);
        }
        return promise.future();
    }

    /**
     * While {@code waiter} waits, checks every {@link #OWNER_CHECK} whether the pod's driving engine
     * (or the engine that asked to delete it) is gone, and takes the pod over if so.
     */
    private void watchOwner(StatusWaiter waiter) {
        waiter.ownerTimer = vertx.setTimer(OWNER_CHECK.toMillis(), t -> {
            if (waiter.done || closed) {
                return;
            }
            PodState pod = recorder.current(waiter.podId);
            boolean foreign = pod.status() == PodStatus.GARBAGE
                    ? pod.deleteRequestedBy() != null && !me.equals(pod.deleteRequestedBy())
                    : pod.owner() != null && !me.equals(pod.owner()) && !pod.status().isFinished();
            if (!foreign) {
                watchOwner(waiter);
                return;
            }
            reconciler.reconcile(waiter.podId).onComplete(ar -> {
                if (ar.succeeded() && ar.result() != Reconciler.Action.FAILED) {
                    watchOwner(waiter);
                } else {
                    finish(waiter, null, new IllegalStateException("pod " + waiter.podId + " is driven by "
                            + pod.owner() + ", and this engine could not check or take over from it"
                            + (ar.failed() ? ": " + ar.cause().getMessage() : " (see the log)")));
                }
            });
        });
    }

    /**
     * Removes the entries of {@code <dataDir>/pods/} that the journal knows nothing of
     * ({@code rkj gc --unknown-pods}): a pod directory with a valid pod id is released and deleted
     * like a pod (its rootfs unmounted, its cgroups removed, never crossing into a mount or
     * following a link; refused while its stage1 runs); anything else there is left alone and
     * reported.
     *
     * @return the entries removed and, for the others, why not
     */
    public Future<GcReport> collectUnknownPods() {
        if (closed) {
            return closedFailure();
        }
        return vertx.executeBlocking(() -> {
            java.util.Set<String> known = new java.util.HashSet<>();
            projection().all().forEach(pod -> known.add(pod.podId())); // pods whose events were pruned too
            journal.replay(journal.firstIndex(), env -> known.add(env.aggregateId()));
            List<String> deleted = new ArrayList<>();
            Map<String, String> failed = new java.util.TreeMap<>();
            for (PodJanitorPort.Entry entry : config.ports().janitor().entries()) {
                String name = entry.name();
                if (known.contains(name)) {
                    continue;
                }
                if (!PodIds.isValid(name) || !entry.directory()) {
                    failed.put(name, "pods/" + name + " is not a pod directory (" + (entry.directory()
                            ? "not a pod id" : "not a directory") + "): left alone; remove it yourself if it is not needed");
                    continue;
                }
                try {
                    config.ports().janitor().delete(PodState.initial(name));
                    deleted.add(name);
                } catch (StageException e) {
                    failed.put(name, e.getMessage());
                }
            }
            return new GcReport(List.of(), deleted, failed);
        }, false);
    }

    /** The history of a pod, from the journal ({@code rkj journal show}); deleted pods too. */
    public Future<PodHistory> history(String idOrPrefix) {
        return vertx.executeBlocking(() -> {
            String podId = PodIds.isValid(idOrPrefix) && recorder.current(idOrPrefix).exists() ? idOrPrefix
                    : projection().resolvePrefix(idOrPrefix, true).podId();
            List<PodHistory.Entry> entries = new ArrayList<>();
            journal.replay(journal.firstIndex(), env -> { // a pruned journal's history starts at its first kept event
                if (podId.equals(env.aggregateId())) {
                    entries.add(new PodHistory.Entry(env.index(), env.time(), env.event()));
                }
            });
            return PodHistory.of(podId, entries);
        }, false);
    }

    /**
     * Stops the engine: undeploys its verticles, stops tailing the journal, closes what it opened
     * and marks itself gone. Running pods keep running; the next engine adopts them. Idempotent.
     */
    public Future<Void> shutdown() {
        if (closed) {
            return Future.succeededFuture();
        }
        closed = true;
        Future<Void> undeployed = Future.succeededFuture();
        for (String id : deployments) {
            undeployed = undeployed.compose(v -> vertx.undeploy(id).otherwise(e -> null));
        }
        return undeployed.eventually(() -> vertx.executeBlocking(() -> {
            snapshotOnShutdown();
            dispatcher.close();
            if (ownsJournal) {
                journal.close();
            }
            registration.close();
            runtime.close(); // its spare stage1; pods keep running
            return null;
        }, false)).eventually(() -> {
            waiters.values().forEach(list -> list.forEach(w ->
                    finish(w, null, new IllegalStateException("engine " + me.engineId() + " closed"))));
            waiters.clear();
            return ownsVertx ? vertx.close() : Future.succeededFuture();
        }).mapEmpty();
    }

    /** {@link #shutdown}, blocking; not on a Vert.x thread. */
    @Override
    public void close() {
        try {
            shutdown().toCompletionStage().toCompletableFuture().get();
        } catch (ExecutionException e) {
            LOG.warn("engine {} did not close cleanly: {}", me.engineId(), e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Future<Void> adopt(PodState pod, String reason) {
        Recorded recorded;
        try {
            recorded = recorder.record(new AdoptPod(pod.podId(), pod.owner(), me, reason));
        } catch (IllegalPodTransition | JournalException e) {
            return Future.failedFuture(e);
        }
        Future<Void> visible = recorded.isEmpty() ? Future.succeededFuture() : dispatcher.applied(recorded.lastIndex());
        return visible.compose(v -> {
            PodState now = recorder.current(pod.podId());
            return me.equals(now.owner()) ? Future.succeededFuture()
                    : Future.failedFuture(new IllegalStateException("pod " + pod.podId() + " was taken over by "
                            + now.owner() + " first; it is driving the pod now"));
        });
    }

    /** For tests: the engine's dispatcher. */
    PodEventDispatcher dispatcher() {
        return dispatcher;
    }

    private static <T> Future<T> closedFailure() {
        return Future.failedFuture(new IllegalStateException("the engine is closed: open a new one"));
    }

    private void onState(PodState state) {
        List<StatusWaiter> list = waiters.get(state.podId());
        if (list != null) {
            list.forEach(w -> offer(w, state));
        }
        snapshotIfDue();
    }

    /**
     * Takes a projection snapshot off the event loop once {@link Snapshots#EVERY} envelopes were
     * folded since the last one, so that the next start replays only what came after it.
     */
    private void snapshotIfDue() {
        if (snapshots == null || closed || projection().nextIndex() - snapshotAt < Snapshots.EVERY
                || !snapshotting.compareAndSet(false, true)) {
            return;
        }
        vertx.executeBlocking(() -> snapshots.refresh(journal), false).onComplete(ar -> {
            snapshotting.set(false);
            if (ar.succeeded()) {
                snapshotAt = ar.result().index();
            } else if (!closed) {
                LOG.warn("projection snapshot in {} not taken (the next start replays more of the journal): {}",
                        snapshots.directory(), ar.cause().getMessage());
            }
        });
    }

    /** Takes a snapshot at the journal's end on a clean shutdown; a failure only costs the next start a longer replay. */
    private void snapshotOnShutdown() {
        if (snapshots == null || projection().nextIndex() - snapshotAt < Snapshots.ON_SHUTDOWN) {
            return; // a short tail costs the next start less than writing a snapshot costs this stop
        }
        try {
            snapshots.refresh(journal);
        } catch (JournalException | IOException | RuntimeException e) {
            LOG.warn("projection snapshot in {} not taken at shutdown (the next start replays more of the journal): {}",
                    snapshots.directory(), e.getMessage());
        }
    }

    /** Why a pod's owner engine is gone, or null if it is alive (asked by gc, after the constructor). */
    private String whyGone(PodOwner owner) {
        return reconciler.whyGone(owner);
    }

    /** The journal's tail stopped (a damaged journal): no state will change any more, so every waiter hears why. */
    private void onTailFailure(Throwable why) {
        waiters.values().forEach(list -> list.forEach(w -> finish(w, null, why)));
    }

    /** An append about the pod failed: its waiters would wait for a state that cannot be recorded. */
    private void onJournalFailure(String podId, JournalException e) {
        List<StatusWaiter> list = waiters.get(podId);
        if (list != null) {
            list.forEach(w -> finish(w, null, e));
        }
    }

    private void offer(StatusWaiter waiter, PodState state) {
        boolean done;
        try {
            done = waiter.until.test(state);
        } catch (RuntimeException e) {
            finish(waiter, null, e);
            return;
        }
        if (done) {
            finish(waiter, state, null);
        } else if (state.status() == PodStatus.DELETED) {
            finish(waiter, null, new IllegalStateException("pod " + state.podId()
                    + " is deleted: what was awaited can no longer happen to it"));
        }
    }

    private void finish(StatusWaiter waiter, PodState state, Throwable failure) {
        waiter.done = true;
        removeWaiter(waiter);
        vertx.cancelTimer(waiter.timer);
        vertx.cancelTimer(waiter.ownerTimer);
        context.runOnContext(v -> {
            if (failure == null) {
                waiter.promise.tryComplete(state);
            } else {
                waiter.promise.tryFail(failure);
            }
        });
    }

    private void removeWaiter(StatusWaiter waiter) {
        List<StatusWaiter> list = waiters.get(waiter.podId);
        if (list != null) {
            list.remove(waiter);
        }
    }

    private static final class StatusWaiter {
        final String podId;
        final Predicate<PodState> until;
        final Promise<PodState> promise;
        volatile long timer = -1;
        volatile long ownerTimer = -1;
        volatile boolean done;

        StatusWaiter(String podId, Predicate<PodState> until, Promise<PodState> promise) {
            this.podId = podId;
            this.until = until;
            this.promise = promise;
        }
    }
}
