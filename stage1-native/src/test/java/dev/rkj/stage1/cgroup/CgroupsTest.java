package dev.rkj.stage1.cgroup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.Backoff;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.stage1.kernel.RecordingKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cgroups on fake cgroupfs trees in a temp dir, v1 and v2. */
class CgroupsTest {
    @TempDir
    Path root;
    private final RecordingKernel kernel = new RecordingKernel();

    private static void files(Path dir, Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
    }

    private CgroupLayout fakeV1() throws IOException {
        files(root.resolve("memory"), Map.of("cgroup.procs", "1\n", "memory.limit_in_bytes", "9223372036854771712\n",
                "memory.memsw.limit_in_bytes", "9223372036854771712\n", "memory.failcnt", "0\n", "memory.soft_limit_in_bytes", "9223372036854771712\n",
                "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"));
        files(root.resolve("cpu,cpuacct"), Map.of("cgroup.procs", "1\n", "cpu.cfs_period_us", "100000\n",
                "cpu.cfs_quota_us", "-1\n", "cpu.shares", "1024\n"));
        files(root.resolve("pids"), Map.of("cgroup.procs", "1\n", "pids.max", "max\n"));
        files(root.resolve("devices"), Map.of("cgroup.procs", "1\n", "devices.allow", "", "devices.deny", "",
                "devices.list", "a *:* rwm\n"));
        kernel.emulateCgroupfs(root);
        return CgroupLayout.v1(Map.of("memory", root.resolve("memory"), "cpu", root.resolve("cpu,cpuacct"),
                "cpuacct", root.resolve("cpu,cpuacct"), "pids", root.resolve("pids"), "devices", root.resolve("devices")));
    }

    private CgroupLayout fakeV2() throws IOException {
        files(root, Map.of("cgroup.procs", "1\n", "cgroup.controllers", "cpuset cpu io memory pids\n",
                "cgroup.subtree_control", "", "memory.max", "max\n", "memory.swap.max", "max\n", "memory.low", "0\n",
                "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", "cpu.max", "max 100000\n",
                "cpu.weight", "100\n", "pids.max", "max\n"));
        kernel.emulateCgroupfs(root);
        return CgroupLayout.v2(root);
    }

    @Test
    void v1CreatesOneCgroupPerControllerHierarchyWithItsLimits() throws Exception {
        Cgroups cgroups = new Cgroups(kernel, fakeV1(), "rkj", Backoff.none(), 3);
        PodCgroup pod = cgroups.create("p1", new CgroupLimits(16L << 20, 500L, 250L, 64L, 8L << 20));

        assertEquals(List.of(root.resolve("memory/rkj/p1"), root.resolve("cpu,cpuacct/rkj/p1"), root.resolve("pids/rkj/p1"),
                root.resolve("devices/rkj/p1")), pod.dirs());
        assertEquals("16777216", Files.readString(root.resolve("memory/rkj/p1/memory.limit_in_bytes")));
        assertEquals("16777216", Files.readString(root.resolve("memory/rkj/p1/memory.memsw.limit_in_bytes")));
        assertEquals("8388608", Files.readString(root.resolve("memory/rkj/p1/memory.soft_limit_in_bytes")));
        assertEquals("50000", Files.readString(root.resolve("cpu,cpuacct/rkj/p1/cpu.cfs_quota_us")));
        assertEquals("100000", Files.readString(root.resolve("cpu,cpuacct/rkj/p1/cpu.cfs_period_us")));
        assertEquals("256", Files.readString(root.resolve("cpu,cpuacct/rkj/p1/cpu.shares")));
        assertEquals("64", Files.readString(root.resolve("pids/rkj/p1/pids.max")));
        assertEquals(root.resolve("pids/rkj/p1/cgroup.procs"), pod.procsFiles().get(2));
    }

    @Test
    void v2EnablesControllersDownThePathAndWritesUnifiedLimits() throws Exception {
        Cgroups cgroups = new Cgroups(kernel, fakeV2(), "rkj", Backoff.none(), 3);
        PodCgroup pod = cgroups.create("p1", new CgroupLimits(16L << 20, 1500L, 1000L, 10L, 4L << 20));

        assertEquals(List.of(root.resolve("rkj/p1")), pod.dirs());
        assertEquals("+memory +cpu +pids",
                Files.readString(root.resolve("cgroup.subtree_control")));
        assertEquals("+memory +cpu +pids", Files.readString(root.resolve("rkj/cgroup.subtree_control")));
        assertEquals("16777216", Files.readString(root.resolve("rkj/p1/memory.max")));
        assertEquals("0", Files.readString(root.resolve("rkj/p1/memory.swap.max")));
        assertEquals("4194304", Files.readString(root.resolve("rkj/p1/memory.low")), "the request");
        assertEquals("150000 100000", Files.readString(root.resolve("rkj/p1/cpu.max")));
        assertEquals("39", Files.readString(root.resolve("rkj/p1/cpu.weight")));
        assertEquals("10", Files.readString(root.resolve("rkj/p1/pids.max")));
    }

    @Test
    void v1DeniesAllDevicesThenAllowsTheStandardOnes() throws Exception {
        new Cgroups(kernel, fakeV1(), "rkj", Backoff.none(), 3).create("p1", CgroupLimits.NONE);

        assertEquals("a", Files.readString(root.resolve("devices/rkj/p1/devices.deny")));
        // one rule per write (the kernel reads one): a plain file keeps the last; DevicesIT reads devices.list
        assertEquals("c 136:* rwm", Files.readString(root.resolve("devices/rkj/p1/devices.allow")));
        assertEquals(List.of(), kernel.calls("bpf_prog_load"), "no cgroup2 here");
    }

    @Test
    void v2AttachesTheDeviceProgramToThePodsCgroupAndClosesItsFd() throws Exception {
        new Cgroups(kernel, fakeV2(), "rkj", Backoff.none(), 3).create("p1", CgroupLimits.NONE);

        List<RecordingKernel.Call> loads = kernel.calls("bpf_prog_load");
        assertEquals(1, loads.size());
        assertArrayEquals(DeviceProgram.compile(DeviceRule.STANDARD), (byte[]) loads.get(0).args().get(0));
        RecordingKernel.Call attach = kernel.calls("bpf_prog_attach").get(0);
        assertEquals(root.resolve("rkj/p1"), attach.args().get(0));
        int fd = (Integer) attach.args().get(1);
        assertEquals(List.of(fd), kernel.calls("close").get(0).args());
    }

    @Test
    void hybridConfinesDevicesInTheV1HierarchyAndWithAProgramInTheUnifiedOne() throws Exception {
        CgroupLayout v1 = fakeV1();
        files(root.resolve("unified"), Map.of("cgroup.procs", "1\n", "cgroup.controllers", "", "cgroup.subtree_control", ""));
        CgroupLayout hybrid = new CgroupLayout(CgroupMode.HYBRID, v1.v1Controllers(), root.resolve("unified"));
        PodCgroup pod = new Cgroups(kernel, hybrid, "rkj", Backoff.none(), 3).create("p1", CgroupLimits.NONE.withPids(9));

        assertTrue(pod.dirs().contains(root.resolve("unified/rkj/p1")), pod.dirs().toString());
        assertTrue(pod.procsFiles().contains(root.resolve("unified/rkj/p1/cgroup.procs")));
        assertEquals("a", Files.readString(root.resolve("devices/rkj/p1/devices.deny")));
        assertEquals(root.resolve("unified/rkj/p1"), kernel.calls("bpf_prog_attach").get(0).args().get(0));
        assertEquals("9", Files.readString(root.resolve("pids/rkj/p1/pids.max")), "limits stay in v1");

        PodCgroup app = pod.child("web", CgroupLimits.NONE);
        assertTrue(app.dirs().contains(root.resolve("unified/rkj/p1/web")), "the app inherits the program");
        pod.remove(false);
        assertFalse(Files.exists(root.resolve("unified/rkj/p1")) || Files.exists(root.resolve("devices/rkj/p1")));
    }

    @Test
    void aFailedAttachClosesTheProgramAndNamesTheCgroup() throws Exception {
        kernel.failNext("bpf_prog_attach", Errno.EPERM);
        KernelException e = assertThrows(KernelException.class,
                () -> new Cgroups(kernel, fakeV2(), "rkj", Backoff.none(), 3).create("p1", CgroupLimits.NONE));
        assertEquals(root.resolve("rkj/p1").toString(), e.path());
        assertEquals(1, kernel.calls("close").size());
    }

    @Test
    void aV1HostWithoutTheDevicesControllerIsRefusedNotLeftOpen() throws Exception {
        CgroupLayout full = fakeV1();
        Map<String, Path> noDevices = new java.util.HashMap<>(full.v1Controllers());
        noDevices.remove("devices");
        IOException e = assertThrows(IOException.class,
                () -> new Cgroups(kernel, CgroupLayout.v1(noDevices), "rkj", Backoff.none(), 3).create("p", CgroupLimits.NONE));
        assertTrue(e.getMessage().contains("neither the v1 devices controller nor cgroup2 is mounted"), e.getMessage());
    }

    @Test
    void oomKillIsReadFromMemoryEventsOnV2AndOomControlOnV1() throws Exception {
        PodCgroup v2 = new Cgroups(kernel, fakeV2(), "rkj", Backoff.none(), 3).create("p", CgroupLimits.NONE);
        assertFalse(v2.oomKilled());
        Files.writeString(root.resolve("rkj/p/memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        assertTrue(v2.oomKilled());
    }

    @Test
    void v1WithoutAnOomKillCounterFallsBackToFailcnt() throws Exception {
        PodCgroup pod = new Cgroups(kernel, fakeV1(), "rkj", Backoff.none(), 3).create("p", CgroupLimits.NONE);
        assertFalse(pod.oomKilled());
        Files.writeString(root.resolve("memory/rkj/p/memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n");
        Files.writeString(root.resolve("memory/rkj/p/memory.failcnt"), "12\n");
        assertTrue(pod.oomKilled());
        Files.writeString(root.resolve("memory/rkj/p/memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertTrue(pod.oomKilled());
    }

    @Test
    void removeRefusesACgroupWithProcessesUnlessAskedToKill() throws Exception {
        PodCgroup pod = new Cgroups(kernel, fakeV1(), "rkj", Backoff.none(), 3).create("p", CgroupLimits.NONE);
        Path procs = root.resolve("memory/rkj/p/cgroup.procs");
        Files.writeString(procs, "4242\n");
        KernelException e = assertThrows(KernelException.class, () -> pod.remove(false));
        assertEquals(Errno.EBUSY, e.errno());
        assertTrue(e.getMessage().contains("[4242]"), e.getMessage());
        assertTrue(Files.isDirectory(root.resolve("memory/rkj/p")));

        kernel.onKill(4242, sig -> write(procs, "")); // the process dies of it
        pod.remove(true);
        assertEquals(List.of(4242, Kernel.SIGKILL), kernel.calls("kill").get(0).args());
        assertFalse(pod.exists());
    }

    @Test
    void removeRetriesWhileProcessesDrainThenNamesTheStragglers() throws Exception {
        PodCgroup pod = new Cgroups(kernel, fakeV1(), "rkj", Backoff.none(), 3).create("p", CgroupLimits.NONE);
        Files.writeString(root.resolve("pids/rkj/p/cgroup.procs"), "77\n"); // never dies
        KernelException e = assertThrows(KernelException.class, () -> pod.remove(true));
        assertTrue(e.getMessage().contains("[77]") && e.getMessage().contains("3 attempts"), e.getMessage());
        assertEquals(3, kernel.calls("kill").size());
    }

    @Test
    void appChildrenAreRemovedBeforeThePod() throws Exception {
        PodCgroup pod = new Cgroups(kernel, fakeV2(), "rkj", Backoff.none(), 3).create("p", CgroupLimits.NONE);
        PodCgroup app = pod.child("web", CgroupLimits.NONE.withMemory(1 << 20));
        assertEquals("1048576", Files.readString(app.dirs().get(0).resolve("memory.max")));
        pod.remove(false);
        assertFalse(Files.exists(root.resolve("rkj/p")));
    }

    @Test
    void aMissingControlFileIsNamed() throws Exception {
        CgroupLayout layout = fakeV1();
        Files.delete(root.resolve("pids/pids.max"));
        CgroupException e = assertThrows(CgroupException.class,
                () -> new Cgroups(kernel, layout, "rkj").create("p", CgroupLimits.NONE.withPids(5)));
        assertEquals(root.resolve("pids/rkj/p/pids.max"), e.file());
    }

    @Test
    void detectsV1V2AndHybridFromTheMountTable() throws Exception {
        String v1 = "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
                + "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                + "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n";
        String unified = "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
        CgroupLayout l1 = CgroupLayout.detect(MountInfo.parse(v1));
        assertEquals(CgroupMode.V1, l1.mode());
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), l1.controller("cpuacct").orElseThrow());
        assertFalse(l1.v1Controllers().containsKey("name=systemd"));
        CgroupLayout hybrid = CgroupLayout.detect(MountInfo.parse(v1 + unified));
        assertEquals(CgroupMode.HYBRID, hybrid.mode());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), hybrid.unified());
        CgroupLayout v2 = CgroupLayout.detect(MountInfo.parse("30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"));
        assertEquals(CgroupMode.V2, v2.mode());
        IOException none = assertThrows(IOException.class, () -> CgroupLayout.detect(MountInfo.parse("")));
        assertTrue(none.getMessage().contains("no cgroup filesystem"));
    }

    @Test
    void cpuRequestsConvertToSharesAndWeights() {
        assertEquals(1024, CgroupLimits.shares(1000));
        assertEquals(2, CgroupLimits.shares(1));
        assertEquals(39, CgroupLimits.weight(1000));
        assertThrows(IllegalArgumentException.class, () -> CgroupLimits.NONE.withCpuLimit(5));
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
