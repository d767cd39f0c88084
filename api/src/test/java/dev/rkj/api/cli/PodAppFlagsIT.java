package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * given name, ids and directory; bad values create no pod.
 */
@ExtendWith(LeakCheck.class)
class PodAppFlagsIT {
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

    /** A busybox ACI named {@code example.com/<name>} whose app section is {@code app} (JSON). */
    private Path image(String name, String app) throws Exception {
        Path src = dir.resolve(name);
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": %s}
                """.formatted(name, app));
        Path built = dir.resolve(name + ".aci");
        CliRun run = rkj("image", "build", src.toString(), built.toString());
        assertEquals(0, run.code(), run.err());
        return built;
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

    /** An image's mount point no volume fills and its hooks, through the CLI: the warning is printed once and kept. */
    @Test
    void anUnfilledMountPointIsWarnedOfOnceAndShownByStatusAndTheHooksRunAroundTheApp() throws Exception {
        Path hooked = image("hooked", """
                {"exec": ["/bin/sh", "-c", "echo main >> /work/order; cat /work/order"], "user": "0", "group": "0",
                 "mountPoints": [{"name": "work", "path": "/work"}],
                 "eventHandlers": [{"name": "pre-start", "exec": ["/bin/sh", "-c", "echo pre > /work/order"]}]}""");
        CliRun run = rkj("run", "--insecure-options=image", hooked.toString());
        assertEquals(0, run.code(), run.err());
        String warning = "rkj: warning: app hooked: mount point work (/work) has no volume, so it gets an empty one that is"
                + " removed with the pod; to keep its data, give --volume work,kind=host,source=DIR\n";
        assertEquals(1, run.err().split(java.util.regex.Pattern.quote(warning), -1).length - 1, run.err());
        String uuid = pods().get(0).get("name").asText();
        assertEquals("pre\nmain\n", rkj("logs", uuid).out());
        assertTrue(rkj("status", uuid).out().contains("\nwarning=app hooked: mount point work (/work) has no volume"));
        assertEquals("app hooked: mount point work (/work) has no volume, so it gets an empty one that is removed with"
                + " the pod; to keep its data, give --volume work,kind=host,source=DIR",
                pods().get(0).get("warnings").get(0).asText(), "list --format=json (and the API's pod view) show it");
    }
}
