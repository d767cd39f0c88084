package dev.rkj.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.RecordingKernel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Stage1ProcessTest {
    @TempDir
    Path podDir;
    private final RecordingKernel kernel = new RecordingKernel();

    private Stage1Process process(String... apps) {
        Stage1Plan.Builder b = Stage1Plan.builder("u", podDir, podDir.resolve("rootfs"));
        for (String a : apps) {
            b.app(Stage1Plan.App.builder(a, "x").build());
        }
        return new Stage1Process(kernel, b.build(), 500, 7);
    }

    @Test
    void startedCompletesWhenEveryAppHasStarted() throws Exception {
        Stage1Process p = process("a", "b");
        p.onMessage(new Stage1Message.Ready(501));
        p.onMessage(new Stage1Message.AppStarted("a", 502));
        assertFalse(p.started().isDone());
        p.onMessage(new Stage1Message.AppStarted("b", 503));
        Started s = p.started().get();
        assertEquals(501, s.podPid());
        assertEquals(Map.of("a", 502, "b", 503), s.appPids());
    }

    @Test
    void aPreExecErrorFailsStartedAndExitWithTheCallAndPath() {
        Stage1Process p = process("a");
        p.onMessage(new Stage1Message.Ready(501));
        p.onMessage(new Stage1Message.Failed("execve", "/bin/nope", 2, "No such file or directory"));
        p.onEnd(254 << 8, null);
        ExecutionException e = assertThrows(ExecutionException.class, () -> p.started().get());
        Stage1Exception s = assertInstanceOf(Stage1Exception.class, e.getCause());
        assertEquals("execve", s.call());
        assertEquals("/bin/nope", s.path());
        assertTrue(p.exit().isCompletedExceptionally());
    }

    @Test
    void aMultiAppPodEndsWithItsFirstFailingAppInTimeNotThoseStoppedAfterIt() throws Exception {
        Stage1Process p = process("a", "b", "c");
        p.onMessage(new Stage1Message.AppStarted("a", 1));
        p.onMessage(new Stage1Message.AppStarted("b", 2));
        p.onMessage(new Stage1Message.AppStarted("c", 3));
        p.onMessage(new Stage1Message.AppExited("c", ExitStatus.exited(3)));
        p.onMessage(new Stage1Message.AppExited("a", ExitStatus.exited(0)));
        p.onMessage(new Stage1Message.AppExited("b", ExitStatus.killed(9)));
        p.onEnd(3 << 8, null);
        assertEquals(ExitStatus.exited(3), p.exit().get(), "c failed first: stage1 stopped b because of it");
        assertEquals(ExitStatus.killed(9), p.appExit("b").get());
    }

    @Test
    void stage1EndingSilentlyBeforeItsAppsStartedIsAnError() {
        Stage1Process p = process("a");
        p.onEnd(1 << 8, null);
        ExecutionException e = assertThrows(ExecutionException.class, () -> p.started().get());
        assertTrue(e.getCause().getMessage().contains("before its apps started"), e.getCause().getMessage());
    }

    @Test
    void signalsGoThroughThePidfdUntilTheEnd() throws Exception {
        Stage1Process p = process("a");
        p.signal(15);
        assertEquals(7, kernel.calls("pidfd_send_signal").get(0).args().get(0));
        p.onEnd(143 << 8, null);
        assertFalse(p.isAlive());
        assertEquals(3, assertThrows(KernelException.class, () -> p.signal(15)).errno());
    }
}
