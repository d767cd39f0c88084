package dev.rkj.api.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code rkj run --private-users}: two pods at once, each in a user namespace of its own with a
 * range of host uids the other does not share; inside, root owns the image and the app is root;
 * on the host, the app and what it writes are the shifted uid, and its capabilities give it
 * nothing over a host file; memory limits still apply; {@code enter} joins the namespace.
 */
@ExtendWith(LeakCheck.class)
class PrivateUsersIT {
    /** Facts as {@code name=value} lines, then the app sleeps until stopped. */
    private static final String PROBE = String.join("\n",
            "echo uid_map=$(busybox cat /proc/self/uid_map)",
            "echo id=$(busybox id -u):$(busybox id -g)",
            "echo image_owner=$(busybox stat -c %u:%g /bin/busybox)",
            "busybox touch /made-in-rootfs /data/made-in-volume",
            "echo etc_owner=$(busybox stat -c %u:%g /etc /etc/hostname)",
            "if echo x >> /host/root-owned 2>/dev/null; then echo host_write=SUCCEEDED; else echo host_write=refused; fi",
            "echo caps=$(busybox grep CapEff /proc/self/status | busybox tr -d ' \\t')",
            "echo memory=$(busybox cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null"
                    + " || busybox cat /sys/fs/cgroup/memory.max)",
            "echo done=1",
            "exec busybox sleep 600");
    private static final Pattern SHIFT = Pattern.compile("rkj/private-users applied: .*uid_map 0:(\\d+):65536");

    private Path dir;
    private Path data;
    private Path aci;
    private Path host;

    @BeforeEach
    void buildImage() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("userns");
        data = Files.createDirectories(dir.resolve("data"));
        host = Files.createDirectories(dir.resolve("host"));
        Files.writeString(host.resolve("root-owned"), "the host's\n");
        Path src = dir.resolve("src");
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("rootfs/probe.sh"), PROBE + "\n");
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/userns-probe",
                 "labels": [{"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": ["/bin/sh", "/probe.sh"], "user": "0", "group": "0",
                         "mountPoints": [{"name": "data", "path": "/data"}, {"name": "host", "path": "/host"}]}}
                """);
        aci = dir.resolve("probe.aci");
        CliRun built = rkj("image", "build", src.toString(), aci.toString());
        assertEquals(0, built.code(), built.err());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (data != null) {
            for (String name : List.of("uuid-a", "uuid-b")) { // a failed assertion leaves them running
                if (Files.exists(dir.resolve(name))) {
                    rkj("stop", "--force", Files.readString(dir.resolve(name)).trim());
                }
            }
            rkj("gc", "--grace-period=0s", "--expire-prepared=0s");
            TestRun.deleteTree(dir);
        }
    }

    @AfterAll
    static void removeCgroupParent() throws Exception {
        CliRun.removeCgroupParentIfEmpty();
    }

    private CliRun rkj(String... args) {
        return CliRun.in(data, args);
    }

    private Map<String, String> facts(String uuid) {
        CliRun logs = rkj("logs", uuid);
        Map<String, String> facts = new LinkedHashMap<>();
        (logs.out() + logs.err()).lines().filter(l -> l.contains("="))
                .forEach(l -> facts.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1).trim()));
        return facts;
    }

    /** The host uid of each process on the host whose real uid is {@code uid} ({@code /proc/PID/status}). */
    private static List<String> hostProcessesOf(long uid) throws Exception {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    Files.readAllLines(p.resolve("status")).stream().filter(l -> l.startsWith("Uid:"))
                            .filter(l -> l.split("\\s+")[1].equals(Long.toString(uid))).forEach(l -> found.add(p + " " + l));
                } catch (java.io.IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return found;
    }

    @Test
    void twoPrivateUsersPodsRunAsShiftedRootsOfTheirOwnWithoutHostPowersAndWithTheirLimits() throws Exception {
        Path[] uuidFiles = {dir.resolve("uuid-a"), dir.resolve("uuid-b")};
        List<CompletableFuture<CliRun>> runs = new ArrayList<>();
        for (Path uuidFile : uuidFiles) {
            runs.add(CompletableFuture.supplyAsync(() -> rkj("run", "--insecure-options=image", "--private-users",
                    "--uuid-file-save", uuidFile.toString(), "--volume", "data,kind=empty",
                    "--volume", "host,kind=host,source=" + host, aci.toString(), "--memory=64M")));
        }
        String[] uuids = new String[2];
        long[] shifts = new long[2];
        for (int i = 0; i < 2; i++) {
            Path uuidFile = uuidFiles[i];
            await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(uuidFile)
                    && facts(Files.readString(uuidFile).trim()).containsKey("done"));
            uuids[i] = Files.readString(uuidFile).trim();
            CliRun status = rkj("status", uuids[i]);
            Matcher m = SHIFT.matcher(status.out());
            assertTrue(m.find(), "status tells the pod's range: " + status.out());
            shifts[i] = Long.parseLong(m.group(1));

            Map<String, String> facts = facts(uuids[i]);
            assertEquals("0 " + shifts[i] + " 65536", facts.get("uid_map").replaceAll("\\s+", " "), facts.toString());
            assertEquals("0:0", facts.get("id"), "the app is root inside: " + facts);
            assertEquals("0:0", facts.get("image_owner"), "the image's files are root's inside: " + facts);
            assertEquals("0:0 0:0", facts.get("etc_owner"), "so is the /etc rkj writes for an image without one: " + facts);
            assertEquals("refused", facts.get("host_write"), "root inside is nobody to a host file: " + facts);
            assertEquals("64000000", facts.get("memory"), "the limit applies: " + facts);
            assertNotEquals("CapEff:0000000000000000", facts.get("caps"), "root inside has its capabilities: " + facts);

            Path pod = data.resolve("pods").resolve(uuids[i]);
            assertEquals((int) shifts[i], Files.getAttribute(pod.resolve("overlay/upper/made-in-rootfs"), "unix:uid"));
            assertEquals((int) shifts[i], Files.getAttribute(pod.resolve("volumes/data/made-in-volume"), "unix:uid"));
            assertEquals((int) shifts[i], Files.getAttribute(pod.resolve("volumes/data"), "unix:uid"),
                    "an empty volume belongs to the pod's root");
            assertTrue(hostProcessesOf(shifts[i]).size() >= 1, "the app runs as the shifted uid on the host");
            assertEquals("the host's\n", Files.readString(host.resolve("root-owned")));
        }
        assertTrue(Math.abs(shifts[0] - shifts[1]) >= 65536, "two pods, two ranges that do not overlap: "
                + shifts[0] + ", " + shifts[1]);

        CliRun entered = rkj("enter", uuids[0], "/bin/sh", "-c",
                "busybox cat /proc/self/uid_map > /data/entered; busybox id -u >> /data/entered");
        assertEquals(0, entered.code(), entered.err());
        Path enteredFile = data.resolve("pods").resolve(uuids[0]).resolve("volumes/data/entered");
        assertEquals("0 " + shifts[0] + " 65536 0", Files.readString(enteredFile).replaceAll("\\s+", " ").trim(),
                "enter joins the pod's user namespace");
        assertEquals((int) shifts[0], Files.getAttribute(enteredFile, "unix:uid"));

        for (int i = 0; i < 2; i++) {
            CliRun stop = rkj("stop", uuids[i]);
            assertEquals(0, stop.code(), stop.err());
            assertEquals(128 + 15, runs.get(i).get().code(), runs.get(i).get().err());
        }
        assertTrue(hostProcessesOf(shifts[0]).isEmpty() && hostProcessesOf(shifts[1]).isEmpty(),
                "nothing of either pod runs after stop");
        CliRun rm = rkj("rm", uuids[0], uuids[1]);
        assertEquals(0, rm.code(), rm.err()); // LeakCheck: no mount and no cgroup of theirs is left
    }
}
