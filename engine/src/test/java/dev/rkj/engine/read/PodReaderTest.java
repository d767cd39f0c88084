package dev.rkj.engine.read;

import static dev.rkj.engine.read.ReadFixtures.POD;
import static dev.rkj.engine.read.ReadFixtures.RUNNER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.fakes.FakeLiveness;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.read.ReadFixtures.FakeTraces;
import dev.rkj.eventlog.InMemoryJournal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PodReaderTest {
    private InMemoryJournal journal;
    private final FakeTraces traces = new FakeTraces();
    private final FakeLiveness liveness = new FakeLiveness();

    @BeforeEach
    void aRunningPod() throws Exception {
        journal = ReadFixtures.journal();
        List<PodEvent> life = new ArrayList<>(ReadFixtures.preparation());
        life.add(ReadFixtures.started());
        ReadFixtures.append(journal, life);
    }

    private PodReader reader(boolean mayWrite) {
        return new PodReader(journal, traces, liveness, mayWrite, Clock.systemUTC());
    }

    @Test
    void aReadRecordsTheExitOfAPodWhoseStage1AndEngineAreGoneThenFindsNothingNew() throws Exception {
        traces.with(POD, ReadFixtures.ended(3));
        PodRead read = reader(true).read(AsOf.latest()).pod(POD);
        assertEquals(PodStatus.EXITED, read.state().status());
        assertEquals(3, read.state().exitCode());
        assertTrue(read.recorded(), read.unrecorded());
        assertEquals(List.of("AppExited", "PodExited"), eventsFrom(6));

        long next = journal.nextIndex();
        PodRead again = reader(true).read(AsOf.latest()).pod(POD);
        assertEquals(PodStatus.EXITED, again.state().status());
        assertEquals(next, journal.nextIndex(), "a read of an unchanged journal appends nothing");
    }

    @Test
    void aPodWhoseStage1RunsIsShownRunningAndNothingIsAppended() throws Exception {
        traces.with(POD, ReadFixtures.running());
        PodSnapshot snapshot = reader(true).read(AsOf.latest());
        assertEquals(PodStatus.RUNNING, snapshot.pod(POD.substring(0, 8)).state().status());
        assertEquals(6, journal.nextIndex(), "no adoption, nothing");
        assertEquals(6, snapshot.position());
    }

    @Test
    void aPodWithoutStatusesIsRecordedLost() throws Exception {
        traces.with(POD, ReadFixtures.vanished());
        PodRead read = reader(true).read(AsOf.latest()).pod(POD);
        assertEquals(PodStatus.EXITED, read.state().status());
        assertTrue(read.state().lost());
        assertEquals(List.of("PodLost"), eventsFrom(6));
    }

    @Test
    void anEndWhoseEngineLivesIsShownButLeftToThatEngine() throws Exception {
        traces.with(POD, ReadFixtures.ended(3));
        liveness.alive(RUNNER);
        PodRead read = reader(true).read(AsOf.latest()).pod(POD);
        assertEquals(PodStatus.EXITED, read.state().status(), "never shown running once its stage1 is gone");
        assertFalse(read.recorded());
        assertTrue(read.unrecorded().contains("alive and records it"), read.unrecorded());
        assertEquals(6, journal.nextIndex());
    }

    @Test
    void aReadThatMayNotWriteShowsTheEndWithoutRecordingIt() throws Exception {
        traces.with(POD, ReadFixtures.ended(3));
        PodRead read = reader(false).read(AsOf.latest()).pod(POD);
        assertEquals(3, read.state().exitCode());
        assertTrue(read.unrecorded().contains("read-only"), read.unrecorded());
        assertEquals(6, journal.nextIndex());
    }

    @Test
    void tenReadersAtOnceRecordTheExitOnce() throws Exception {
        traces.with(POD, ReadFixtures.ended(3));
        int n = 10;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<PodRead>> reads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                reads.add(pool.submit(() -> {
                    start.await();
                    return reader(true).read(AsOf.latest()).pod(POD);
                }));
            }
            for (Future<PodRead> r : reads) {
                PodRead read = r.get(1, TimeUnit.MINUTES);
                assertEquals(3, read.state().exitCode());
                assertTrue(read.recorded(), read.unrecorded());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("AppExited", "PodExited"), eventsFrom(6));
    }

    @Test
    void aReadAsOfAnEarlierPointOnlyFolds() throws Exception {
        traces.with(POD, ReadFixtures.ended(3));
        PodSnapshot before = reader(true).read(new AsOf.AtIndex(4));
        assertEquals(PodStatus.PREPARED, before.pod(POD).state().status());
        PodSnapshot running = reader(true).read(new AsOf.AtIndex(5));
        assertEquals(PodStatus.RUNNING, running.pod(POD).state().status());
        assertNull(running.pod(POD).unrecorded());
        assertEquals(6, journal.nextIndex(), "no settling with --at");
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class,
                () -> reader(true).read(new AsOf.AtIndex(6)));
        assertEquals("the journal has no event at index 6: it holds 6 (indexes 0 to 5)", beyond.getMessage());
    }

    @Test
    void aPreparedPodWhoseStage1EndedUnrecordedFailsItsLaunchOnlyWhenItsEngineIsGone() throws Exception {
        journal = ReadFixtures.journal();
        ReadFixtures.append(journal, ReadFixtures.preparation());
        traces.with(POD, ReadFixtures.ended(3));
        liveness.alive(RUNNER);
        PodRead launching = reader(true).read(AsOf.latest()).pod(POD);
        assertEquals(PodStatus.PREPARED, launching.state().status(), "its live engine records the start or the failure");
        assertTrue(launching.recorded());
        assertEquals(5, journal.nextIndex());

        liveness.dead(RUNNER);
        PodRead failed = reader(true).read(AsOf.latest()).pod(POD);
        assertEquals(PodStatus.EXITED, failed.state().status());
        assertTrue(failed.state().failure().reason().contains("it died launching the pod"), failed.state().failure().reason());
        assertEquals(List.of("StageFailed"), eventsFrom(5));
    }

    @Test
    void aPodDirectoryThatCannotBeReadIsSaidSo() throws Exception {
        PodReader reader = new PodReader(journal, pod -> {
            throw new java.io.IOException("/var/lib/rkj/pods/" + POD + "/lock: Permission denied");
        }, liveness, true, Clock.systemUTC());
        PodRead read = reader.read(AsOf.latest()).pod(POD);
        assertEquals(PodStatus.RUNNING, read.state().status());
        assertTrue(read.unrecorded().contains("Permission denied"), read.unrecorded());
        assertEquals(6, journal.nextIndex());
    }

    private List<String> eventsFrom(long index) throws Exception {
        List<String> names = new ArrayList<>();
        journal.replay(index, env -> names.add(env.event().getClass().getSimpleName()));
        return names;
    }
}
