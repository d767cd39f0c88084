package dev.rkj.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Stage1PlanWriterTest {
    private final Stage1PlanWriter writer = new Stage1PlanWriter();

    private static Stage1Plan.Builder pod() {
        return Stage1Plan.builder("u-1", Path.of("/var/lib/rkj/pods/u-1"), Path.of("/var/lib/rkj/pods/u-1/rootfs"));
    }

    @Test
    void writesPodKeysThenOneSectionPerApp() {
        Stage1Plan plan = pod().hostname("web").cgroupProcs(List.of(Path.of("/sys/fs/cgroup/memory/rkj/u-1/cgroup.procs")))
                .app(Stage1Plan.App.builder("web", "/bin/httpd", "-f").env("PORT", "80").user("www").group("www")
                        .supplementaryGroup("10").workingDirectory("/srv")
                        .capabilities(EnumSet.of(Capability.CAP_NET_BIND_SERVICE, Capability.CAP_CHOWN))
                        .noNewPrivileges(true).seccomp(false).readOnlyRoot(true)
                        .preStart(List.of("/bin/prepare", "--db")).postStop(List.of("/bin/cleanup"))
                        .mount(new Stage1Plan.Mount(Path.of("/var/lib/rkj/pods/u-1/volumes/data"), "/var/data", false, true))
                        .mount(new Stage1Plan.Mount(Path.of("/etc/host conf"), "/etc/conf", true, false)).build())
                .app(Stage1Plan.App.builder("log", "tail").build())
                .mdsRelay(new Stage1Plan.MdsRelay(18112, Path.of("/run/rkj/mds.sock")))
                .stopGraceMillis(2500)
                .build();
        assertEquals("""
                version 5
                uuid u-1
                pod_dir /var/lib/rkj/pods/u-1
                rootfs /var/lib/rkj/pods/u-1/rootfs
                hostname web
                net private
                interactive 0
                masked_paths 1
                signal_base 128
                log_max_size 8388608
                stop_grace_ms 2500
                cgroup_procs /sys/fs/cgroup/memory/rkj/u-1/cgroup.procs
                mds_port 18112
                mds_socket /run/rkj/mds.sock
                app web
                root /
                arg /bin/httpd
                arg -f
                env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
                env AC_APP_NAME=web
                env container=rkj
                env PORT=80
                user www
                group www
                supp_group 10
                workdir /srv
                caps 0,10
                no_new_privs 1
                seccomp 0
                readonly_root 1
                pre_start /bin/prepare
                pre_start --db
                post_stop /bin/cleanup
                mount /var/lib/rkj/pods/u-1/volumes/data
                mount_target /var/data
                mount_readonly 0
                mount_recursive 1
                mount /etc/host conf
                mount_target /etc/conf
                mount_readonly 1
                mount_recursive 0
                app log
                root /
                arg tail
                env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
                env AC_APP_NAME=log
                env container=rkj
                workdir /
                caps 0,1,3,4,5,6,7,8,10,13,18,27,29,31
                no_new_privs 0
                seccomp 1
                readonly_root 0
                """, writer.format(plan));
    }

    @Test
    void writesASeccompSetSortedWithItsErrnoAndBaseAndTheOomScoreAdjustment() {
        Stage1Plan plan = pod().app(Stage1Plan.App.builder("a", "x").oomScoreAdj(-500)
                .seccomp(Stage1Plan.Seccomp.retain(List.of("write", "read", "write"), 95, true)).build())
                .app(Stage1Plan.App.builder("b", "x").seccomp(Stage1Plan.Seccomp.remove(List.of("reboot"), 0, false)).build())
                .build();
        String text = writer.format(plan);
        assertTrue(text.contains("""
                seccomp retain
                seccomp_base 1
                seccomp_errno 95
                syscall read
                syscall write
                oom_score_adj -500
                readonly_root 0
                app b
                """), text);
        assertTrue(text.contains("\nseccomp remove\nseccomp_base 0\nseccomp_errno 0\nsyscall reboot\n"), text);
        assertThrows(IllegalArgumentException.class, () -> Stage1Plan.Seccomp.remove(List.of("Reboot"), 1, true));
        assertThrows(IllegalArgumentException.class, () -> Stage1Plan.App.builder("a", "x").oomScoreAdj(1001).build());
    }

    @Test
    void writesEveryDefaultSoStage1NeedsNone() {
        String text = writer.format(pod().app(Stage1Plan.App.builder("a", "x").env("PATH", "/opt/bin").build()).build());
        assertTrue(text.contains("\nhostname rkj-u-1\n"), text);
        assertTrue(text.contains("\nsignal_base " + ExitStatus.SIGNAL_BASE + "\n"), text);
        assertTrue(text.contains("\nenv PATH=/opt/bin\n"), text);
        assertTrue(!text.contains("env PATH=/usr"), "the app's own PATH replaces the default: " + text);
        assertTrue(text.contains("\ncaps "), text);
    }

    @Test
    void privateUsersAreTwoPodKeysReadBackFromThePlanFileAndARangeOutOfBoundsIsRefused(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Stage1Plan.PrivateUsers users = new Stage1Plan.PrivateUsers(1L << 24, 65536);
        String text = writer.format(pod().privateUsers(users).app(Stage1Plan.App.builder("a", "x").build()).build());
        assertTrue(text.contains("\nuid_shift 16777216\nuid_count 65536\napp a\n"), text);
        java.nio.file.Files.writeString(dir.resolve("plan"), text);
        assertEquals(java.util.Optional.of(users), Stage1PlanWriter.privateUsers(dir.resolve("plan")));
        assertEquals(java.util.Optional.empty(), Stage1PlanWriter.privateUsers(dir.resolve("absent")));
        assertTrue(!writer.format(pod().app(Stage1Plan.App.builder("a", "x").build()).build()).contains("uid_"));
        assertEquals(16777216 + 7, users.host(7));
        for (long[] bad : new long[][] {{0, 65536}, {65535, 65536}, {1L << 24, 0}, {1L << 24, 65537}, {0xFFFF_0000L + 1, 65536}}) {
            assertThrows(IllegalArgumentException.class, () -> new Stage1Plan.PrivateUsers(bad[0], bad[1]));
        }
    }

    @Test
    void maskedPathsCanBeTurnedOffForThePod() {
        Stage1Plan plan = pod().maskPaths(false).app(Stage1Plan.App.builder("a", "x").build()).build();
        assertTrue(writer.format(plan).contains("\nmasked_paths 0\n"));
    }

    @Test
    void escapesBackslashesAndNewlinesInValues() {
        Stage1Plan plan = pod().app(Stage1Plan.App.builder("a", "sh", "-c", "echo a\\b\nexit 3").build()).build();
        assertTrue(writer.format(plan).contains("arg echo a\\\\b\\nexit 3\n"));
    }

    @Test
    void refusesNulBytesNamingTheKey() {
        Stage1Plan plan = pod().app(Stage1Plan.App.builder("a", "x\0y").build()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> writer.format(plan));
        assertTrue(e.getMessage().contains("`arg`"), e.getMessage());
    }

    @Test
    void emptyCapabilitySetIsWrittenAsNoneNotAsTheDefault() {
        Stage1Plan plan = pod().app(Stage1Plan.App.builder("a", "x").capabilities(EnumSet.noneOf(Capability.class)).build()).build();
        assertTrue(writer.format(plan).contains("\ncaps \n"));
    }

    @Test
    void appNamesMustBeFileSafe() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Stage1Plan.App.builder("example.com/web", "x").build());
        assertTrue(e.getMessage().contains("no '/'"));
    }

    @Test
    void anInteractivePodHasOneApp() {
        assertThrows(IllegalArgumentException.class, () -> pod().interactive(true)
                .app(Stage1Plan.App.builder("a", "x").build()).app(Stage1Plan.App.builder("b", "x").build()).build());
    }

    @Test
    void writesThePlanFileAtomicallyIntoThePodDir(@TempDir Path podDir) throws Exception {
        Stage1Plan plan = Stage1Plan.builder("u", podDir, podDir.resolve("rootfs"))
                .app(Stage1Plan.App.builder("a", "x").build()).build();
        Path file = writer.write(plan);
        assertEquals(podDir.resolve("stage1-plan"), file);
        assertEquals(writer.format(plan), Files.readString(file));
        try (var s = Files.list(podDir)) {
            assertEquals(List.of(file), s.toList());
        }
    }

    @Test
    void defaultRetainSetIsAppcsFourteen() {
        assertEquals(14, Capability.DEFAULT_RETAIN_SET.size());
        assertEquals(0xa80425fbL, Capability.mask(Capability.DEFAULT_RETAIN_SET));
    }
}
