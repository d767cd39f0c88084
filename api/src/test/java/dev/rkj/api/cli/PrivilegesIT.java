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
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Capabilities are the user's decision: an image that asks for CAP_SYS_ADMIN in its
 * capabilities-retain-set is refused before its pod starts, unless the user grants it on the
 * command line; the grant then reaches the app and the journal says who granted what.
 */
@ExtendWith(LeakCheck.class)
class PrivilegesIT {
    private static final int CAP_SYS_ADMIN = 21;

    private Path dir;
    private Path data;
    private Path aci;

    @BeforeEach
    void buildImage() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("privileges");
        data = Files.createDirectories(dir.resolve("data"));
        Path src = dir.resolve("src");
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/admin",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": ["/bin/sh", "-c", "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status"], "user": "0", "group": "0",
                         "isolators": [{"name": "os/linux/capabilities-retain-set",
                                        "value": {"set": ["CAP_SYS_ADMIN", "CAP_SYS_MODULE", "CAP_CHOWN"]}}]}}
                """);
        aci = dir.resolve("admin.aci");
        CliRun built = rkj("image", "build", src.toString(), aci.toString());
        assertEquals(0, built.code(), built.err());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (data != null) {
            for (JsonNode pod : Json.mapper().readTree(rkj("list", "--format=json").out())) {
                if ("running".equals(pod.get("state").asText())) {
                    rkj("stop", "--force", pod.get("name").asText());
                }
            }
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

    @Test
    void anImageAskingForSysAdminIsRefusedUntilTheUserGrantsItAndTheGrantIsJournaled() throws Exception {
        Path refusedUuid = dir.resolve("refused-uuid");
        CliRun refused = rkj("run", "--net=none", "--insecure-options=image", "--uuid-file-save", refusedUuid.toString(), aci.toString());
        assertEquals(254, refused.code(), refused.err());
        assertTrue(refused.oneLineError(), refused.err());
        assertTrue(refused.err().contains("image example.com/admin asks for capabilities beyond the default set"
                + " (CAP_SYS_MODULE, CAP_SYS_ADMIN)"), refused.err());
        assertTrue(refused.err().contains("--caps-retain=CAP_SYS_ADMIN,CAP_SYS_MODULE,CAP_CHOWN"), refused.err());
        assertTrue(refused.err().contains("--insecure-options=capabilities"), refused.err());
        String refusedPod = Files.readString(refusedUuid);
        CliRun status = rkj("status", refusedPod);
        assertTrue(status.out().contains("state=aborted prepare") || status.out().contains("state=aborted"), status.out());
        assertFalse(Files.exists(data.resolve("pods").resolve(refusedPod)), "refused before its pod directory is made");
        assertFalse(rkj("journal", "show", "--aggregate", refusedPod).out().contains("pod.started"), "it never started");

        Path uuidFile = dir.resolve("granted-uuid");
        CliRun granted = rkj("run", "--net=none", "--insecure-options=image", "--caps-retain=CAP_SYS_ADMIN,CAP_CHOWN",
                "--uuid-file-save", uuidFile.toString(), aci.toString());
        assertEquals(0, granted.code(), granted.err());
        String pod = Files.readString(uuidFile);
        Map<String, String> fields = rkj("logs", pod).out().lines()
                .map(l -> l.split(":\\s*", 2)).collect(Collectors.toMap(f -> f[0], f -> f[1]));
        long capEff = Long.parseLong(fields.get("CapEff"), 16);
        assertEquals((1L << CAP_SYS_ADMIN) | 1L, capEff, "exactly the granted CAP_SYS_ADMIN and CAP_CHOWN");
        assertEquals("1", fields.get("NoNewPrivs"), "no_new_privs is on by default");

        CliRun history = rkj("journal", "show", "--aggregate", pod);
        assertEquals(0, history.code(), history.err());
        String grant = history.out().lines().dropWhile(l -> !l.contains("pod.privileges-granted/1")).skip(1)
                .findFirst().orElseThrow(() -> new AssertionError("no grant in:\n" + history.out()));
        assertTrue(grant.contains("CAP_SYS_ADMIN") && !grant.contains("CAP_CHOWN"), grant);
        assertTrue(grant.contains("grantor.uid=0"), grant);
        assertTrue(grant.contains("rkj run command line"), grant);
        assertFalse(rkj("journal", "show", "--aggregate", refusedPod).out().contains("pod.privileges-granted"),
                "no grant for the refused pod");
    }
}
