package dev.rkj.bench.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PodTimelineTest {
    @Test
    void firstMarkWinsSoRedeliveredWorkDoesNotMoveIt() {
        PodTimeline t = new PodTimeline();
        t.mark(Mark.COMMAND, 1_000);
        t.mark(Mark.EXEC, 5_000);
        t.mark(Mark.EXEC, 9_000);
        assertEquals(4_000, t.between(Mark.COMMAND, Mark.EXEC));
    }

    @Test
    void missingMarkIsNamed() {
        PodTimeline t = new PodTimeline();
        t.mark(Mark.COMMAND);
        assertTrue(t.has(Mark.COMMAND));
        assertFalse(t.has(Mark.DONE));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.between(Mark.COMMAND, Mark.DONE));
        assertTrue(e.getMessage().contains("DONE"), e.getMessage());
    }
}
