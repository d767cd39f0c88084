package dev.rkj.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code rkj.jar} runs as users run it: {@code java -jar} with no JVM flags, so
 * Chronicle Queue's opens and exports must come from the jar's manifest.
 */
class RkjJarIT {
    private static final Path JAR = Path.of("target", "rkj.jar");

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    private Result java(String... args) throws IOException, InterruptedException {
        return run(List.of(), args);
    }

    /** {@code rkj args...} run as {@code nobody}, through util-linux's setpriv. */
    private Result asNobody(String... args) throws IOException, InterruptedException {
        return run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), args);
    }

    private Result run(List<String> prefix, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "rkj did not finish");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void theJarOpensAJournalWithNoJvmFlags() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "package builds " + JAR.toAbsolutePath());
        Result r = java("--dir", dir.toString(), "journal", "verify");
        assertEquals(0, r.code(), r.err());
        assertEquals("journal OK: 0 events, hash chain verified\n", r.out());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void theJarReportsBadFlagsOnOneLineWithExit254() throws Exception {
        Result r = java("--dir", dir.toString(), "journal", "show", "--nope");
        assertEquals(254, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("rkj: Unknown option: '--nope'"), r.err());
    }

    @Test
    void podCommandsSayOnceAndUpFrontThatTheyNeedRoot() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) || System.getenv("CI") != null,
                "util-linux's setpriv runs rkj as nobody");
        for (String command : List.of("run", "prepare", "run-prepared", "stop", "rm", "gc", "enter")) {
            Result r = command.equals("gc") ? asNobody("--dir", dir.toString(), command)
                    : asNobody("--dir", dir.toString(), command, "x");
            assertEquals(254, r.code(), command + ": " + r.err());
            assertEquals("rkj: rkj " + command + " needs root: pods need namespaces, overlayfs mounts and cgroups;"
                    + " run it as root (sudo rkj " + command + " ...)\n", r.err());
        }
        Result help = asNobody("run", "--help");
        assertEquals(0, help.code(), help.err());
        Result version = asNobody("version");
        assertEquals(0, version.code(), version.err());
    }
}
