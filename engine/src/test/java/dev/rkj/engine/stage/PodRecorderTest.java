package dev.rkj.engine.stage;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodCommand;
import dev.rkj.engine.pod.PodCommand.CreatePod;
import dev.rkj.engine.pod.PodCommand.MarkGarbage;
import dev.rkj.engine.pod.PodCommand.PreparePod;
import dev.rkj.engine.pod.PodCommand.RecordRendered;
import dev.rkj.engine.pod.PodCommand.RecordVerification;
import dev.rkj.engine.pod.PodCommand.ResolveImage;
import dev.rkj.engine.pod.PodCommand.StartPod;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodIds;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.InMemoryJournal;
import dev.rkj.eventlog.Journal;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recorder decides against the one projection and appends only if the pod is unchanged: two
 * recorders on one journal, each with its own projection, stand for two engine processes.
 */
class PodRecorderTest {
    private static final String IMAGE = "sha512-" + "ab".repeat(64);
    private static final PodOwner RUN = new PodOwner("engine-run", 100);
    private static final PodOwner GC = new PodOwner("engine-gc", 200);

    private final Vertx vertx = Vertx.vertx();
    private final InMemoryJournal journal = new InMemoryJournal(EngineEvents.registry());
    private final List<PodEventDispatcher> dispatchers = new ArrayList<>();
    private final String pod = PodIds.newId();

    @AfterEach
    void close() throws Exception {
        dispatchers.forEach(PodEventDispatcher::close);
        journal.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private PodRecorder engine(Journal on) {
        PodEventDispatcher dispatcher = new PodEventDispatcher(on, new dev.rkj.engine.pod.PodProjection(),
                vertx.getOrCreateContext());
        dispatchers.add(dispatcher);
        return new PodRecorder(on, dispatcher);
    }

    private void prepare(PodRecorder recorder) throws Exception {
        for (PodCommand c : List.of(new CreatePod(pod, PodSpec.of("example.com/busybox:1.36"), RUN),
                new ResolveImage(pod, IMAGE, "example.com/busybox", ImageSource.FETCHED),
                new RecordVerification(pod, IMAGE, true, "signed"),
                new RecordRendered(pod, IMAGE, IMAGE),
                new PreparePod(pod, "sha512-" + "cd".repeat(64)))) {
            recorder.record(c);
        }
    }

    @Test
    void aRecordersOwnAppendsAreInItsProjectionWhenRecordReturns() throws Exception {
        PodRecorder run = engine(journal);
        prepare(run);
        PodState state = run.current(pod);
        assertEquals(PodStatus.PREPARED, state.status());
        assertEquals(journal.nextIndex(), run.projection().nextIndex(), "folded synchronously, without a tail");
    }

    @Test
    void gcDecidingAgainstAStaleStateLosesTheAppendAndIsRefusedOnceItSeesTheStart() throws Exception {
        PodRecorder run = engine(journal);
        PodRecorder gc = engine(journal.withRegistry(EngineEvents.registry())); // its own projection, no tail
        prepare(run);
        dispatchers.get(1).replay(); // gc's engine starts: its projection holds the pod prepared
        assertEquals(PodStatus.PREPARED, gc.current(pod).status(), "gc saw the pod prepared");

        run.record(new StartPod(pod, 4242, Map.of("busybox", 4243L), RUN)); // gc has not seen this

        IllegalPodTransition refused = assertThrows(IllegalPodTransition.class,
                () -> gc.record(new MarkGarbage(pod, "prepared more than 0s ago and never run")));
        assertTrue(refused.getMessage().contains("stop it first"), refused.getMessage());
        assertEquals(PodStatus.RUNNING, gc.current(pod).status(), "gc caught up from the journal");
        List<Envelope> all = new ArrayList<>();
        journal.replay(0, all::add);
        assertTrue(all.stream().noneMatch(e -> e.event() instanceof PodEvent.PodMarkedGarbage), all.toString());
    }

    @Test
    void eachChangeIsDeliveredOnceThoughBothTheRecorderAndTheTailFoldIt() throws Exception {
        PodRecorder run = engine(journal);
        PodEventDispatcher dispatcher = dispatchers.get(0);
        List<Long> revisions = new CopyOnWriteArrayList<>();
        dispatcher.listen(state -> revisions.add(state.revision()));
        dispatcher.start();
        prepare(run);
        long last = journal.nextIndex() - 1;
        dispatcher.applied(last).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // Another "process" appends; the tail folds and delivers it.
        PodRecorder other = engine(journal.withRegistry(EngineEvents.registry()));
        other.record(new StartPod(pod, 4242, Map.of("busybox", 4243L), GC));
        dispatcher.applied(journal.nextIndex() - 1).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        long events = journal.nextIndex();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> revisions.size() >= events);
        assertEquals(java.util.stream.LongStream.rangeClosed(1, events).boxed().toList(), revisions,
                "one delivery per event, in order");
    }
}
