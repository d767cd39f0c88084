package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.Grantor;
import dev.rkj.engine.pod.PodSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The capability and pids flags of {@code run} and {@code prepare}: what they parse to, and one-line refusals. */
class PodOptionsTest {
    @TempDir
    Path dir;
    private Path aci;

    @BeforeEach
    void anImageFile() throws Exception {
        aci = Files.writeString(dir.resolve("app.aci"), "not read: the flags are refused before");
    }

    private PodSpec spec(String... flags) {
        PodOptions options = new PodOptions();
        String[] args = new String[flags.length + 1];
        System.arraycopy(flags, 0, args, 0, flags.length);
        args[flags.length] = aci.toString();
        new CommandLine(options).parseArgs(args);
        return options.spec();
    }

    private CliRun refused(String command, String... flags) {
        String[] args = new String[flags.length + 4];
        args[0] = "--dir";
        args[1] = dir.toString();
        args[2] = command;
        System.arraycopy(flags, 0, args, 3, flags.length);
        args[args.length - 1] = aci.toString();
        CliRun run = CliRun.of(args);
        assertEquals(254, run.code(), String.join(" ", args) + ": " + run.err());
        assertTrue(run.oneLineError(), run.err());
        return run;
    }

    @Test
    void environmentComesFromInheritEnvThenTheFileThenSetEnvEachOverridingTheLast() throws Exception {
        Path file = Files.writeString(dir.resolve("env"), "# the app's settings\nA=from-file\n\nB=x=y\nPATH=/file/bin\n");
        PodSpec spec = spec("--inherit-env", "--set-env-file", file.toString(), "--set-env", "A=from-flag");
        assertEquals("from-flag", spec.env().get("A"));
        assertEquals("x=y", spec.env().get("B"));
        assertEquals("/file/bin", spec.env().get("PATH"), "the file overrides the inherited environment");
        assertEquals(System.getenv("HOME"), spec.env().get("HOME"), "inherited");
        assertFalse(spec("--set-env", "A=1").env().containsKey("HOME"), "nothing is inherited without --inherit-env");

        Path bad = Files.writeString(dir.resolve("bad"), "A=1\nnot a variable\n");
        assertTrue(refused("run", "--set-env-file", bad.toString()).err().contains("line 2 wants NAME=VALUE"));
        assertTrue(refused("run", "--set-env-file", dir.resolve("nope").toString()).err().contains("does not exist"));
    }

    @Test
    void capabilityFlagsAndPidsLimitBecomeTheSpec() {
        PodSpec spec = spec("--caps-retain=CAP_SYS_ADMIN,CAP_CHOWN", "--pids-limit=512",
                "--insecure-options=image,paths,seccomp");
        assertEquals(Set.of("CAP_CHOWN", "CAP_SYS_ADMIN"), spec.capsRetain());
        assertEquals(Set.of(), spec.capsRemove());
        assertEquals(512L, spec.pidsLimit());
        assertEquals(Set.of(PodSpec.InsecureOption.PATHS, PodSpec.InsecureOption.SECCOMP), spec.relaxations());
        assertEquals(Set.of("CAP_MKNOD"), spec("--caps-remove=CAP_MKNOD").capsRemove());
        PodSpec plain = spec();
        assertEquals(Set.of(), plain.capsRetain());
        assertNull(plain.pidsLimit());
    }

    @Test
    void anUnknownCapabilityIsRefusedWithTheKnownNames() {
        for (String command : new String[] {"run", "prepare"}) {
            CliRun run = refused(command, "--caps-retain=CAP_SYS_ADMIN,CAP_FLY");
            assertTrue(run.err().contains("--caps-retain: \"CAP_FLY\" is not a Linux capability: use names such as"
                    + " CAP_NET_ADMIN, one of CAP_CHOWN,"), run.err());
            assertTrue(run.err().contains("CAP_CHECKPOINT_RESTORE"), run.err());
        }
        CliRun run = refused("run", "--caps-remove=net_raw");
        assertTrue(run.err().contains("--caps-remove: \"net_raw\" is not a Linux capability: did you mean CAP_NET_RAW?"),
                run.err());
        assertTrue(refused("run", "--caps-retain=").err().contains("--caps-retain: \"\" is not a Linux capability"));
    }

    @Test
    void retainAndRemoveTogetherAreRefused() {
        CliRun run = refused("run", "--caps-retain=CAP_CHOWN", "--caps-remove=CAP_KILL");
        assertTrue(run.err().contains("give either --caps-retain"), run.err());
    }

    @Test
    void aBadPidsLimitIsRefusedSayingWhatIsAccepted() {
        for (String bad : new String[] {"0", "-1", "lots", "1.5", "4194305"}) {
            CliRun run = refused("run", "--pids-limit=" + bad);
            assertTrue(run.err().contains("--pids-limit " + bad + " is not a number of processes: give a whole number"
                    + " from 1 to 4194304"), run.err());
        }
    }

    @Test
    void nameUserGroupAndWorkingDirBecomeTheSpecAndDefaultToTheImages() {
        PodSpec spec = spec("--name=web", "--user=1000", "--group=staff", "--working-dir=/tmp");
        assertEquals("web", spec.appName());
        assertEquals("1000", spec.user());
        assertEquals("staff", spec.group());
        assertEquals("/tmp", spec.workingDir());
        PodSpec plain = spec();
        assertNull(plain.appName());
        assertNull(plain.user());
        assertNull(plain.group());
        assertNull(plain.workingDir());
    }

    @Test
    void aNameThatIsNoAcNameOrARelativeWorkingDirIsRefusedInOneLineWithNothingCreated() throws Exception {
        for (String command : new String[] {"run", "prepare"}) {
            CliRun run = refused(command, "--name=Web_1");
            assertTrue(run.err().contains("--name) \"Web_1\" is not a valid AC Name: use lowercase letters, digits and hyphens"),
                    run.err());
            run = refused(command, "--working-dir=tmp");
            assertTrue(run.err().contains("--working-dir) \"tmp\" is not an absolute path: give one such as /tmp"),
                    run.err());
            run = refused(command, "--user=");
            assertTrue(run.err().contains("--user) \"\" is not valid"), run.err());
        }
        try (var files = Files.list(dir)) {
            assertEquals(Set.of("app.aci"), files.map(f -> f.getFileName().toString())
                    .collect(java.util.stream.Collectors.toSet()), "no journal, no pod");
        }
    }

    @Test
    void theGrantorIsThisProcessesUser() {
        Grantor grantor = Invocation.local().grantor("run");
        assertEquals(System.getProperty("user.name"), grantor.userName());
        assertEquals("rkj run command line", grantor.via());
        assertTrue(grantor.uid() != null && grantor.uid() >= 0, String.valueOf(grantor.uid()));
    }
}
