package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void aCommandLineBuildsOnlyTheCommandItNamesAndHelpSeesThemAll() {
        assertEquals(java.util.Optional.of(PodCommands.ListPods.class), Cli.named("--dir", "/x", "--debug", "list", "--full"));
        assertEquals(java.util.Optional.of(DaemonCommand.class), Cli.named("--dir=/x", "api-service"));
        assertEquals(java.util.Optional.empty(), Cli.named("--help"));
        assertEquals(java.util.Optional.empty(), Cli.named("help", "list"));
        assertEquals(java.util.Optional.empty(), Cli.named("lst"));
        CliRun top = CliRun.of("--help");
        assertEquals(0, top.code(), top.err());
        for (Class<?> c : RkjCommand.SUBCOMMANDS) {
            String name = c.getAnnotation(picocli.CommandLine.Command.class).name();
            assertTrue(top.out().contains("  " + name), name + " missing from:\n" + top.out());
        }
        CliRun typo = CliRun.of("lst");
        assertEquals(ExitCodes.ERROR, typo.code());
        assertTrue(typo.err().contains("'lst'") && typo.err().contains("rkj --help"), typo.err());
        CliRun inherited = CliRun.of("list", "--dir", "/nonexistent-rkj-dir");
        assertTrue(inherited.err().contains("/nonexistent-rkj-dir"), "--dir after the subcommand: " + inherited.err());
    }

    @Test
    void helpCommandShowsACommandsHelpWithAnExample() {
        CliRun run = CliRun.of("help", "completion");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("Usage: rkj completion"), run.out());
        assertTrue(run.out().contains("source <(rkj completion bash)"), run.out());
        CliRun top = CliRun.of("help");
        assertEquals(0, top.code(), top.err());
        assertTrue(top.out().contains("Usage: rkj") && top.out().contains("run"), top.out());
    }

    @Test
    void completionScriptsCoverCommandsAndFlags() {
        for (String shell : new String[] {"bash", "zsh"}) {
            CliRun run = CliRun.of("completion", shell);
            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains("complete -F"), run.out());
            assertTrue(run.out().contains("run-prepared") && run.out().contains("--insecure-options"), shell);
        }
        CliRun fish = CliRun.of("completion", "fish");
        assertEquals(254, fish.code());
        assertTrue(fish.oneLineError() && fish.err().contains("fish"), fish.err());
    }

    @Test
    void limitsThatCannotWorkAreRefusedBeforeAPodExists() throws Exception {
        Path aci = Files.writeString(dir.resolve("x.aci"), "the limits are refused before this is read");
        for (String[] flag : new String[][] {{"--cpu=1m", "--cpu=10m"}, {"--memory=1", "--memory=6Mi"},
                {"--memory=1k", "--memory=6Mi"}}) {
            CliRun run = CliRun.of("--dir", dir.toString(), "run", "--insecure-options=image", flag[0], aci.toString());
            assertEquals(254, run.code(), run.err());
            assertTrue(run.oneLineError(), run.err());
            assertTrue(run.err().contains(flag[1]) && !run.err().contains("bug"), run.err());
        }
        CliRun list = CliRun.of("--dir", dir.toString(), "list", "--format=json");
        assertEquals(0, list.code(), list.err());
        assertEquals("[]", list.out().strip(), "no pod was created");
    }

    @Test
    void malformedImageReferencesAndDirectoriesAreNamedNotReportedAsBugs() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        for (String[] c : new String[][] {{"sha512-", "expected 1 to 128 hex digits"},
                {"example.com/app,version", "label"}, {tree.toString(), "is a directory"}}) {
            CliRun run = CliRun.of("--dir", dir.toString(), "run", "--insecure-options=image", c[0]);
            assertEquals(254, run.code(), run.err());
            assertTrue(run.oneLineError(), run.err());
            assertTrue(run.err().contains(c[1]) && !run.err().contains("bug") && !run.err().contains("Exception"),
                    run.err());
        }
    }

    @Test
    void aSecondImageIsASecondAppNeverSilentlyAnArgument() throws Exception {
        Path a = Files.writeString(dir.resolve("a.aci"), "refused before this is read");
        for (String[] args : new String[][] {{"run", a.toString(), "b.aci"}, {"prepare", a.toString(), "b.aci", "--", "x"},
                {"run", a.toString(), "--", "x", "---", "b.aci"}}) {
            String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of("--dir", dir.toString()),
                    java.util.Arrays.stream(args)).toArray(String[]::new);
            CliRun run = CliRun.of(all);
            assertEquals(254, run.code(), run.err());
            assertTrue(run.oneLineError() && run.err().contains("image file b.aci does not exist"), run.err());
        }
        CliRun list = CliRun.of("--dir", dir.toString(), "list", "--format=json");
        assertEquals("[]", list.out().strip(), "no pod was created");
    }

    @Test
    void formatIsValidatedTheSameWayEverywhere() {
        for (String[] args : new String[][] {{"list"}, {"status", "x"}, {"image", "list"}}) {
            String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of("--dir", dir.toString()),
                    java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--format=yaml")))
                    .toArray(String[]::new);
            CliRun run = CliRun.of(all);
            assertEquals(254, run.code(), run.err());
            assertTrue(run.oneLineError() && run.err().contains("--format") && run.err().contains("[table, json]")
                    && run.err().contains("yaml"), String.join(" ", args) + ": " + run.err());
        }
    }

    @Test
    void anImageNotInTheStoreOrAnUnwritableUuidFileLeavesNoPod() throws Exception {
        Path aci = Files.writeString(dir.resolve("x.aci"), "refused before this is read");
        String[][] cases = {
            {"run", "--insecure-options=image", "--pull-policy=never", "example.com/typo:1.0"}, // never: no discovery off this machine
            {"prepare", "--insecure-options=image", "sha512-0123"},
            {"run", "--insecure-options=image", "--uuid-file-save", dir.resolve("no/such/dir/uuid").toString(), aci.toString()},
            {"prepare", "--insecure-options=image", "--uuid-file-save", dir.toString(), aci.toString()},
        };
        String[] expected = {"no image in the store is example.com/typo", "sha512-0123", "does not exist", "is a directory"};
        for (int i = 0; i < cases.length; i++) {
            String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of("--dir", dir.toString()),
                    java.util.Arrays.stream(cases[i])).toArray(String[]::new);
            CliRun run = CliRun.of(all);
            assertEquals(254, run.code(), run.err());
            assertTrue(run.oneLineError() && run.err().contains(expected[i]), run.err());
        }
        CliRun list = CliRun.of("--dir", dir.toString(), "list", "--format=json");
        assertEquals("[]", list.out().strip(), "no pod was created");
    }

    @Test
    void anEmptyPodIdIsAUserErrorNotABug() {
        CliRun run = CliRun.of("--dir", dir.toString(), "status", "");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("empty pod id") && !run.err().contains("internal error"), run.err());
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
    void unwritableDataDirIsAOneLineErrorForACommandThatWrites() {
        // /proc/1 exists for every user and nobody, root included, can create files in it.
        CliRun run = CliRun.of("--dir", "/proc/1", "image", "gc");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("data directory /proc/1 is not writable"), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
        CliRun read = CliRun.of("--dir", "/proc/1", "journal", "show");
        assertEquals(0, read.code(), "a read of a data directory that holds nothing yet shows nothing: " + read.err());
        assertEquals("", read.out() + read.err());
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
