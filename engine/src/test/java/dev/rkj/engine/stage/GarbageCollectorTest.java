package dev.rkj.engine.stage;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How gc words durations in its garbage reasons. */
class GarbageCollectorTest {
    @Test
    void durationsAreWrittenAsPeopleWriteThem() {
        assertEquals("30m", GarbageCollector.words(Duration.ofMinutes(30)));
        assertEquals("1h30m", GarbageCollector.words(Duration.ofMinutes(90)));
        assertEquals("24h", GarbageCollector.words(Duration.ofDays(1)));
        assertEquals("45s", GarbageCollector.words(Duration.ofSeconds(45)));
        assertEquals("0s", GarbageCollector.words(Duration.ZERO));
        assertEquals("250ms", GarbageCollector.words(Duration.ofMillis(250)));
    }
}
