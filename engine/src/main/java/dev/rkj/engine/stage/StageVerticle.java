package dev.rkj.engine.stage;

import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.PodCommand;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.stage.PodRecorder.Recorded;
import dev.rkj.eventlog.JournalException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;

/**
 * What every stage verticle shares: it subscribes to the {@link PodEventDispatcher} while
 * deployed, and for each pod it is told about, claims the pod ({@link PodWork}: one piece of work
 * per pod at a time in this engine) and checks the pod's latest state before doing anything, so
 * that redelivered events and recovery pokes never run a stage twice. A verticle wires a stage to
 * the journal; the stage's logic is in its port (and in a step class where one holds logic of its own).
 *
 * <h2>Threads</h2>
 * {@link #wants} and {@link #step} run on any thread and look at nothing but the pod's state.
 * Everything else runs on the verticle's own context (an event loop): {@link #onPod},
 * {@link #due}, {@link #work}, a step's {@link Step#handOver}, and the callbacks of the blocking
 * work, which runs on a worker thread and completes back on this context (see {@link Blocking}).
 * So a verticle's bookkeeping is plain fields and maps, touched by one thread at a time, with no
 * locks. A {@link Step} runs on a worker, followed there by the steps of the stages after it
 * (see {@link PodWork}).
 */
public abstract class StageVerticle extends VerticleBase implements PodSubscriber {
    private static final Logger LOG = LoggerFactory.getLogger(StageVerticle.class);

    protected final PodEventDispatcher dispatcher;
    protected final PodRecorder recorder;
    protected final PodOwner owner;
    /** The crash point the engine was configured with (tests only), or null. */
    protected final CrashPoint crashAt;
    private final PodWork podWork;

    /** What {@link #work} returns when nothing was due after all (no second look needed). */
    protected static final Object IDLE = new Object();
    /** What a chain returns when a stage's {@link Step#handOver} took the pod's claim to its own context. */
    private static final Object HANDED_OVER = new Object();

    protected StageVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                            PodWork podWork) {
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.crashAt = crashAt;
        this.podWork = Objects.requireNonNull(podWork, "podWork");
    }

    @Override
    public Future<?> start() {
        podWork.join(this);
        dispatcher.subscribe(this, context);
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        dispatcher.unsubscribe(this);
        podWork.leave(this);
        return Future.succeededFuture();
    }

    /** Whether this engine drives the pod. */
    protected final boolean mine(PodState pod) {
        return owner.equals(pod.owner());
    }

    /**
     * One stage's work for one pod, as a {@link PodWork} chain runs it on a worker thread: the
     * blocking work, then the command recording its success (or the stage's failure), then the next
     * stage that wants the pod's new state, on the same thread.
     */
    protected interface Step {
        /** Blocking (a worker thread): does the stage's work and returns the command recording its success. */
        PodCommand call() throws Exception;

        /** The stage a failure of {@link #call} is recorded against. */
        Stage stage();

        /** Passed once the success is appended, before anything acts on it; null for none. */
        default CrashPoint after() {
            return null;
        }

        /**
         * What the stage does on its own context once the outcome is recorded (the pod stays claimed
         * until it has run, and the chain ends there), or null to go on with the next stage.
         */
        default Runnable handOver() {
            return null;
        }

        /** A step that runs {@code work}, recording a failure against {@code stage}, passing {@code after} on success. */
        static Step of(Stage stage, CrashPoint after, java.util.concurrent.Callable<PodCommand> work) {
            return new Simple(Objects.requireNonNull(stage, "stage"), after, Objects.requireNonNull(work, "work"));
        }
    }

    /** A step that is its work alone. */
    private record Simple(Stage stage, CrashPoint after, java.util.concurrent.Callable<PodCommand> work) implements Step {
        @Override
        public PodCommand call() throws Exception {
            return work.call();
        }
    }

    /**
     * This stage's work for {@code pod} (which it {@link #wants}) as a {@link Step} that may run on
     * any thread, or null if the work needs this verticle's context ({@link #work} then does it). It
     * must look at nothing but the pod's state: it is also called by another stage's chain.
     */
    protected Step step(PodState pod) {
        return null;
    }

    @Override
    public final void onPod(String podId) {
        if (!podWork.claim(podId)) {
            return; // some stage works on it: it is looked at again when that work ends
        }
        PodState pod = recorder.current(podId);
        if (!pod.exists() || !wants(pod) || !due(pod)) {
            podWork.release(podId);
            return;
        }
        Future<?> work;
        try {
            Step step = step(pod);
            work = step != null ? Blocking.run(vertx, () -> chain(this, step, podId)) : work(pod);
        } catch (RuntimeException e) {
            work = Future.failedFuture(e);
        }
        work.onComplete(ar -> {
            if (ar.succeeded() && ar.result() == HANDED_OVER) {
                return; // released where it was handed over
            }
            podWork.release(podId);
            if (ar.failed()) {
                LOG.error("{} could not record the outcome of its work on pod {}", getClass().getSimpleName(), podId,
                        ar.cause());
            } else if (ar.result() != IDLE) {
                // Changes that arrived while we worked were not acted on: every stage looks once more.
                dispatcher.poke(podId);
            }
        });
    }

    /**
     * Runs {@code step} of {@code stage} and, while the pod's new state is wanted by a stage whose
     * work may run here, that stage's step: on the calling worker thread, the pod claimed throughout.
     */
    private Object chain(StageVerticle stage, Step step, String podId) throws JournalException {
        while (true) {
            PodCommand command;
            CrashPoint after = null;
            boolean succeeded = false;
            try {
                command = step.call();
                after = step.after();
                succeeded = true;
            } catch (Exception e) {
                command = StageFailures.command(podId, step.stage(), e);
            }
            Recorded recorded = stage.recordNow(command, after);
            Runnable handOver = step.handOver();
            if (handOver != null) {
                stage.context.runOnContext(v -> {
                    try {
                        handOver.run();
                    } finally {
                        podWork.release(podId);
                        dispatcher.poke(podId);
                    }
                });
                return HANDED_OVER;
            }
            if (!succeeded || recorded.isEmpty()) {
                return recorded; // a failure, or nothing recorded: the chain ends
            }
            PodWork.Next next = podWork.next(recorded.state()).orElse(null);
            if (next == null) {
                return recorded;
            }
            stage = next.stage();
            step = next.step();
        }
    }

    /**
     * Whether, beyond what {@link #wants} sees in the state, this verticle's own bookkeeping says
     * work is due for the pod (on the verticle's context). Everything is due by default.
     */
    protected boolean due(PodState pod) {
        return true;
    }

    /**
     * Does this stage's work for a pod {@link #wants} and records its outcome. Called on the
     * verticle's context; blocking work goes through the step classes. When it completes the pod is
     * looked at once more (changes that arrived meanwhile), unless it completes with {@link #IDLE}.
     */
    protected Future<?> work(PodState pod) {
        return Future.succeededFuture(IDLE); // a stage whose work is all in its step
    }

    /**
     * Decides and appends {@code command}. A refusal means the pod moved on meanwhile (it was
     * removed, another engine recorded the fact): logged, and nothing appended.
     */
    protected final Future<Recorded> record(PodCommand command) {
        return record(command, null);
    }

    /**
     * As {@link #record(PodCommand)}, passing {@code after} (if not null) once the events are
     * appended and before anything in this process acts on them.
     */
    protected final Future<Recorded> record(PodCommand command, CrashPoint after) {
        try {
            return Future.succeededFuture(recordNow(command, after));
        } catch (JournalException | RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** {@link #record(PodCommand, CrashPoint)} on the calling thread: a refusal is logged and nothing appended. */
    private Recorded recordNow(PodCommand command, CrashPoint after) throws JournalException {
        try {
            return recorder.record(command, after == null ? null : () -> after.reached(crashAt));
        } catch (IllegalPodTransition e) {
            LOG.info("not recording {}: {}", command.getClass().getSimpleName(), e.getMessage());
            return new Recorded(List.of(), recorder.current(command.podId()));
        }
    }
}
