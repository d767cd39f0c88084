package dev.rkj.engine;

import dev.rkj.engine.fakes.FakeLiveness;
import dev.rkj.engine.fakes.FakePorts;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.InMemoryJournal;
import dev.rkj.eventlog.JournalException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Engines on one in-memory journal with recording fake ports: what the engine unit tests share.
 * Several engines (restarts, rivals) can be opened on the same journal; {@link #close} closes them
 * all.
 */
final class EngineHarness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final PodSpec INSECURE = new PodSpec("example.com/busybox:1.36", null, List.of(), Map.of(), null,
            PodSpec.NetMode.DEFAULT, null, null, false, Set.of(InsecureOption.IMAGE));

    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    final Vertx vertx = Vertx.vertx();
    final InMemoryJournal journal = new InMemoryJournal(EngineEvents.registry(), clock);
    final FakePorts fakes = new FakePorts();
    final FakeLiveness liveness = new FakeLiveness();
    private final List<Engine> engines = new ArrayList<>();

    Engine open() throws EngineException {
        return open(EngineConfig.newEngineId(), true);
    }

    Engine open(String engineId, boolean watchOrphans) throws EngineException {
        Engine engine = Engine.open(EngineConfig.builder(Path.of("/fake"), fakes.ports()).engineId(engineId)
                .vertx(vertx).journal(journal).liveness(liveness).watchOrphans(watchOrphans).clock(clock).build());
        engines.add(engine);
        return engine;
    }

    /** The wire names of the pod's events in the journal, in order. */
    List<String> events(String podId) throws JournalException {
        List<String> names = new ArrayList<>();
        journal.replay(0, env -> {
            if (env.aggregateId().equals(podId)) {
                names.add(env.type().name());
            }
        });
        return names;
    }

    /** The pod's events in the journal, decoded. */
    List<PodEvent> podEvents(String podId) throws JournalException {
        List<PodEvent> events = new ArrayList<>();
        journal.replay(0, env -> {
            if (env.aggregateId().equals(podId)) {
                events.add((PodEvent) env.event());
            }
        });
        return events;
    }

    /** Appends events as another process would. */
    void append(PodEvent... events) throws JournalException {
        for (PodEvent e : events) {
            journal.append(e.podId(), (Record) e);
        }
    }

    static <T> T await(Future<T> future) throws EngineException {
        return Engine.await(future, WAIT);
    }

    static PodState awaitStatus(Engine engine, String podId, PodStatus status) throws EngineException {
        return await(engine.awaitStatus(podId, s -> s.status() == status, WAIT));
    }

    static PodState awaitState(Engine engine, String podId, Predicate<PodState> until) throws EngineException {
        return await(engine.awaitStatus(podId, until, WAIT));
    }

    /** Waits until the projection of {@code engine} has folded in everything the journal holds. */
    void sync(Engine engine) throws JournalException, EngineException {
        long last = journal.nextIndex() - 1;
        if (last >= 0) {
            await(engine.dispatcher().applied(last));
        }
    }

    static PodOwner deadOwner() {
        return new PodOwner("dead-engine", 99_999);
    }

    @Override
    public void close() {
        for (Engine e : engines) {
            e.close();
        }
        journal.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @SuppressWarnings("unused")
    private static String describe(Envelope env) {
        return env.index() + " " + env.type();
    }
}
