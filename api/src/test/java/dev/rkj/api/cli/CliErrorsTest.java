package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliErrorsTest {
    @TempDir
    Path dir;

    @Test
    void versionPrintsRkjAndAppcVersions() {
        CliRun run = CliRun.of("--dir", dir.toString(), "version");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("rkj Version: "), run.out());
        assertTrue(run.out().contains("appc Version: 0.8.11"), run.out());
    }

    @Test
    void helpIsAvailableOnEveryCommand() {
        for (String[] args : new String[][] {{"--help"}, {"version", "--help"}, {"journal", "--help"},
                {"journal", "show", "--help"}, {"journal", "verify", "--help"}}) {
            CliRun run = CliRun.of(args);
            assertEquals(0, run.code(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.out().contains("Usage: rkj"), run.out());
        }
    }

    @Test
    void unknownCommandIsAOneLineErrorWithExit254() {
        CliRun run = CliRun.of("--dir", dir.toString(), "frobnicate");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("frobnicate"), run.err());
        assertTrue(run.err().contains("--help"), run.err());
    }

    @Test
    void unknownFlagIsAOneLineErrorWithExit254() {
        CliRun run = CliRun.of("--dir", dir.toString(), "journal", "show", "--colour");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("--colour"), run.err());
    }

    @Test
    void malformedFlagValueIsAOneLineErrorWithExit254() {
        CliRun run = CliRun.of("--dir", dir.toString(), "journal", "show", "--from", "twelve");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("twelve"), run.err());
    }

    @Test
    void missingDataDirIsAOneLineErrorThatSaysWhatToDo() {
        Path missing = dir.resolve("nope");
        CliRun run = CliRun.of("--dir", missing.toString(), "journal", "show");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains(missing + " does not exist"), run.err());
        assertTrue(run.err().contains("mkdir -p"), run.err());
        assertTrue(Files.notExists(missing), "rkj must not create a --dir it was given");
    }

    @Test
    void dataDirThatIsAFileIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        CliRun run = CliRun.of("--dir", file.toString(), "journal", "show");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("is not a directory"), run.err());
    }

    @Test
    void unwritableDataDirIsAOneLineError() {
        // /proc/1 exists for every user and nobody, root included, can create files in it.
        CliRun run = CliRun.of("--dir", "/proc/1", "journal", "show");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("is not writable"), run.err());
    }

    @Test
    void rkjDirEnvironmentIsUsedWhenNoFlag() {
        assertEquals(dir.toAbsolutePath().normalize(), DataDir.resolve(null, dir.toString(), "/nonexistent/default"));
    }

    @Test
    void debugShowsTheStackTrace() {
        CliRun run = CliRun.of("--debug", "--dir", dir.resolve("nope").toString(), "journal", "show");
        assertEquals(254, run.code());
        assertTrue(run.err().contains("\tat "), "--debug should print the stack trace: " + run.err());
    }
}
