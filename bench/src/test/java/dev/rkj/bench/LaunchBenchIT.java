package dev.rkj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.testsupport.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchBenchIT {
    @TempDir
    Path dir;

    @Test
    void smallRunPrintsEveryTableAndLeavesNothingOnTheHost() throws Exception {
        Privileged.requireRoot();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
                PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            status = LaunchBench.run(new String[] {"--pods", "3", "--warmup", "1", "--jit-warmup", "2", "--throughput-pods", "2",
                    "--profile-runs", "2", "--gc-every", "2", "--dir", dir.toString()}, out, err);
        }
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, report + errBytes.toString(StandardCharsets.UTF_8));
        assertTrue(report.matches("(?s).*rkj: command -> app exec'd \\(stage1 `started`\\)\\s+3\\s+\\d+\\.\\d+.*"), report);
        assertTrue(report.matches("(?s).*rkj: command -> /bin/true exited \\+ recorded\\s+3\\s.*"), report);
        assertTrue(report.matches("(?s).*\\n8\\s+2\\s+\\d+\\.\\d\\s.*"), "throughput row for 8 in flight\n" + report);
        assertTrue(report.matches("(?s).*=== summary.*rkj: command -> pod.started recorded.*throughput, pods/s with N in flight"
                + "\\s+N=1\\s+N=2\\s+N=4\\s+N=8.*crun run \\(xargs -P N\\).*"), "the summary table\n" + report);
        assertTrue(report.contains("podman run --rm") || report.contains("MISSING: podman"), "podman, or why not\n" + report);
        assertTrue(report.contains("launch (cgroups, spawn stage1, stage1 -> exec)"), report);
        assertTrue(report.contains("joining the pod cgroup inside stage1"), report);
        assertTrue(report.contains("cleanup: no mounts, cgroups or processes of this run are left"), report);
        assertTrue(MountInfo.read().mounts().stream().noneMatch(m -> m.mountPoint().startsWith(dir)));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the work directory is deleted");
        }
    }

    @Test
    void densityRunReportsEngineRssAndPerPodCostAndStopsItsPods() throws Exception {
        Privileged.requireRoot();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            status = DensityBench.run(new String[] {"--pods", "3", "--in-flight", "2", "--dir", dir.toString()}, out, out);
        }
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, report);
        assertTrue(report.matches("(?s).*engine JVM RSS \\(engine \\+ bench harness\\)\\s+\\d+\\.\\d MB\\s+\\d+\\.\\d MB.*"), report);
        assertTrue(report.matches("(?s).*host processes per pod \\(stage1 \\+ app\\)\\s+[1-9]\\d*\\.\\d\\d.*"), report);
        assertTrue(report.contains("cleanup: no mounts, cgroups or processes of this run are left"), report);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the work directory is deleted");
        }
    }

    @Test
    void unknownOptionIsRefusedWithUsage() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = LaunchBench.run(new String[] {"--podz", "3"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("unknown option --podz") && message.contains("usage:"), message);
    }
}
