package dev.rkj.eventlog;

import java.time.Duration;
import java.time.Instant;

/** Event records for the journal tests, as another module would declare them. */
final class TestEvents {
    private TestEvents() {}

    @WireName("test.note")
    record Note(String text) {}

    @WireName(value = "test.pod-started", version = 2)
    record PodStarted(String podId, int pid, Instant at, Duration took) {}

    @WireName("test.retired")
    record Retired(String why) {}

    /** Claims test.note/1 with a shape its payloads do not fit. */
    @WireName("test.note")
    record NoteWithCount(int count) {}

    record Unnamed(String text) {}

    static EventRegistry registry() {
        return EventRegistry.of(Note.class, PodStarted.class, Retired.class);
    }

    /** A note whose text is unique and always the same length, so stored envelopes are the same size. */
    static Note note(String tag, long n) {
        return new Note(String.format("%s-%06d", tag, n));
    }
}
