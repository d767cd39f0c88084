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
        new CommandLine(options).setStopAtPositional(true).parseArgs(args);
        return options.spec();
    }

    /** The spec of {@code rkj run WORDS...}, as the CLI parses it (rkt's grammar after the first image). */
    private PodSpec words(String... words) {
        PodOptions options = new PodOptions();
        new CommandLine(options).setStopAtPositional(true).parseArgs(words);
        return options.spec();
    }

    private String refusedWords(String... words) {
        try {
            words(words);
        } catch (CliException e) {
            return e.getMessage();
        }
        throw new AssertionError("not refused: " + String.join(" ", words));
    }

    @Test
    void eachImageTakesTheAppFlagsAndArgumentsAfterItAsRktDoes() throws Exception {
        Path other = Files.writeString(dir.resolve("db.aci"), "not read");
        PodSpec spec = words("--set-env=SHARED=1", "--memory=64Mi", "--volume", "data,kind=empty,mode=0770,uid=5",
                "--volume", "logs,kind=host,source=/var/log,readOnly=true",
                aci.toString(), "--name=web", "--set-env", "ONLY=web", "--mount", "volume=data,target=/srv",
                "--exec", "/bin/web", "--", "-p", "80", "--name", "not-a-flag",
                "---", other.toString(), "--name", "db", "--memory=256Mi", "--caps-remove=CAP_MKNOD",
                "--seccomp", "mode=remove,errno=EPERM,chmod,chown", "--readonly-rootfs",
                "--mount=volume=data,target=/var/lib/db", "--mount", "volume=logs,target=/logs");
        assertEquals(2, spec.apps().size());
        PodSpec.AppSpec web = spec.apps().get(0);
        PodSpec.AppSpec db = spec.apps().get(1);
        assertEquals("web", web.name());
        assertEquals("/bin/web", web.exec());
        assertEquals(java.util.List.of("-p", "80", "--name", "not-a-flag"), web.args(), "after -- all is the app's");
        assertEquals(java.util.Map.of("SHARED", "1", "ONLY", "web"), web.env());
        assertEquals(64L * 1024 * 1024, web.memoryLimitBytes(), "a flag before the first image applies to every app");
        assertEquals(java.util.List.of(new PodSpec.Mount("data", "/srv")), web.mounts());
        assertFalse(web.readOnlyRootfs());
        assertEquals("db", db.name());
        assertEquals(other.toString(), db.imageRef());
        assertEquals(java.util.Map.of("SHARED", "1"), db.env());
        assertEquals(256L * 1024 * 1024, db.memoryLimitBytes(), "the app's own flag wins");
        assertEquals(Set.of("CAP_MKNOD"), db.capsRemove());
        assertEquals(new PodSpec.Seccomp(PodSpec.SeccompMode.REMOVE, "EPERM", java.util.List.of("chmod", "chown")),
                db.seccomp());
        assertTrue(db.readOnlyRootfs());
        assertEquals(2, db.mounts().size());
        assertEquals(java.util.List.of(PodSpec.Volume.empty("data", "0770", 5L, null),
                PodSpec.Volume.host("logs", "/var/log", true, null)), spec.volumes());

        PodSpec bare = words(aci.toString(), other.toString(), "--name=b");
        assertEquals(2, bare.apps().size(), "a word after an image's flags is the next image");
        assertEquals("b", bare.apps().get(1).name());
        assertNull(bare.apps().get(0).name());
        PodSpec flags = words("--mds-register", aci.toString());
        assertTrue(flags.mdsRegister());
        assertEquals(1, flags.apps().size());
        assertTrue(words("--private-users", aci.toString()).privateUsers());
        assertFalse(flags.privateUsers());
    }

    @Test
    void badAppFlagsAndVolumesAreRefusedInOneLineNamingThem() throws Exception {
        assertEquals("'--hostname' after image " + aci + " is not a per-app flag (--name, --exec, --set-env, --user,"
                + " --group, --working-dir, --mount, --memory, --cpu, --caps-retain, --caps-remove, --seccomp,"
                + " --readonly-rootfs): give pod flags before the first image, and the app's arguments after --",
                refusedWords(aci.toString(), "--hostname=x"));
        assertEquals("--exec after image " + aci + " needs a value", refusedWords(aci.toString(), "--exec"));
        assertEquals("'---' at the end: it must be followed by the next app's image",
                refusedWords(aci.toString(), "---"));
        assertTrue(refusedWords("--volume", "data,kind=nfs", aci.toString()).startsWith("--volume data,kind=nfs: kind"
                + " must be host or empty"));
        assertTrue(refusedWords("--volume", "data,kind=host", aci.toString()).contains("needs source=PATH"));
        assertTrue(refusedWords("--volume", "data,kind=empty,source=/x", aci.toString()).contains("unknown key source"));
        assertTrue(refusedWords(aci.toString(), "--mount", "volume=data,target=/d").contains(
                "mounts volume data at /d, which no --volume declares"));
        assertTrue(refusedWords(aci.toString(), "--mount", "volume=data").contains("target"));
        assertTrue(refusedWords(aci.toString(), "--seccomp", "chmod").contains("has no mode"));
        assertTrue(refusedWords(aci.toString(), "--seccomp", "mode=remove,errno=eperm,chmod").contains(
                "is not an errno name"));
        assertTrue(refusedWords("--name=x", aci.toString(), aci.toString()).contains("give each image its own --name"));
        assertTrue(refusedWords(aci.toString(), "--name=a", aci.toString(), "--name=a").contains("two apps are named a"));
        assertTrue(refusedWords("--interactive", aci.toString(), aci.toString()).contains("--interactive gives the"
                + " terminal to one app"));
        assertTrue(refusedWords("--pod-manifest", dir.resolve("nope").toString()).contains("does not exist"));
        assertTrue(refusedWords().startsWith("name an image to run"));
    }

    @Test
    void aPodManifestNamesTheAppsTheirImagesOverridesMountsAndVolumes() throws Exception {
        String id = "sha512-" + "ab".repeat(64);
        Path manifest = Files.writeString(dir.resolve("pod.json"), """
                {"acKind": "PodManifest", "acVersion": "0.8.11",
                 "apps": [
                   {"name": "web", "image": {"id": "%s"},
                    "app": {"exec": ["/bin/web", "-p", "80"], "user": "1000", "group": "1000",
                            "environment": [{"name": "A", "value": "1"}],
                            "isolators": [{"name": "resource/memory", "value": {"limit": "64Mi"}}]},
                    "mounts": [{"volume": "data", "path": "/srv"}], "readOnlyRootFS": true},
                   {"name": "db", "image": {"name": "example.com/db", "labels": [{"name": "version", "value": "1"}]}}],
                 "volumes": [{"name": "data", "kind": "empty", "mode": "0700"}]}
                """.formatted(id));
        PodSpec spec = words("--pod-manifest", manifest.toString());
        assertEquals(2, spec.apps().size());
        PodSpec.AppSpec web = spec.apps().get(0);
        assertEquals(id, web.imageRef());
        assertEquals("/bin/web", web.exec());
        assertEquals(java.util.List.of("-p", "80"), web.args());
        assertEquals("1000", web.user());
        assertEquals("1", web.env().get("A"));
        assertEquals(64L * 1024 * 1024, web.memoryLimitBytes());
        assertTrue(web.readOnlyRootfs());
        assertEquals(java.util.List.of(new PodSpec.Mount("data", "/srv")), web.mounts());
        assertEquals("example.com/db,version=1", spec.apps().get(1).imageRef());
        assertEquals(PodSpec.Volume.empty("data", "0700", 0L, 0L), spec.volumes().get(0));
        assertTrue(refusedWords("--pod-manifest", manifest.toString(), aci.toString()).contains("give no IMAGE"));
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
