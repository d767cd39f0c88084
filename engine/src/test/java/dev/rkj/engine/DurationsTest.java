package dev.rkj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void readsWhatPeopleWrite() {
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofHours(50), Durations.parse("2d2h"));
        assertEquals(Duration.ofMinutes(30), Durations.parse("PT30M"));
        assertEquals(Duration.ofSeconds(10), Durations.parse(" 10S "));
    }

    @Test
    void refusesAnythingElseSayingWhatADurationLooksLike() {
        for (String bad : new String[] {"", "10", "ten", "10x", "1h 30m", "-5s", "PT-5S", "s", "5s3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
            assertTrue(e.getMessage().contains("is not a duration: write e.g. 0s, 500ms, 90s, 10m, 1h30m"), e.getMessage());
        }
    }

    @Test
    void printsTheWayItReads() {
        assertEquals("0s", Durations.words(Duration.ZERO));
        assertEquals("250ms", Durations.words(Duration.ofMillis(250)));
        assertEquals("2m", Durations.words(Duration.ofMinutes(2)));
        assertEquals("1h30m", Durations.words(Duration.ofMinutes(90)));
        assertEquals("51h", Durations.words(Duration.ofHours(51)));
        assertEquals("24h", Durations.words(Duration.ofDays(1)));
        for (String s : new String[] {"90s", "1h30m", "2d3h", "51h", "250ms", "10m"}) {
            assertEquals(Durations.parse(s), Durations.parse(Durations.words(Durations.parse(s))), s);
        }
    }
}
