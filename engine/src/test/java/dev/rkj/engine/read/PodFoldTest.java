package dev.rkj.engine.read;

import static dev.rkj.engine.read.ReadFixtures.APP;
import static dev.rkj.engine.read.ReadFixtures.POD;
import static dev.rkj.engine.read.ReadFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.eventlog.InMemoryJournal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PodFoldTest {
    private InMemoryJournal journal;

    @BeforeEach
    void writeOnePodsLife() throws Exception {
        journal = ReadFixtures.journal();
        List<PodEvent> life = new ArrayList<>(ReadFixtures.preparation()); // 0..4
        life.add(ReadFixtures.started()); // 5
        life.add(new PodEvent.AppExited(POD, APP, 3, null, false)); // 6
        life.add(new PodEvent.PodExited(POD, 3, "all apps exited")); // 7
        ReadFixtures.append(journal, life);
    }

    @Test
    void foldUpToAnIndexIsTheStateRightAfterTheEventAtThatIndex() throws Exception {
        PodStatus[] expected = {PodStatus.EMBRYO, PodStatus.PREPARING, PodStatus.PREPARING, PodStatus.PREPARING,
            PodStatus.PREPARED, PodStatus.RUNNING, PodStatus.RUNNING, PodStatus.EXITED};
        for (int i = 0; i < expected.length; i++) {
            PodProjection p = PodFold.fold(journal, new AsOf.AtIndex(i));
            assertEquals(expected[i], p.get(POD).orElseThrow().status(), "as of index " + i);
            assertEquals(i + 1, p.nextIndex(), "the fold stops after index " + i);
        }
        assertEquals(3, PodFold.fold(journal, new AsOf.AtIndex(7)).get(POD).orElseThrow().exitCode());
    }

    @Test
    void foldUpToATimeTakesTheEventsRecordedAtOrBeforeIt() throws Exception {
        // the n-th event was recorded at T0 + n s
        assertTrue(PodFold.fold(journal, new AsOf.AtTime(T0.minusMillis(1))).all().isEmpty(), "before the first event");
        assertEquals(PodStatus.EMBRYO, statusAt(T0));
        assertEquals(PodStatus.PREPARED, statusAt(T0.plusSeconds(4).plusMillis(999)));
        assertEquals(PodStatus.RUNNING, statusAt(T0.plusSeconds(5)));
        assertEquals(PodStatus.EXITED, statusAt(T0.plusSeconds(3600)));
    }

    @Test
    void foldOfTheLatestIsTheEngineProjectionsFold() throws Exception {
        PodProjection engines = new PodProjection();
        journal.replay(0, env -> engines.apply(env.aggregateId(), env.event(), env.time(), env.index()));
        assertEquals(engines.get(POD), PodFold.fold(journal, AsOf.latest()).get(POD));
    }

    @Test
    void catchUpFoldsOnlyWhatCameAfter() throws Exception {
        PodProjection p = PodFold.fold(journal, new AsOf.AtIndex(4));
        PodFold.catchUp(journal, p);
        assertEquals(PodStatus.EXITED, p.get(POD).orElseThrow().status());
        assertEquals(8, p.nextIndex());
    }

    @Test
    void atParsesIndexesAndIsoTimesAndTakesTimesWithoutOffsetAsUtc() {
        assertEquals(new AsOf.AtIndex(42), AsOf.parse("42"));
        Instant three = Instant.parse("2026-12-05T03:00:00Z");
        assertEquals(new AsOf.AtTime(three), AsOf.parse("2026-12-05T03:00:00Z"));
        assertEquals(new AsOf.AtTime(three), AsOf.parse("2026-12-05T04:00+01:00"));
        assertEquals(new AsOf.AtTime(three), AsOf.parse("2026-12-05T03:00"));
        assertEquals(new AsOf.AtTime(three), AsOf.parse("2026-12-05 03:00:00.000"));
        assertEquals(new AsOf.AtTime(Instant.parse("2026-12-05T00:00:00Z")), AsOf.parse("2026-12-05"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> AsOf.parse("yesterday"));
        assertTrue(bad.getMessage().startsWith("'yesterday' is neither a journal index nor a time"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AsOf.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> AsOf.parse("99999999999999999999"));
    }

    private PodStatus statusAt(Instant t) throws Exception {
        return PodFold.fold(journal, new AsOf.AtTime(t)).get(POD).orElseThrow().status();
    }
}
