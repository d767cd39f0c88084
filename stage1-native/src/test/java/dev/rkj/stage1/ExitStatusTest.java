package dev.rkj.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExitStatusTest {
    @Test
    void signalDeathReportsTheSignalAnd128PlusIt() {
        ExitStatus s = ExitStatus.parse("code=137 signal=9");
        assertEquals(9, s.signal());
        assertEquals(137, s.code());
        assertTrue(s.killedBySignal());
        assertEquals("code=137 signal=9", s.format());
    }

    @Test
    void waitStatusesDecodeLikeTheShell() {
        assertEquals(ExitStatus.exited(7), ExitStatus.fromWaitStatus(7 << 8));
        assertEquals(ExitStatus.killed(15), ExitStatus.fromWaitStatus(15));
    }

    @Test
    void garbageIsRefusedWithTheText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExitStatus.parse("oops"));
        assertTrue(e.getMessage().contains("oops"));
    }

    @Test
    void readsTheStatusFileAStage1Wrote(@TempDir Path pod) throws IOException {
        assertEquals(Optional.empty(), ExitStatus.read(pod, "app"));
        Files.createDirectories(pod.resolve("status"));
        Files.writeString(pod.resolve("status/app"), "code=7\n");
        assertEquals(Optional.of(ExitStatus.exited(7)), ExitStatus.read(pod, "app"));
    }
}
