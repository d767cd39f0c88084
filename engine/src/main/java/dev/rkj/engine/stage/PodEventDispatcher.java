package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.pod.PodState;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import dev.rkj.eventlog.Tail;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The engine's one reader of the journal: folds every envelope into the {@link PodProjection}, then
 * tells each interested {@link PodSubscriber} (the stage verticles) on the subscriber's own Vert.x
 * context that the pod changed.
 *
 * <h2>Why direct context calls, not the event bus</h2>
 * The subscribers live in this process, so the dispatcher hands the pod id straight to each
 * interested verticle's context ({@link Context#runOnContext}): one hop from the journal's tail
 * thread to the verticle's event loop, no codec and no address lookup. The subscriber's
 * {@link PodSubscriber#wants} filter runs on the tail thread first, so a verticle is woken only
 * for pods it may have work for.
 *
 * <h2>Threads</h2>
 * {@link #replay} runs on the caller's thread before {@link #start}; afterwards the journal's tail
 * thread applies envelopes, and so does a {@link PodRecorder} on its own thread right after its
 * append ({@link #fold}, {@link #catchUp}). Both fold under one lock, in index order; the
 * projection skips an index already folded, so each change is delivered once. Appends made in this process
 * wake the tail at once; other processes' appends are seen within about a millisecond. Nothing a
 * subscriber or listener does can stop the tail: their exceptions are logged.
 */
public final class PodEventDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodEventDispatcher.class);

    private final Journal journal;
    private final PodProjection projection;
    private final Context callbacks;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<Consumer<PodState>> listeners = new CopyOnWriteArrayList<>();
    private final TreeMap<Long, List<Promise<Void>>> indexWaiters = new TreeMap<>();
    private volatile Tail tail;
    private final List<Consumer<Throwable>> failureListeners = new CopyOnWriteArrayList<>();
    private volatile Throwable failed;
    /** Held while an envelope is folded and its change delivered: changes are delivered in journal order. */
    private final Object foldLock = new Object();

    /**
     * @param journal    the journal to read
     * @param projection the projection to fold into (empty, or replayed by this dispatcher)
     * @param callbacks  the context on which the futures of {@link #applied} complete
     */
    public PodEventDispatcher(Journal journal, PodProjection projection, Context callbacks) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.projection = Objects.requireNonNull(projection, "projection");
        this.callbacks = Objects.requireNonNull(callbacks, "callbacks");
    }

    /** The projection this dispatcher folds into. */
    public PodProjection projection() {
        return projection;
    }

    /**
     * Folds every envelope the journal holds now into the projection, telling no one (blocking;
     * before {@link #start}).
     *
     * @return the index after the last envelope folded in
     */
    public long replay() throws JournalException {
        synchronized (foldLock) {
            journal.replay(projection.nextIndex(), this::foldQuietly);
        }
        return projection.nextIndex();
    }

    /** Starts tailing the journal after what was replayed. Idempotent. */
    public synchronized void start() {
        if (tail == null) {
            tail = journal.tail(projection.nextIndex(), this::dispatch);
            tail.whenFailed(this::tailFailed);
        }
    }

    /** Tells {@code subscriber}, on {@code context}, about every pod change it wants from now on. */
    public void subscribe(PodSubscriber subscriber, Context context) {
        subscriptions.add(new Subscription(Objects.requireNonNull(subscriber), Objects.requireNonNull(context)));
    }

    public void unsubscribe(PodSubscriber subscriber) {
        subscriptions.removeIf(s -> s.subscriber == subscriber);
    }

    /**
     * Calls {@code listener} with every pod state the tail folds in (on the tail thread: it must
     * be quick and must not block).
     */
    public void listen(Consumer<PodState> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public void unlisten(Consumer<PodState> listener) {
        listeners.remove(listener);
    }

    /**
     * Tells every subscriber that wants pod {@code podId} in its current state to look at it, as
     * if an event of it had just arrived (recovery, and commands that do not append).
     */
    public void poke(String podId) {
        projection.get(podId).ifPresent(this::notifySubscribers);
    }

    /**
     * Folds everything the journal holds beyond the projection into it, delivering each change
     * (on the calling thread): a writer that lost a conditional append catches up this way before
     * deciding again.
     *
     * @throws JournalException if the journal cannot be read; what was folded before stays folded
     */
    void catchUp() throws JournalException {
        synchronized (foldLock) {
            journal.replay(projection.nextIndex(), this::deliver);
        }
    }

    /**
     * Folds a writer's own envelopes, just appended, into the projection on the calling thread and
     * delivers their changes, so the writer's next decision and every reader see them at once.
     * Envelopes of other writers before them that the tail has not folded yet are read from the
     * journal and folded first (the projection never skips an index). If that read fails, the
     * envelopes are left to the tail, which reads the same journal (and reports its own failure).
     */
    void fold(List<Envelope> appended) {
        synchronized (foldLock) {
            for (Envelope env : appended) {
                long next = projection.nextIndex();
                if (env.index() == next) {
                    deliver(env);
                } else if (env.index() > next) {
                    try {
                        journal.replay(next, this::deliver);
                    } catch (JournalException | RuntimeException e) {
                        LOG.warn("journal entries {}..{} cannot be read to fold this engine's own appends now;"
                                + " the journal's tail will fold them", next, env.index(), e);
                        return;
                    }
                }
            }
        }
    }

    /**
     * Completes (on the callbacks context) once the projection holds the envelope at
     * {@code index}: a writer's way to wait until its own append is visible.
     */
    public Future<Void> applied(long index) {
        Promise<Void> promise = Promise.promise();
        synchronized (indexWaiters) {
            Throwable why = failed;
            if (why != null && projection.nextIndex() <= index) {
                return Future.failedFuture(why);
            }
            if (projection.nextIndex() <= index) {
                indexWaiters.computeIfAbsent(index, i -> new ArrayList<>()).add(promise);
                return promise.future();
            }
        }
        callbacks.runOnContext(v -> promise.complete());
        return promise.future();
    }

    /** Why the tail stopped by itself (a damaged journal), if it did. */
    public java.util.Optional<Throwable> failure() {
        Tail t = tail;
        return t == null ? java.util.Optional.empty() : t.failure();
    }

    /** Stops the tail (waiting for a dispatch in progress). The journal stays open. Idempotent. */
    @Override
    public void close() {
        Tail t;
        synchronized (this) {
            t = tail;
            tail = null;
        }
        if (t != null) {
            t.close();
        }
        subscriptions.clear();
        listeners.clear();
    }

    private void foldQuietly(Envelope env) {
        projection.apply(env.aggregateId(), env.event(), env.time(), env.index());
    }

    /** The tail's handler: never throws, or the tail would stop. */
    private void dispatch(Envelope env) {
        synchronized (foldLock) {
            deliver(env);
        }
    }

    /**
     * Folds one envelope (under the fold lock) and, if it changed a pod (not already folded by the
     * tail or by a writer), tells the listeners and subscribers. Never throws.
     */
    private void deliver(Envelope env) {
        java.util.Optional<PodState> changed;
        try {
            changed = projection.apply(env.aggregateId(), env.event(), env.time(), env.index());
        } catch (RuntimeException e) {
            LOG.error("journal entry {} ({}) cannot be folded into the pod projection; skipping it", env.index(),
                    env.type(), e);
            changed = java.util.Optional.empty();
        }
        releaseWaiters();
        changed.ifPresent(state -> {
            for (Consumer<PodState> listener : listeners) {
                try {
                    listener.accept(state);
                } catch (RuntimeException e) {
                    LOG.error("a pod listener failed on pod {}", state.podId(), e);
                }
            }
            notifySubscribers(state);
        });
    }

    private void notifySubscribers(PodState state) {
        for (Subscription s : subscriptions) {
            boolean wanted;
            try {
                wanted = s.subscriber.wants(state);
            } catch (RuntimeException e) {
                LOG.error("{} failed to filter pod {}", s.subscriber, state.podId(), e);
                continue;
            }
            if (wanted) {
                s.context.runOnContext(v -> s.subscriber.onPod(state.podId()));
            }
        }
    }

    /**
     * Calls {@code listener} (on the tail's thread) if the tail stops by itself, a damaged journal
     * say: nothing more will be folded in, so whoever waits for a state should hear why.
     */
    public void whenFailed(Consumer<Throwable> listener) {
        failureListeners.add(Objects.requireNonNull(listener, "listener"));
        Throwable why = failed;
        if (why != null && failureListeners.remove(listener)) {
            listener.accept(why);
        }
    }

    private void tailFailed(Throwable why) {
        List<Promise<Void>> waiting = new ArrayList<>();
        synchronized (indexWaiters) {
            failed = why;
            indexWaiters.values().forEach(waiting::addAll);
            indexWaiters.clear();
        }
        if (!waiting.isEmpty()) {
            callbacks.runOnContext(v -> waiting.forEach(p -> p.tryFail(why)));
        }
        for (Consumer<Throwable> listener : failureListeners) {
            if (failureListeners.remove(listener)) {
                listener.accept(why);
            }
        }
    }

    private void releaseWaiters() {
        List<Promise<Void>> due = new ArrayList<>();
        synchronized (indexWaiters) {
            long next = projection.nextIndex();
            Map<Long, List<Promise<Void>>> head = indexWaiters.headMap(next);
            head.values().forEach(due::addAll);
            head.clear();
        }
        if (!due.isEmpty()) {
            callbacks.runOnContext(v -> due.forEach(Promise::tryComplete));
        }
    }

    private record Subscription(PodSubscriber subscriber, Context context) {
    }
}
