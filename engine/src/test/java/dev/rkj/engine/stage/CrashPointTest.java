package dev.rkj.engine.stage;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The crash switch's names, as {@code RKJ_CRASH_AT} takes them. */
class CrashPointTest {
    @Test
    void pointsAreNamedInKebabCaseAndParseBack() {
        assertEquals("after-created", CrashPoint.AFTER_CREATED.pointName());
        assertEquals("before-exit-recorded", CrashPoint.BEFORE_EXIT_RECORDED.pointName());
        for (CrashPoint point : CrashPoint.values()) {
            assertEquals(point, CrashPoint.parse(point.pointName()));
        }
    }

    @Test
    void anUnknownOrMissingNameArmsNothing() {
        assertNull(CrashPoint.parse(null));
        assertNull(CrashPoint.parse("after-lunch"));
    }

    @Test
    void reachingAPointThatIsNotArmedDoesNothing() {
        // RKJ_CRASH_AT is not set for unit tests: reaching every point must return.
        for (CrashPoint point : CrashPoint.values()) {
            point.reached();
        }
    }
}
