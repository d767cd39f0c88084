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
import org.awaitility.Awaitility;
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
    void withSparesALaunchHandsItsPlanToAStage1SpawnedAheadAndCloseEndsTheSpare() throws Exception {
        RecordingKernel kernel = new RecordingKernel();
        Path binary = Path.of("/data/stage1/abc/rkj-stage1");
        Stage1Launcher.Output out = new Stage1Launcher.Output(podDir.resolve("out"), null);
        Stage1Launcher launcher = new Stage1Launcher(kernel, binary, true);
        Stage1Plan zeroth = Stage1Plan.builder("u0", podDir.resolve("p0"), podDir.resolve("p0/rootfs"))
                .app(Stage1Plan.App.builder("a", "x").build()).build();
        Stage1Plan first = Stage1Plan.builder("u1", podDir.resolve("p1"), podDir.resolve("p1/rootfs"))
                .app(Stage1Plan.App.builder("a", "x").build()).build();
        Stage1Plan second = Stage1Plan.builder("u2", podDir.resolve("p2"), podDir.resolve("p2/rootfs"))
                .app(Stage1Plan.App.builder("a", "x").build()).build();

        // no spare after a launcher's first pod (a one-shot command launches one): the next is spawned for its plan
        launcher.launch(zeroth, out).exit().handle((s, t) -> t).get(10, TimeUnit.SECONDS);
        launcher.launch(first, out).exit().handle((s, t) -> t).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(binary.toString(), "run", first.planFile().toString()),
                kernel.calls("spawn").get(1).args().get(1), "no spare was spawned after the first pod");
        // from the second pod on, once it "started", a spare is
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> kernel.calls("spawn").size() == 3);
        RecordingKernel.Call spare = kernel.calls("spawn").get(2);
        assertEquals(List.of(binary.toString(), "run", "-"), spare.args().get(1));
        @SuppressWarnings("unchecked")
        List<FileAction> actions = (List<FileAction>) spare.args().get(3);
        assertTrue(actions.stream().anyMatch(a -> a instanceof FileAction.Dup2 d && d.to() == 3), actions.toString());
        assertTrue(actions.stream().anyMatch(a -> a instanceof FileAction.Dup2 d && d.to() == 4), actions.toString());
        assertTrue(actions.stream().anyMatch(a -> a instanceof FileAction.Open o && o.fd() == 1
                && o.path().equals(podDir.resolve("out"))), "the spare's output is the launch's: " + actions);
        assertEquals(new FileAction.CloseFrom(5), actions.get(actions.size() - 1));

        // the second pod takes the spare: no spawn, its plan file's path written to the spare's fd 4
        launcher.launch(second, out).exit().handle((s, t) -> t).get(10, TimeUnit.SECONDS);
        assertTrue(kernel.calls("spawn").stream().noneMatch(c -> ((List<?>) c.args().get(1))
                .contains(second.planFile().toString())), "no stage1 spawned for the second pod");
        assertTrue(kernel.calls("write").stream().anyMatch(c -> c.args().get(1).equals(second.planFile() + "\n")),
                kernel.calls("write").toString());

        // close ends every spare spawned (killed and reaped), and no more are spawned after it
        launcher.close();
        List<Integer> spares = new java.util.ArrayList<>();
        int pid = 1000;
        for (RecordingKernel.Call c : kernel.calls("spawn")) {
            if (c.args().get(1).equals(List.of(binary.toString(), "run", "-"))) {
                spares.add(pid);
            }
            pid++;
        }
        List<Integer> taken = List.of(1002); // the second pod's stage1
        for (int s : spares) {
            if (!taken.contains(s)) {
                assertTrue(kernel.calls("kill").stream().anyMatch(c -> c.args().equals(List.of(s, Kernel.SIGKILL))),
                        "spare " + s + " killed: " + kernel.calls());
                assertTrue(kernel.calls("waitpid").stream().anyMatch(c -> c.args().equals(List.of(s))), "reaped");
            }
        }
        // still usable: the next launch spawns its own stage1, then a spare again
        int spawned = kernel.calls("spawn").size();
        Stage1Plan third = Stage1Plan.builder("u3", podDir.resolve("p3"), podDir.resolve("p3/rootfs"))
                .app(Stage1Plan.App.builder("a", "x").build()).build();
        launcher.launch(third, out).exit().handle((s, t) -> t).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(binary.toString(), "run", third.planFile().toString()),
                kernel.calls("spawn").get(spawned).args().get(1));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> kernel.calls("spawn").size() == spawned + 2);
        launcher.close();
        int last = 1000 + spawned + 1;
        assertTrue(kernel.calls("kill").stream().anyMatch(c -> c.args().equals(List.of(last, Kernel.SIGKILL))), "ended again");
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
