package dev.rkj.testsupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Leaks} sees only what this test run made: an rkj-stage1 of someone else on the machine
 * is not this run's leak. The processes are /bin/sh copied under the name rkj-stage1, run with
 * the command line a stage1 monitor has ({@code rkj-stage1 run <podDir>/stage1-plan}).
 */
class LeaksTest {
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        for (Path d : dirs) {
            TestRun.deleteTree(d);
        }
    }

    @Test
    void anotherRkjStage1OnTheMachineIsNotThisRunsLeak() throws Exception {
        Path other = dir(Files.createTempDirectory("rkj-other-"));
        Process p = stage1(other, Path.of("/var/lib/rkj/pods", UUID.randomUUID().toString()));
        assertFalse(mentions(Leaks.current(), p), Leaks.current().toString());
    }

    @Test
    void anRkjStage1OfAPodInThisRunsDirsIsThisRunsLeak() throws Exception {
        Path ours = dir(TestRun.newDir("leaks"));
        Process p = stage1(ours, ours.resolve("pods").resolve(UUID.randomUUID().toString()));
        assertTrue(mentions(Leaks.current(), p), Leaks.current().toString());
    }

    @Test
    void anRkjStage1NamingAPodThisRunCreatedIsThisRunsLeakWhereverItsBinaryIs() throws Exception {
        String pod = UUID.randomUUID().toString();
        Path data = dir(TestRun.newDir("leaks-data"));
        Files.createDirectories(data.resolve("pods").resolve(pod));
        Path other = dir(Files.createTempDirectory("rkj-other-"));
        Process p = stage1(other, Path.of("/var/lib/rkj/pods", pod));

        assertTrue(Leaks.podIds().contains(pod), Leaks.podIds().toString());
        assertTrue(mentions(Leaks.current(), p), Leaks.current().toString());
        assertFalse(mentions(Leaks.current(Set.of()), p), "without the pod id it is not this run's");
    }

    private Path dir(Path d) {
        dirs.add(d);
        return d;
    }

    /** A long-running process whose argv is {@code <dir>/rkj-stage1 ... run <podDir>/stage1-plan}. */
    private Process stage1(Path dir, Path podDir) throws IOException {
        Path binary = dir.resolve("rkj-stage1");
        Files.copy(Path.of("/bin/sh"), binary, StandardCopyOption.COPY_ATTRIBUTES);
        Process p = new ProcessBuilder(binary.toString(), "-c", "sleep 60; :", "run",
                podDir.resolve("stage1-plan").toString()).start();
        processes.add(p);
        Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).startsWith(binary.toString()));
        return p;
    }

    private static boolean mentions(List<String> leaks, Process p) {
        return leaks.stream().anyMatch(l -> l.startsWith("process " + p.pid() + " "));
    }
}
