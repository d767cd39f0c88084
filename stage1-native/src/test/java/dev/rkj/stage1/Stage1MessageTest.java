package dev.rkj.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class Stage1MessageTest {
    @Test
    void parsesEveryMessageKind() {
        assertEquals(new Stage1Message.Ready(41), Stage1Message.parse("ready 41"));
        assertEquals(new Stage1Message.AppStarted("web", 42), Stage1Message.parse("started web 42"));
        assertEquals(new Stage1Message.AppExited("web", ExitStatus.killed(9)),
                Stage1Message.parse("exited web code=137 signal=9"));
    }

    @Test
    void errorCarriesCallUnescapedPathErrnoAndMessage() {
        Stage1Message.Failed f = (Stage1Message.Failed) Stage1Message.parse(
                "error execve /opt/my\\040app 2 No such file or directory");
        assertEquals("execve", f.call());
        assertEquals("/opt/my app", f.path());
        assertEquals(2, f.errno());
        assertEquals("No such file or directory", f.message());
        assertEquals("pod failed to start: execve `/opt/my app`: ENOENT (No such file or directory)",
                f.exception().getMessage());
    }

    @Test
    void unknownMessagesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Stage1Message.parse("hello 1"));
        assertThrows(IllegalArgumentException.class, () -> Stage1Message.parse("started web notapid"));
    }
}
