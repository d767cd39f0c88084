package dev.rkj.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.FileAction;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.LinuxKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Stage1BinaryTest {
    @TempDir
    Path data;

    @Test
    void extractsByContentHashExecutableAndReusesIt() throws Exception {
        Path binary = Stage1Binary.extract(data);
        assertEquals(data.resolve("stage1").resolve(Stage1Binary.sha256(Stage1Binary.bytes())).resolve("rkj-stage1"), binary);
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(binary)));
        var modified = Files.getLastModifiedTime(binary);
        assertEquals(binary, Stage1Binary.extract(data));
        assertEquals(modified, Files.getLastModifiedTime(binary));
        try (var s = Files.list(binary.getParent())) {
            assertEquals(1, s.count(), "no temp file left");
        }
    }

    @Test
    void theBinaryRefusesABadPlanNamingTheLineBeforeTouchingAnything() throws Exception {
        Path binary = Stage1Binary.extract(data);
        Path plan = Files.writeString(data.resolve("plan"), "version " + Stage1PlanWriter.VERSION + "\nuuid u\nfrobnicate yes\n");
        Process p = new ProcessBuilder(binary.toString(), "run", plan.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(254, p.waitFor());
        assertTrue(out.contains("parse `" + plan + "`") && out.contains("line 3: unknown pod key `frobnicate`"), out);
    }

    @Test
    void theBinaryHasNoDefaultsOfItsOwnAndRefusesAPlanThatLeavesOneOut() throws Exception {
        Path binary = Stage1Binary.extract(data);
        Stage1Plan whole = Stage1Plan.builder("u", data.resolve("pod"), data.resolve("pod/rootfs"))
                .app(Stage1Plan.App.builder("a", "/bin/true").mount(new Stage1Plan.Mount(data.resolve("v"), "/v", true, true))
                        .build()).build();
        String text = new Stage1PlanWriter().format(whole);
        for (String key : new String[] {"hostname", "signal_base", "masked_paths", "caps", "stop_grace_ms", "readonly_root",
            "mount_target", "mount_readonly", "mount_recursive"}) {
            Path plan = Files.writeString(data.resolve("plan-" + key), text.replaceAll("(?m)^" + key + " .*\n", ""));
            Process p = new ProcessBuilder(binary.toString(), "run", plan.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(254, p.waitFor(), out);
            assertTrue(out.contains("has no `" + key + "`"), key + ": " + out);
        }
    }

    @Test
    void aSpareWhoseStage0SendsNoPlanEndsQuietlyTouchingNothing() throws Exception {
        Path binary = Stage1Binary.extract(data);
        Kernel kernel = LinuxKernel.get();
        Path out = data.resolve("spare.out");
        int[] plan = kernel.pipe2(Kernel.O_CLOEXEC);
        int pid = kernel.spawn(binary, List.of(binary.toString(), "run", "-"), List.of(),
                List.of(new FileAction.Dup2(plan[0], 4), new FileAction.Open(1, out, Kernel.O_WRONLY | Kernel.O_CREAT, 0644),
                        new FileAction.Dup2(1, 2), new FileAction.CloseFrom(5)), false);
        kernel.close(plan[0]);
        kernel.close(plan[1]); // stage0 is gone: the spare reads end of file
        assertEquals(ExitStatus.exited(254), ExitStatus.fromWaitStatus(kernel.waitpid(pid)));
        assertEquals("", Files.readString(out));
        try (var s = Files.list(data)) {
            assertEquals(List.of(data.resolve("spare.out"), data.resolve("stage1")), s.sorted().toList());
        }
    }

    @Test
    void aMountKeyWithoutItsMountOrARelativeSourceIsRefusedNamingTheLine() throws Exception {
        Path binary = Stage1Binary.extract(data);
        String text = new Stage1PlanWriter().format(Stage1Plan.builder("u", data.resolve("pod"), data.resolve("pod/rootfs"))
                .app(Stage1Plan.App.builder("a", "/bin/true").build()).build());
        for (String[] bad : new String[][] {{"mount_target /v\n", "no `mount SOURCE` line before `mount_target`"},
            {"mount relative/dir\n", "a mount's source must be an absolute host path, not `relative/dir`"}}) {
            Path plan = Files.writeString(data.resolve("plan"), text + bad[0]);
            Process p = new ProcessBuilder(binary.toString(), "run", plan.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(254, p.waitFor(), out);
            assertTrue(out.contains(bad[1]), out);
        }
    }

    @Test
    void theBinaryTakesTheMetadataRelayOnlyWholeAndInAPrivateNetwork() throws Exception {
        Path binary = Stage1Binary.extract(data);
        String text = new Stage1PlanWriter().format(Stage1Plan.builder("u", data.resolve("pod"), data.resolve("pod/rootfs"))
                .mdsRelay(new Stage1Plan.MdsRelay(18112, Path.of("/run/rkj/mds.sock")))
                .app(Stage1Plan.App.builder("a", "/bin/true").build()).build());
        for (String bad : new String[] {text.replaceAll("(?m)^mds_socket .*\n", ""), text.replace("net private", "net host"),
                text.replace("mds_port 18112", "mds_port 0"), text.replace("mds_socket /run/rkj/mds.sock", "mds_socket mds.sock")}) {
            Path plan = Files.writeString(data.resolve("plan"), bad);
            Process p = new ProcessBuilder(binary.toString(), "run", plan.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(254, p.waitFor(), out);
            assertTrue(out.contains("mds_"), out);
        }
    }

    @Test
    void theBinaryRefusesAPlanOfAnotherVersion() throws Exception {
        Path binary = Stage1Binary.extract(data);
        Path plan = Files.writeString(data.resolve("plan"), "version 1\nuuid u\n");
        Process p = new ProcessBuilder(binary.toString(), "run", plan.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(254, p.waitFor());
        assertTrue(out.contains("unsupported plan version"), out);
    }
}
