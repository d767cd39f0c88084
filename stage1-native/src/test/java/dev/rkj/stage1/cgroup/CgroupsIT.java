package dev.rkj.stage1.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The host's real cgroupfs (v1 controllers in this machine's hybrid layout). */
@ExtendWith(LeakCheck.class)
class CgroupsIT {
    private Cgroups cgroups;
    private final String pod = UUID.randomUUID().toString();
    private Process sleeper;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireRoot();
        cgroups = new Cgroups(LinuxKernel.get(), CgroupLayout.detect(), TestRun.cgroupParent());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (sleeper != null) {
            sleeper.destroyForcibly().waitFor();
        }
        if (cgroups != null) {
            cgroups.open(pod).remove(true);
            cgroups.removeParentIfEmpty();
        }
    }

    @Test
    void detectsTheLayoutTheMountTableShows() throws Exception {
        boolean v1 = MountInfo.read().mounts().stream().anyMatch(m -> m.fsType().equals("cgroup"));
        boolean v2 = MountInfo.read().mounts().stream().anyMatch(m -> m.fsType().equals("cgroup2"));
        CgroupMode expected = v1 && v2 ? CgroupMode.HYBRID : v1 ? CgroupMode.V1 : CgroupMode.V2;
        assertEquals(expected, cgroups.layout().mode());
    }

    @Test
    void createsV1CgroupsWhoseFilesHoldTheLimitsAndRemovesThem() throws Exception {
        assumeTrue(cgroups.layout().mode().usesV1Controllers(), "this host has no v1 controllers");
        PodCgroup cg = cgroups.create(pod, new CgroupLimits(16L << 20, 500L, 250L, 64L, 8L << 20));
        Path memory = cgroups.layout().controller("memory").orElseThrow().resolve(TestRun.cgroupParent()).resolve(pod);
        Path cpu = cgroups.layout().controller("cpu").orElseThrow().resolve(TestRun.cgroupParent()).resolve(pod);
        Path pids = cgroups.layout().controller("pids").orElseThrow().resolve(TestRun.cgroupParent()).resolve(pod);
        assertEquals("16777216", Files.readString(memory.resolve("memory.limit_in_bytes")).trim());
        assertEquals("8388608", Files.readString(memory.resolve("memory.soft_limit_in_bytes")).trim(), "the request");
        assertEquals("50000", Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim());
        assertEquals("256", Files.readString(cpu.resolve("cpu.shares")).trim());
        assertEquals("64", Files.readString(pids.resolve("pids.max")).trim());
        assertFalse(cg.oomKilled());

        cg.remove(false);
        assertFalse(Files.exists(memory) || Files.exists(cpu) || Files.exists(pids));
    }

    @Test
    void removeKillsTheProcessesLeftInsideOnlyWhenAsked() throws Exception {
        PodCgroup cg = cgroups.create(pod, CgroupLimits.NONE);
        sleeper = new ProcessBuilder("sleep", "1000").start();
        for (Path procs : cg.procsFiles()) {
            Files.writeString(procs, Long.toString(sleeper.pid()));
        }
        assertEquals(List.of((int) sleeper.pid()), cg.pids());

        KernelException busy = assertThrows(KernelException.class, () -> cg.remove(false));
        assertEquals(Errno.EBUSY, busy.errno());
        assertTrue(busy.getMessage().contains("[" + sleeper.pid() + "]"), busy.getMessage());

        cg.remove(true);
        assertFalse(cg.exists());
        assertTrue(sleeper.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, sleeper.exitValue());
    }
}
