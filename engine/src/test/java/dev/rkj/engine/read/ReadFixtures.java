package dev.rkj.engine.read;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.read.PodTraces.Traces;
import dev.rkj.engine.stage.PodRuntime.AppExit;
import dev.rkj.eventlog.InMemoryJournal;
import dev.rkj.eventlog.JournalException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One pod's usual history and a journal whose clock ticks a second per append. */
final class ReadFixtures {
    static final String POD = "6f1c2a3b-0c4d-4e5f-8a9b-0c1d2e3f4a5b";
    static final PodOwner RUNNER = new PodOwner("engine-b", 200);
    static final String APP = "busybox";
    static final Instant T0 = Instant.parse("2026-12-05T03:00:00Z");
    static final String IMAGE = "sha512-" + "ab".repeat(64);

    private ReadFixtures() {
    }

    /** A journal whose n-th append (from 0) is recorded at T0 + n seconds. */
    static InMemoryJournal journal() {
        return new InMemoryJournal(EngineEvents.registry(), new TickingClock());
    }

    /** Created (index 0) ... prepared (index 4). */
    static List<PodEvent> preparation() {
        return List.of(new PodEvent.PodCreated(POD, PodSpec.of("example.com/busybox:1.36"), RUNNER),
                new PodEvent.ImageResolved(POD, IMAGE, "example.com/busybox", ImageSource.FETCHED),
                new PodEvent.ImageVerified(POD, IMAGE, true, "insecure"),
                new PodEvent.ImageRendered(POD, IMAGE, IMAGE),
                new PodEvent.PodPrepared(POD, "sha512-" + "cd".repeat(64)));
    }

    /** Started (index 5). */
    static PodEvent started() {
        return new PodEvent.PodStarted(POD, 4242, Map.of(APP, 4243L), RUNNER);
    }

    static void append(InMemoryJournal journal, List<PodEvent> events) throws JournalException {
        for (PodEvent e : events) {
            journal.append(POD, (Record) e);
        }
    }

    static Traces ended(int code) {
        return new Traces(false, true, List.of(APP), Map.of(APP, new AppExit(APP, code, null, false)));
    }

    static Traces running() {
        return new Traces(true, true, List.of(APP), Map.of());
    }

    static Traces vanished() {
        return new Traces(false, true, List.of(APP), Map.of());
    }

    /** Pod directories as a test says, counting reads. */
    static final class FakeTraces implements PodTraces {
        final Map<String, Traces> byPod = new ConcurrentHashMap<>();

        FakeTraces with(String podId, Traces traces) {
            byPod.put(podId, traces);
            return this;
        }

        @Override
        public Traces read(PodState pod) {
            return byPod.getOrDefault(pod.podId(), new Traces(false, false, List.of(), new HashMap<>()));
        }
    }

    /** T0, T0 + 1 s, T0 + 2 s...: one tick per call. */
    static final class TickingClock extends Clock {
        private long ticks;

        @Override
        public synchronized Instant instant() {
            return T0.plus(Duration.ofSeconds(ticks++));
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
