package dev.rkj.bench.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplesTest {
    @Test
    void percentilesAreNearestRankInMilliseconds() {
        Samples s = new Samples("s");
        for (int i = 100; i >= 1; i--) { // added out of order: percentiles sort
            s.add(i * 1_000_000L);
        }
        assertEquals(50.0, s.p50());
        assertEquals(90.0, s.p90());
        assertEquals(99.0, s.p99());
        assertEquals(100.0, s.percentileMillis(100));
        assertEquals(1.0, s.percentileMillis(0));
        assertEquals(50.5, s.meanMillis(), 1e-9);
    }

    @Test
    void oneSampleIsEveryPercentile() {
        Samples s = new Samples("one");
        s.add(2_500_000);
        assertEquals(2.5, s.p50());
        assertEquals(2.5, s.p99());
    }

    @Test
    void emptySeriesHasNoPercentiles() {
        Samples s = new Samples("empty");
        assertTrue(s.isEmpty());
        assertTrue(Double.isNaN(s.p50()));
        assertTrue(Double.isNaN(s.meanMillis()));
    }

    @Test
    void negativeDurationIsRefusedNamingTheSeries() {
        Samples s = new Samples("launch");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.add(-1));
        assertTrue(e.getMessage().contains("launch"), e.getMessage());
    }
}
