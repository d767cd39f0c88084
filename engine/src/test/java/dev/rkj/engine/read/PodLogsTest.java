package dev.rkj.engine.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.pod.PodState;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.LinuxKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which app's log {@code rkj logs} and the daemon read, what they keep of it, and following it
 * while the pod's lock is held (taken here as stage1 takes it: an exclusive flock).
 */
class PodLogsTest {
    private static final String POD = "6f1c2a3b-0c4d-4e5f-8a9b-0c1d2e3f4a5b";
    private static final Kernel KERNEL = LinuxKernel.get();

    @TempDir
    Path dir;

    private static String line(String time, String stream, String tag, String content) {
        return time + " " + stream + " " + tag + " " + content + "\n";
    }

    private static void append(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> texts(List<LogRecord> records) {
        return records.stream().map(LogRecord::text).toList();
    }

    /** A pod the journal knows no apps of yet: its apps are the logs there are. */
    private static PodState pod() {
        return PodState.initial(POD);
    }

    @Test
    void thePodsOneAppIsReadWithSinceThenTail() throws Exception {
        PodDir pod = new PodDir(dir);
        append(pod.log("web"), line("2026-12-05T10:00:00Z", "stdout", "F", "old")
                + line("2026-12-05T11:00:00Z", "stderr", "F", "a")
                + line("2026-12-05T11:00:01Z", "stdout", "P", "b1")
                + line("2026-12-05T11:00:02Z", "stdout", "F", "b2")
                + line("2026-12-05T11:00:03Z", "stdout", "F", "c"));
        try (PodLogs logs = PodLogs.open(KERNEL, pod(), pod, null, Instant.parse("2026-12-05T10:30:00Z"), 2, false)) {
            assertEquals("web", logs.app());
            assertEquals(List.of("b1", "b2", "c"), texts(logs.next()));
            assertTrue(logs.done(), "not following: one batch");
            assertEquals(List.of(), logs.next());
        }
        try (PodLogs logs = PodLogs.open(KERNEL, pod(), pod, "web", null, null, false)) {
            assertEquals(List.of("old", "a", "b1", "b2", "c"), texts(logs.next()));
        }
    }

    @Test
    void anUnknownAppSeveralAppsNoAppsAndNoLogAreToldApart() throws Exception {
        PodDir pod = new PodDir(dir);
        NoLogException notRun = assertThrows(NoLogException.class, () -> PodLogs.open(KERNEL, pod(), pod, null, null, null, false));
        assertEquals(NoLogException.Reason.NOT_RUN, notRun.reason());
        assertTrue(notRun.getMessage().contains("has no logs until it runs"), notRun.getMessage());

        append(pod.log("web"), line("2026-12-05T11:00:00Z", "stdout", "F", "x"));
        append(pod.rotatedLog("db"), line("2026-12-05T11:00:00Z", "stdout", "F", "y"));
        append(pod.log("db"), "");
        NoLogException several = assertThrows(NoLogException.class, () -> PodLogs.open(KERNEL, pod(), pod, null, null, null, false));
        assertEquals(NoLogException.Reason.SEVERAL_APPS, several.reason());
        assertEquals(List.of("db", "web"), several.apps(), "a rotated part is no app of its own");

        NoLogException unknown = assertThrows(NoLogException.class, () -> PodLogs.open(KERNEL, pod(), pod, "cache", null, null, false));
        assertEquals(NoLogException.Reason.NO_SUCH_APP, unknown.reason());
        assertTrue(unknown.getMessage().contains("has no app cache: its apps are [db, web]"), unknown.getMessage());

        assertThrows(IllegalArgumentException.class, () -> PodLogs.open(KERNEL, pod(), pod, "db", null, -1, false));
    }

    @Test
    void followingGoesOnWhileTheLockIsHeldThenReadsTheRestAndIsDone() throws Exception {
        PodDir pod = new PodDir(dir);
        append(pod.log("web"), line("2026-12-05T11:00:00Z", "stdout", "F", "one"));
        int lock = KERNEL.open(pod.lock(), Kernel.O_RDWR | Kernel.O_CREAT | Kernel.O_CLOEXEC, 0600);
        boolean held = true;
        try {
            assertTrue(KERNEL.flock(lock, Kernel.LOCK_EX | Kernel.LOCK_NB), "the test holds the pod lock as stage1 does");
            try (PodLogs logs = PodLogs.open(KERNEL, pod(), pod, null, null, 5, true)) {
                assertEquals(List.of("one"), texts(logs.next()));
                assertFalse(logs.done());
                assertEquals(List.of(), logs.next(), "nothing new yet");
                append(pod.log("web"), line("2026-12-05T11:00:01Z", "stderr", "F", "two")
                        + "2026-12-05T11:00:02Z stdout P a prompt> "); // stage1 is writing this line
                assertEquals(List.of("two"), texts(logs.next()), "a line without its newline waits while stage1 may write");
                assertFalse(logs.done());
                KERNEL.close(lock);
                held = false;
                List<LogRecord> last = logs.next();
                assertEquals(List.of("a prompt> "), texts(last), "stage1 is gone: the unended line is all there will be");
                assertTrue(last.get(0).partial());
                assertTrue(logs.done());
            }
        } finally {
            if (held) {
                KERNEL.close(lock);
            }
        }
    }
}
