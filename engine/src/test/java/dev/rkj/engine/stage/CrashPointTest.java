package dev.rkj.engine.stage;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The crash switch's names, as a test's own main takes them, and what an unarmed engine does. */
class CrashPointTest {
    @Test
    void pointsAreNamedInKebabCaseAndParseBack() {
        assertEquals("after-created", CrashPoint.AFTER_CREATED.pointName());
        assertEquals("after-launch-requested", CrashPoint.AFTER_LAUNCH_REQUESTED.pointName());
        assertEquals("before-exit-recorded", CrashPoint.BEFORE_EXIT_RECORDED.pointName());
        for (CrashPoint point : CrashPoint.values()) {
            assertEquals(point, CrashPoint.named(point.pointName()));
        }
    }

    @Test
    void anUnknownOrMissingNameArmsNothing() {
        assertNull(CrashPoint.named(null));
        assertNull(CrashPoint.named("after-lunch"));
    }

    @Test
    void reachingAPointThatIsNotArmedDoesNothing() {
        // An engine configured without a crash point (or with another one) passes every point.
        for (CrashPoint point : CrashPoint.values()) {
            point.reached(null);
            point.reached(point == CrashPoint.AFTER_CREATED ? CrashPoint.AFTER_STARTED : CrashPoint.AFTER_CREATED);
        }
    }
}
