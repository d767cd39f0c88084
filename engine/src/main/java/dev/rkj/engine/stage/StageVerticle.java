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

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What every stage verticle shares: it subscribes to the {@link PodEventDispatcher} while
 * deployed, and for each pod it is told about, checks the pod's latest state and its own work in
 * flight before doing anything, so that redelivered events and recovery pokes never run a stage
 * twice. A verticle wires a stage to the journal; the stage's logic is in its port (and in a step
 * class where one holds logic of its own).
 *
 * <h2>Threads</h2>
 * {@link #wants} runs on the dispatcher's thread and looks at nothing but the pod's state.
 * Everything else runs on the verticle's own context (an event loop): {@link #onPod},
 * {@link #due}, {@link #work}, and the callbacks of the blocking work, which runs on a worker
 * thread and completes back on this context (see {@link Blocking}). So a verticle's bookkeeping
 * is plain fields and maps, touched by one thread at a time, with no locks.
 */
public abstract class StageVerticle extends VerticleBase implements PodSubscriber {
    private static final Logger LOG = LoggerFactory.getLogger(StageVerticle.class);

    protected final PodEventDispatcher dispatcher;
    protected final PodRecorder recorder;
    protected final PodOwner owner;
    /** The crash point the engine was configured with (tests only), or null. */
    protected final CrashPoint crashAt;
    private final Set<String> working = new HashSet<>();

    /** What {@link #work} returns when nothing was due after all (no second look needed). */
    protected static final Object IDLE = new Object();

    protected StageVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt) {
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.crashAt = crashAt;
    }

    @Override
    public Future<?> start() {
        dispatcher.subscribe(this, context);
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        dispatcher.unsubscribe(this);
        return Future.succeededFuture();
    }

    /** Whether this engine drives the pod. */
    protected final boolean mine(PodState pod) {
        return owner.equals(pod.owner());
    }

    @Override
    public final void onPod(String podId) {
        if (!working.add(podId)) {
            return; // busy with it: looked at again when that work ends
        }
        PodState pod = recorder.current(podId);
        if (!pod.exists() || !wants(pod) || !due(pod)) {
            working.remove(podId);
            return;
        }
        Future<?> work;
        try {
            work = work(pod);
        } catch (RuntimeException e) {
            work = Future.failedFuture(e);
        }
        work.onComplete(ar -> {
            working.remove(podId);
            if (ar.failed()) {
                LOG.error("{} could not record the outcome of its work on pod {}", getClass().getSimpleName(), podId,
                        ar.cause());
            } else if (ar.result() != IDLE) {
                // Changes that arrived while we worked were not acted on: look once more.
                context.runOnContext(v -> onPod(podId));
            }
        });
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
    protected abstract Future<?> work(PodState pod);

    /**
     * Records the outcome of a step: {@code outcome}'s command when it succeeded, the stage's
     * failure when it failed; then passes {@code after} if a success was appended. Fails only if
     * the journal could not be written.
     */
    protected final <T> Future<Recorded> recordOutcome(PodState pod, Stage stage, Future<T> result,
                                                       Function<T, PodCommand> outcome, CrashPoint after) {
        return result.transform(ar -> ar.succeeded()
                ? record(outcome.apply(ar.result()), after)
                : record(StageFailures.command(pod.podId(), stage, ar.cause())));
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
            Recorded recorded = recorder.record(command);
            if (!recorded.isEmpty()) {
                if (after != null) {
                    after.reached(crashAt);
                }
            }
            return Future.succeededFuture(recorded);
        } catch (IllegalPodTransition e) {
            LOG.info("not recording {}: {}", command.getClass().getSimpleName(), e.getMessage());
            return Future.succeededFuture(new Recorded(List.of(), recorder.current(command.podId())));
        } catch (JournalException | RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
