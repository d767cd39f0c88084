package dev.rkj.stage1;

import static dev.rkj.stage1.PodFixture.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.cgroup.CgroupLimits;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pod's filesystem boundary, attacked from inside real pods: kernel knobs in /proc are
 * read-only, host secrets in /proc and /sys are masked, the pod's cgroups are the root of its
 * cgroup namespace, no host path of the data directory shows through, and an image cannot
 * redirect /proc, /sys or /dev with a symlink.
 */
@ExtendWith(LeakCheck.class)
class PodBoundaryIT {
    private static final Path CORE_PATTERN = Path.of("/proc/sys/kernel/core_pattern");
    private static final String ATTACK = "|/tmp/rkj-pwned %p";

    private static PodFixture.Shared shared;
    private PodFixture f;

    @BeforeAll
    static void build() throws Exception {
        Privileged.requireRoot();
        shared = new PodFixture.Shared();
    }

    @AfterAll
    static void clean() throws Exception {
        if (shared != null) {
            shared.close();
        }
    }

    @BeforeEach
    void newPod() throws Exception {
        f = shared.pod();
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    @Test
    void aDefaultPodCannotTurnKernelKnobsNorReadHostSecretsNorSeeHostPaths() throws Exception {
        String hostCorePattern = Files.readString(CORE_PATTERN);
        String probe = String.join("\n",
                "echo '" + ATTACK + "' > /proc/sys/kernel/core_pattern; echo core_pattern=$?",
                "echo 3 > /proc/sys/vm/drop_caches; echo drop_caches=$?",
                "echo h > /proc/sysrq-trigger; echo sysrq_trigger=$?",
                "echo keys=$(cat /proc/keys | wc -c)",
                "echo timer_list=$(cat /proc/timer_list | wc -c)",
                "echo kcore=$(head -c 64 /proc/kcore | wc -c)",
                "echo firmware=$(ls -A /sys/firmware | wc -l)",
                "echo cgroup_lines=$(cat /proc/self/cgroup | wc -l)",
                "echo cgroup_not_root=$(grep -v ':/$' /proc/self/cgroup | wc -l)",
                "echo ---",
                "cat /proc/1/cmdline /proc/self/mountinfo /proc/1/mountinfo /proc/1/environ /proc/self/environ"
                        + " | tr '\\0' '\\n'",
                "exit 0");
        try {
            f.start(f.plan().app(sh("main", probe).build()).build());
            assertEquals(ExitStatus.exited(0), f.awaitExit());
            assertEquals(hostCorePattern, Files.readString(CORE_PATTERN), "the pod changed the host's core_pattern");
        } finally {
            if (Files.readString(CORE_PATTERN).contains("rkj-pwned")) {
                Files.writeString(CORE_PATTERN, hostCorePattern);
            }
        }
        String log = f.log("main");
        Map<String, String> out = fields(log.substring(0, log.indexOf("---\n")));
        assertNotEquals("0", out.get("core_pattern"), log);
        assertNotEquals("0", out.get("drop_caches"), log);
        assertNotEquals("0", out.get("sysrq_trigger"), log);
        assertEquals("0", out.get("keys"), "/proc/keys is readable: " + log);
        assertEquals("0", out.get("timer_list"), "/proc/timer_list is readable: " + log);
        assertEquals("0", out.get("kcore"), log);
        assertEquals("0", out.get("firmware"), "/sys/firmware shows something: " + log);
        assertNotEquals("0", out.get("cgroup_lines"), log);
        assertEquals("0", out.get("cgroup_not_root"), "/proc/self/cgroup shows host cgroup paths: " + log);

        String seen = log.substring(log.indexOf("---\n"));
        assertTrue(seen.contains("rkj-stage1\nrun\n"), "PID 1's command line: " + seen);
        assertTrue(seen.contains(" / / "), "the pod's mountinfo was not read: " + seen);
        for (Path host : Set.of(f.podDir, shared.lower, shared.binary)) {
            assertFalse(seen.contains(host.toString()), "the pod sees the host path " + host + ":\n" + seen);
        }
        assertFalse(seen.contains(TestRun.PREFIX + TestRun.TAG), "the pod sees a host path of the test run:\n" + seen);
    }

    @Test
    void thePodsCgroupsAreItsReadOnlyRootAtSysFsCgroup() throws Exception {
        RunningPod pod = f.start(f.plan().app(sh("main", String.join("\n",
                "cd /sys/fs/cgroup; ls",
                "echo ---",
                "for h in *; do test -L $h && continue; mkdir $h/escape 2>/dev/null; echo $h mkdir=$?;"
                        + " echo 0 > $h/cgroup.procs; echo $h write=$?; done",
                "touch /sys/fs/cgroup/x; echo tmpfs=$?",
                "echo pids_max=$(cat /sys/fs/cgroup/pids/pids.max)",
                "exit 0")).build()).build(), CgroupLimits.NONE.withPids(100));
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        String log = f.log("main");
        List<String> hierarchies = log.substring(0, log.indexOf("---\n")).lines().toList();
        Map<String, String> out = fields(log.substring(log.indexOf("---\n")).replace(' ', '.'));
        String pids = shared.cgroups.layout().mode().usesV1Controllers() ? "pids" : null;
        if (pids != null) {
            assertTrue(hierarchies.contains("pids"), log);
            assertEquals("100", out.get("pids_max"), "the pids hierarchy's root is not the pod's cgroup: " + log);
            assertNotEquals("0", out.get("tmpfs"), log);
        }
        for (String h : hierarchies) {
            if (out.containsKey(h + ".mkdir")) {
                assertNotEquals("0", out.get(h + ".mkdir"), h + " is writable: " + log);
                assertNotEquals("0", out.get(h + ".write"), h + " is writable: " + log);
            }
        }
        assertTrue(pod.cgroup().dirs().stream().noneMatch(d -> Files.exists(d.resolve("escape"))), log);
    }

    @Test
    void withMaskedPathsOffProcAndSysAreAsTheKernelMountsThem() throws Exception {
        f.start(f.plan().maskPaths(false).app(sh("main",
                "echo timer_list=$(head -c 64 /proc/timer_list | wc -c); cat /proc/self/mountinfo").build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        String log = f.log("main");
        assertEquals("64", fields(log).get("timer_list"), log);
        Set<String> mountPoints = log.lines().filter(l -> l.contains(" - ")).map(l -> l.split(" ")[4])
                .collect(Collectors.toSet());
        for (String masked : Set.of("/proc/sys", "/proc/kcore", "/proc/keys", "/sys/firmware")) {
            assertFalse(mountPoints.contains(masked), masked + " is still covered: " + mountPoints);
        }
    }

    @Test
    void theMasksAreMountsOfTheirOwn() throws Exception {
        f.start(f.plan().app(sh("main", "cat /proc/self/mountinfo").build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        Map<String, String> options = f.log("main").lines().map(l -> l.split(" "))
                .collect(Collectors.toMap(l -> l[4], l -> l[5], (a, b) -> b));
        for (String readOnly : Set.of("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs")) {
            if (Files.exists(Path.of(readOnly))) {
                assertTrue(options.getOrDefault(readOnly, "").startsWith("ro,"), readOnly + ": " + options);
            }
        }
        for (String masked : Set.of("/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware")) {
            if (Files.exists(Path.of(masked))) {
                assertTrue(options.containsKey(masked), masked + " is not masked: " + options);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"proc, symlink, the image's /proc is a symlink to /etc: an image must have /proc as a directory",
                "sys, symlink, the image's /sys is a symlink to /etc",
                "dev, file, the image's /dev is not a directory: an image must have /dev as a directory"})
    void anImageWhoseProcSysOrDevIsNoDirectoryIsRefusedNamingIt(String dir, String kind, String message)
            throws Exception {
        Path tree = TestRun.newDir("hostile");
        try {
            Path lower = TestImages.busybox(tree.resolve("rootfs"));
            Files.delete(lower.resolve(dir));
            if (kind.equals("symlink")) {
                Files.createSymbolicLink(lower.resolve(dir), Path.of("/etc"));
            } else {
                Files.writeString(lower.resolve(dir), "not a directory\n");
            }
            Stage1Exception e = assertThrows(Stage1Exception.class, () -> f.start(
                    f.plan().app(Stage1Plan.App.builder("main", "true").build()).build(), lower, CgroupLimits.NONE,
                    Map.of()));
            assertEquals("mount", e.call());
            assertTrue(e.getMessage().contains(message), e.getMessage());
            assertTrue(f.nothingLeft());
        } finally {
            TestRun.deleteTree(tree);
        }
    }

    private static Map<String, String> fields(String text) {
        Map<String, String> m = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.contains(" ")) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }
}
