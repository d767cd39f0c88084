package dev.rkj.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
                .app(Stage1Plan.App.builder("a", "/bin/true").build()).build();
        String text = new Stage1PlanWriter().format(whole);
        for (String key : new String[] {"hostname", "signal_base", "masked_paths", "caps"}) {
            Path plan = Files.writeString(data.resolve("plan-" + key), text.replaceAll("(?m)^" + key + " .*\n", ""));
            Process p = new ProcessBuilder(binary.toString(), "run", plan.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(254, p.waitFor(), out);
            assertTrue(out.contains("has no `" + key + "`"), key + ": " + out);
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
