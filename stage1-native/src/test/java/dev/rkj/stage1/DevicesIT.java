package dev.rkj.stage1;

import static dev.rkj.stage1.PodFixture.sh;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.CgroupLimits;
import dev.rkj.stage1.cgroup.DeviceRule;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The device cgroup and the pids limit of real pods. A pod may make any device node (root in a
 * pod keeps CAP_MKNOD) but open only the standard ones: the attack it stops is
 * {@code mknod /dev/l b 7 0}, then reading and writing the host's loop device.
 */
@ExtendWith(LeakCheck.class)
class DevicesIT {
    /** Opens the standard devices, then makes and opens host devices; every line says what happened. Apps share /dev. */
    private static final String PROBE = "exec 2>&1\n"
            + "for d in null zero full random urandom ptmx; do"
            + "  if dd if=/dev/$d of=/dev/null count=0; then echo open $d ok; else echo open $d refused; fi; done\n"
            + "echo hi > /dev/null && echo write null ok\n"
            + "busybox mknod /dev/l-$AC_APP_NAME b 7 0 && echo mknod loop ok\n"
            + "busybox mknod /dev/m-$AC_APP_NAME c 1 1 && echo mknod mem ok\n"
            + "if dd if=/dev/l-$AC_APP_NAME of=/dev/null count=1; then echo read loop ok; else echo read loop refused; fi\n"
            + "if echo x > /dev/l-$AC_APP_NAME; then echo write loop ok; else echo write loop refused; fi\n"
            + "if dd if=/dev/m-$AC_APP_NAME of=/dev/null count=1; then echo read mem ok; else echo read mem refused; fi\n";

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

    @AfterEach
    void tearDown() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aDefaultPodOpensTheStandardDevicesButNoHostDeviceItMakesNorDoesAnAppInItsOwnCgroup() throws Exception {
        f = shared.pod();
        RunningPod pod = f.start(f.plan().app(sh("main", PROBE).build()).app(sh("own", PROBE).build()).build(),
                CgroupLimits.NONE, Map.of("own", CgroupLimits.NONE.withPids(100)));
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        assertProbeRefusedHostDevices(f.log("main"));
        assertProbeRefusedHostDevices(f.log("own"));
        CgroupLayout layout = shared.cgroups.layout();
        if (layout.mode().usesV1Controllers()) {
            Path devices = layout.controller("devices").orElseThrow();
            Path dir = pod.cgroup().dirs().stream().filter(d -> d.startsWith(devices)).findFirst().orElseThrow();
            assertEquals(DeviceRule.STANDARD.stream().map(DeviceRule::v1Line).collect(Collectors.toSet()),
                    Set.copyOf(Files.readAllLines(dir.resolve("devices.list"))));
        }
    }

    @Test
    void inCgroup2TheBpfDeviceProgramAloneRefusesHostDevices() throws Exception {
        Path unified = shared.cgroups.layout().unified();
        Privileged.require(unified != null, "no cgroup2 mount: a BPF device program has nowhere to attach");
        // only the host's cgroup2 hierarchy: no v1 devices cgroup helps here
        PodFixture.Shared v2 = new PodFixture.Shared(CgroupLayout.v2(unified));
        try {
            f = v2.pod();
            RunningPod pod = f.start(f.plan().app(sh("main", PROBE).build()).build());
            assertEquals(ExitStatus.exited(0), f.awaitExit());

            assertEquals(List.of(unified.resolve(TestRun.cgroupParent()).resolve(f.uuid)), pod.cgroup().dirs());
            assertProbeRefusedHostDevices(f.log("main"));
            assertEquals(0, bpfProgramFdsOfThisJvm(), "the program's fd is closed once attached");
        } finally {
            if (f != null) {
                f.close();
                f = null;
            }
            v2.close();
        }
    }

    @Test
    void aPodAtItsPidsLimitCannotForkButStaysControllableAndEndsCleanly() throws Exception {
        Path pidsRoot = shared.cgroups.layout().controller("pids").orElse(null);
        Privileged.require(pidsRoot != null || !shared.cgroups.layout().mode().usesV1Controllers(),
                "the pids controller is not mounted");
        f = shared.pod();
        RunningPod pod = f.start(f.plan().app(sh("main", "exec 2>&1\n"
                + "(i=0; while [ $i -lt 200 ]; do sleep 1000 & i=$((i+1)); done)\n"
                + "echo forks-stopped\n"
                + "exec sleep 1000").build()).build(), CgroupLimits.NONE.withPids(64));
        await().atMost(Duration.ofSeconds(30)).until(() -> f.log("main").contains("forks-stopped"));

        assertTrue(f.log("main").contains("can't fork"), f.log("main"));
        int inPod = pod.cgroup().pids().size();
        assertTrue(inPod <= 64 && inPod > 32, "processes in the pod: " + inPod);

        pod.process().signal(Kernel.SIGTERM); // forwarded to the app; the pod ends with it
        assertEquals(ExitStatus.killed(15), f.awaitExit());
        await().atMost(Duration.ofSeconds(30)).until(() -> pod.cgroup().pids().isEmpty());
        f.close();
        f = null;
        assertTrue(!pod.cgroup().exists(), "the pod's cgroups are removed");
    }

    @Test
    void aProgramTheVerifierRefusesFailsWithTheVerifiersWords() {
        byte[] noExit = {(byte) 0xb7, 0, 0, 0, 0, 0, 0, 0}; // r0 = 0, and no exit
        KernelException e = assertThrows(KernelException.class, () -> LinuxKernel.get().bpfLoadDeviceProgram(noExit));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("bpf `cgroup device program of 1 instructions`: EINVAL")
                && e.getMessage().contains("the verifier said: "), e.getMessage());
    }

    private static void assertProbeRefusedHostDevices(String log) {
        for (String ok : List.of("open null ok", "open zero ok", "open full ok", "open random ok", "open urandom ok",
                "open ptmx ok", "write null ok", "mknod loop ok", "mknod mem ok", "read loop refused",
                "write loop refused", "read mem refused")) {
            assertTrue(log.lines().anyMatch(ok::equals), "no `" + ok + "` in:\n" + log);
        }
        assertTrue(log.matches("(?s).*can't open '/dev/l-[a-z]+': Operation not permitted.*"), log);
    }

    /** Open fds of this JVM that are BPF programs. */
    private static long bpfProgramFdsOfThisJvm() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("anon_inode:bpf-prog");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }
}
