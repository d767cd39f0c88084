package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code run --name --user --group --working-dir} end to end: a real pod runs the app under the
 * given name, ids and directory; bad values create no pod. And pods of two apps with rkt's grammar:
 * each app sees its own image at {@code /}, the apps share the pod's PID, network, IPC and UTS
 * namespaces, each app's exit status is kept, {@code rkj run} exits with the failing app's, and
 * nothing stays mounted after rm.
 */
@ExtendWith(LeakCheck.class)
class PodAppFlagsIT {
    /** Prints the app's namespaces (a pod of several apps shares them). */
    private static final String NAMESPACES = "for n in pid net ipc uts; do echo $n=$(readlink /proc/self/ns/$n); done;";

    private Path dir;
    private Path data;
    private Path aci;

    @BeforeEach
    void buildImage() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("flags");
        data = Files.createDirectories(dir.resolve("data"));
        aci = image("ids", """
                {"exec": ["/bin/sh", "-c", "id -u; id -g; pwd"], "user": "0", "group": "0", "workingDirectory": "/home/app"}""");
    }

    /** A busybox image named example.com/NAME with a file /NAME-marker at its root and the app {@code appJson}. */
    private Path image(String name, String appJson) throws Exception {
        Path src = dir.resolve(name);
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("rootfs").resolve(name + "-marker"), name);
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": %s}
                """.formatted(name, appJson));
        Path built = dir.resolve(name + ".aci");
        CliRun run = rkj("image", "build", src.toString(), built.toString());
        assertEquals(0, run.code(), run.err());
        return built;
    }

    /** An image whose app exits at once; the tests give it its command with --exec. */
    private Path image(String name) throws Exception {
        return image(name, """
                {"exec": ["/bin/true"], "user": "0", "group": "0"}""");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (data != null) {
            rkj("gc", "--grace-period=0s", "--expire-prepared=0s");
            TestRun.deleteTree(dir);
        }
    }

    @AfterAll
    static void removeCgroupParentIfEmpty() throws Exception {
        if (Privileged.isRoot()) {
            new Cgroups(LinuxKernel.get(), CgroupLayout.detect(), HostEngine.CGROUP_PARENT).removeParentIfEmpty();
        }
    }

    private CliRun rkj(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    private JsonNode pods() throws Exception {
        return Json.mapper().readTree(rkj("list", "--format=json").out());
    }

    @Test
    void theAppRunsUnderTheGivenNameUserGroupAndWorkingDirectory() throws Exception {
        CliRun run = rkj("run", "--insecure-options=image", "--name", "x", "--user", "1000", "--group", "1000",
                "--working-dir", "/tmp", aci.toString(), "--exec", "/bin/sh", "--", "-c", "id -u; id -g; pwd");
        assertEquals(0, run.code(), run.err());
        JsonNode pods = pods();
        assertEquals(1, pods.size());
        String uuid = pods.get(0).get("name").asText();
        assertEquals("x", pods.get(0).get("app_names").get(0).asText());
        assertEquals("1000\n1000\n/tmp\n", rkj("logs", uuid).out());
        assertTrue(Files.exists(data.resolve("pods").resolve(uuid).resolve("logs/x")), "the log is named after the app");
        CliRun status = rkj("status", uuid);
        assertTrue(status.out().contains("app-x=0"), status.out());
        String[] row = rkj("list", "--no-legend").out().strip().split("\\s{2,}");
        assertEquals("x", row[1], "list names the app by its given name");
    }

    @Test
    void namesFromTheImagesPasswdAndGroupWorkAndTheImagesOwnSettingsAreTheDefault() throws Exception {
        CliRun run = rkj("run", "--insecure-options=image", "--user=app", "--group=extra", aci.toString());
        assertEquals(0, run.code(), run.err());
        String uuid = pods().get(0).get("name").asText();
        assertEquals("1000\n2000\n/home/app\n", rkj("logs", uuid).out());
        assertEquals("ids", pods().get(0).get("app_names").get(0).asText());
    }

    @Test
    void aUserNameTheImageDoesNotHaveFailsThePodNamingIt() throws Exception {
        CliRun run = rkj("run", "--insecure-options=image", "--user=nosuchuser", aci.toString());
        assertEquals(254, run.code(), run.out());
        assertTrue(run.err().contains("user \"nosuchuser\" is not in the image's /etc/passwd"), run.err());
    }

    @Test
    void aBadNameOrARelativeWorkingDirectoryIsRefusedInOneLineAndCreatesNoPod() throws Exception {
        CliRun badName = rkj("run", "--insecure-options=image", "--name=X_1", aci.toString());
        assertEquals(254, badName.code());
        assertTrue(badName.oneLineError(), badName.err());
        assertTrue(badName.err().contains("\"X_1\" is not a valid AC Name"), badName.err());
        CliRun relative = rkj("run", "--insecure-options=image", "--working-dir=tmp", aci.toString());
        assertEquals(254, relative.code());
        assertTrue(relative.oneLineError(), relative.err());
        assertTrue(relative.err().contains("\"tmp\" is not an absolute path"), relative.err());
        assertEquals(0, pods().size(), "no pod was created");
    }

    @Test
    void twoAppsSeeTheirOwnImagesShareThePodsNamespacesAndRunExitsWithTheFailingAppsStatus() throws Exception {
        Path alpha = image("alpha");
        Path beta = image("beta");
        // alpha finds beta's sleep among the pod's processes and stops it; beta then fails with 3.
        String alphaScript = NAMESPACES
                + "test -f /alpha-marker && ! test -e /beta-marker && echo own-root;"
                + "i=0; while [ $i -lt 3000 ]; do"
                + "  for p in /proc/[0-9]*; do"
                + "    if [ \"$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)\" = 'sleep 1000 ' ]; then"
                + "      kill ${p#/proc/} && echo saw-beta && exit 0; fi;"
                + "  done; sleep 0.1; i=$((i+1));"
                + "done; echo beta-not-seen; exit 1";
        String betaScript = NAMESPACES
                + "test -f /beta-marker && ! test -e /alpha-marker && echo own-root;"
                + "sleep 1000; exit 3";
        Path uuidFile = dir.resolve("uuid");
        CliRun run = rkj("run", "--insecure-options=image", "--uuid-file-save", uuidFile.toString(),
                alpha.toString(), "--exec", "/bin/sh", "--", "-c", alphaScript,
                "---", beta.toString(), "--name=second", "--exec=/bin/sh", "--", "-c", betaScript);
        assertEquals(3, run.code(), "rkj run exits with the failing app's status: " + run.err());
        String uuid = Files.readString(uuidFile).strip();

        String alphaLog = rkj("logs", "--app", "alpha", uuid).out();
        String betaLog = rkj("logs", "--app", "second", uuid).out();
        assertTrue(alphaLog.contains("own-root\n"), "alpha sees its own image at /: " + alphaLog);
        assertTrue(betaLog.contains("own-root\n"), "beta sees its own image at /: " + betaLog);
        assertTrue(alphaLog.contains("saw-beta\n"), "alpha sees beta's process: " + alphaLog);
        for (String ns : new String[] {"pid", "net", "ipc", "uts"}) {
            String a = line(alphaLog, ns + "=");
            assertTrue(a.startsWith(ns + "=" + ns + ":["), alphaLog);
            assertEquals(a, line(betaLog, ns + "="), "the apps share the " + ns + " namespace");
        }

        CliRun status = rkj("status", uuid);
        assertTrue(status.out().contains("app-alpha=0\n"), status.out());
        assertTrue(status.out().contains("app-second=3\n"), status.out());
        assertTrue(status.out().contains("app-second-image=example.com/beta\n"), status.out());
        JsonNode pod = Json.mapper().readTree(rkj("list", "--format=json").out()).get(0);
        assertEquals(3, pod.get("exit_code").asInt());
        assertEquals(2, pod.get("apps").size());
        assertEquals("alpha", pod.get("apps").get(0).get("name").asText());
        assertEquals("example.com/alpha", pod.get("apps").get(0).get("image_name").asText());
        assertEquals(0, pod.get("apps").get(0).get("exit_code").asInt());
        assertEquals("second", pod.get("apps").get(1).get("name").asText());
        assertEquals("exited", pod.get("apps").get(1).get("state").asText());
        assertEquals(3, pod.get("apps").get(1).get("exit_code").asInt());
        String[] row = rkj("list", "--no-legend").out().strip().split("\\s{2,}");
        assertEquals("alpha,second", row[1], "one row per pod, its apps in the APPS column");
        assertEquals("example.com/alpha,example.com/beta", row[2]);

        Path podDir = data.resolve("pods").resolve(uuid);
        assertEquals(0, rkj("rm", uuid).code());
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(podDir.toString()), "nothing of the pod is mounted after rm: " + mounts);
        assertFalse(Files.exists(podDir), "the pod's directory is gone");
    }

    @Test
    void aSecondImageWithoutAppFlagsIsASecondAppAndBadAppFlagsCreateNoPod() throws Exception {
        Path alpha = image("alpha");
        Path beta = image("beta");
        CliRun both = rkj("run", "--insecure-options=image", alpha.toString(), beta.toString());
        assertEquals(0, both.code(), both.err());
        JsonNode pod = Json.mapper().readTree(rkj("list", "--format=json").out()).get(0);
        assertEquals(2, pod.get("apps").size(), pod.toString());

        CliRun badFlag = rkj("run", "--insecure-options=image", alpha.toString(), "--hostname=x", beta.toString());
        assertEquals(254, badFlag.code());
        assertTrue(badFlag.oneLineError(), badFlag.err());
        assertTrue(badFlag.err().contains("'--hostname' after image " + alpha + " is not a per-app flag"), badFlag.err());
        CliRun sameName = rkj("run", "--insecure-options=image", alpha.toString(), "--name=a", "---", beta.toString(),
                "--name=a");
        assertEquals(254, sameName.code());
        assertTrue(sameName.err().contains("two apps are named a"), sameName.err());
        CliRun unknownVolume = rkj("run", "--insecure-options=image", alpha.toString(), "--mount",
                "volume=data,target=/data");
        assertEquals(254, unknownVolume.code());
        assertTrue(unknownVolume.err().contains("mounts volume data at /data, which no --volume declares"),
                unknownVolume.err());
        assertEquals(1, Json.mapper().readTree(rkj("list", "--format=json").out()).size(), "no pod was created");
    }

    private static String line(String text, String prefix) {
        for (String l : text.split("\n")) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new AssertionError("no line " + prefix + " in " + text);
    }
}
