package dev.rkj.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.FileAction;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.RecordingKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Stage1LauncherTest {
    @TempDir
    Path podDir;

    @Test
    void spawnsStage1InANewSessionWithTheProtocolPipeOnFd3() throws Exception {
        RecordingKernel kernel = new RecordingKernel();
        Path binary = Path.of("/data/stage1/abc/rkj-stage1");
        Stage1Plan plan = Stage1Plan.builder("u", podDir, podDir.resolve("rootfs"))
                .app(Stage1Plan.App.builder("a", "x").build()).build();
        Stage1Process p = new Stage1Launcher(kernel, binary)
                .launch(plan, new Stage1Launcher.Output(podDir.resolve("out"), null));

        RecordingKernel.Call spawn = kernel.calls("spawn").get(0);
        int writeEnd = 101; // the recording kernel's first pipe is [100, 101]
        assertEquals(List.of(binary.toString(), "run", podDir.resolve("stage1-plan").toString()), spawn.args().get(1));
        @SuppressWarnings("unchecked")
        List<FileAction> actions = (List<FileAction>) spawn.args().get(3);
        assertEquals(new FileAction.Dup2(writeEnd, 3), actions.get(0));
        assertEquals(new FileAction.Open(0, Path.of("/dev/null"), Kernel.O_RDONLY, 0), actions.get(1), "no pod reads rkj's stdin");
        assertTrue(actions.get(2) instanceof FileAction.Open o && o.fd() == 1 && o.path().equals(podDir.resolve("out")));
        assertEquals(new FileAction.CloseFrom(4), actions.get(3));
        assertEquals(true, spawn.args().get(4));
        assertTrue(Files.exists(podDir.resolve("stage1-plan")));
        // the recording kernel's pipe is at end of file at once: stage1 "ended" without a word
        assertTrue(p.exit().handle((s, t) -> t).get(10, TimeUnit.SECONDS) instanceof Stage1Exception);
    }

    @Test
    void anInteractivePodsStage1KeepsNoneOfTheUsersTerminal() throws Exception {
        RecordingKernel kernel = new RecordingKernel();
        Stage1Plan plan = Stage1Plan.builder("u", podDir, podDir.resolve("rootfs")).interactive(true)
                .app(Stage1Plan.App.builder("a", "sh").build()).build();
        Stage1Process p = new Stage1Launcher(kernel, Path.of("/data/stage1/abc/rkj-stage1")).launch(plan);

        @SuppressWarnings("unchecked")
        List<FileAction> actions = (List<FileAction>) kernel.calls("spawn").get(0).args().get(3);
        for (int fd = 0; fd <= 2; fd++) {
            int n = fd;
            assertTrue(actions.stream().anyMatch(a -> a instanceof FileAction.Open o && o.fd() == n
                    && o.path().equals(Path.of("/dev/null"))), "fd " + fd + ": " + actions);
        }
        p.exit().handle((s, t) -> t).get(10, TimeUnit.SECONDS);
    }
}
