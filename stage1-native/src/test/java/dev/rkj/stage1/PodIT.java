package dev.rkj.stage1;

import static dev.rkj.stage1.PodFixture.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.cgroup.CgroupLimits;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real pods: overlay rootfs, v1/v2 cgroups, rkj-stage1 namespaces. rkj-stage1 is the pod's
 * PID 1 (it reaps and reports); the first app is PID 2 of the pod's PID namespace.
 */
@ExtendWith(LeakCheck.class)
class PodIT {
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
    void theAppIsPid2UnderStage1InItsOwnNamespacesWithItsOwnHostname() throws Exception {
        f.start(f.plan().app(sh("main", "echo pid $$; echo hostname $(hostname);"
                + " for n in pid mnt uts ipc net cgroup; do echo ns $n $(readlink /proc/self/ns/$n); done;"
                + " echo procs $(ls /proc | grep '^[0-9]');"
                + " echo parent $(cat /proc/1/cmdline | tr '\\0' ' ')").build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        Map<String, String> out = lines(f.log("main"));
        assertEquals("2", out.get("pid"));
        assertEquals("rkj-" + f.uuid, out.get("hostname"));
        for (String ns : List.of("pid", "mnt", "uts", "ipc", "net", "cgroup")) {
            String host = Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)).toString();
            assertFalse(out.get("ns " + ns).equals(host), ns + " namespace is the host's: " + host);
        }
        Set<Integer> procs = Stream.of(out.get("procs").split(" ")).map(Integer::valueOf).collect(Collectors.toSet());
        assertTrue(procs.contains(1) && procs.contains(2) && procs.stream().allMatch(p -> p < 20),
                "the pod sees host processes: " + procs);
        assertTrue(out.get("parent").startsWith("rkj-stage1 run"), out.get("parent"));
    }

    @Test
    void thePodHasAnEtcHostsAndHostnameInItsUpperLayerAndOnTheHostsNetworkTheHostsResolvConf() throws Exception {
        String script = "cat /etc/hostname /etc/hosts; echo ---; cat /etc/resolv.conf 2>&1; true";
        f.start(f.plan().hostname("web").app(sh("main", script).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        String priv = f.log("main");
        assertTrue(priv.startsWith("web\n127.0.0.1\tlocalhost\n"), priv);
        assertTrue(priv.contains("127.0.1.1\tweb\n---\n"), priv);
        assertTrue(priv.contains("No such file"), "a private network gets no resolv.conf: " + priv);
        assertTrue(Files.exists(new PodDir(f.podDir).upperDir().resolve("etc/hosts")), "written into the upper layer");
        assertFalse(Files.exists(shared.lower.resolve("etc/hosts")), "the image's tree was written to");
        f.close();

        f = shared.pod();
        f.start(f.plan().net(Stage1Plan.NetMode.HOST).app(sh("main", script).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        String host = f.log("main");
        assertEquals("rkj-" + f.uuid + "\n" + Files.readString(Path.of("/etc/hosts")) + "---\n"
                + Files.readString(Path.of("/etc/resolv.conf")), host);
    }

    @Test
    void thePodSeesOnlyItsOwnMounts() throws Exception {
        f.start(f.plan().maskPaths(false).app(sh("main", "cat /proc/self/mountinfo").build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        Set<String> mountPoints = f.log("main").lines().map(l -> l.split(" ")[4])
                .filter(p -> !p.startsWith("/sys/fs/cgroup/")).collect(Collectors.toSet()); // see PodBoundaryIT
        assertEquals(Set.of("/", "/proc", "/sys", "/sys/fs/cgroup", "/dev", "/dev/pts", "/dev/shm"), mountPoints);
    }

    @Test
    void startedReportsHostPidsOfTheAppAndThePodsPid1() throws Exception {
        RunningPod pod = f.start(f.plan().app(Stage1Plan.App.builder("main", "sleep", "1000").build()).build());
        Started started = pod.process().started().get();
        int app = started.appPids().get("main");
        assertEquals(List.of(String.valueOf(app), "2"), nsPids(app));
        assertEquals(List.of(String.valueOf(started.podPid()), "1"), nsPids(started.podPid()));
        assertEquals(String.valueOf(started.podPid()), Files.readString(f.podDir.resolve("pid")).trim());

        pod.process().signal(Kernel.SIGTERM); // forwarded to the app
        assertEquals(ExitStatus.killed(15), f.awaitExit());
    }

    @Test
    void aPodStartedFromASpareStage1RunsAsAnyAndTheSpareEndsWithItsLauncher() throws Exception {
        Stage1Launcher.Output out = new Stage1Launcher.Output(f.podDir.resolve("stage1.out"), f.podDir.resolve("stage1.err"));
        try (Stage1Launcher launcher = new Stage1Launcher(PodFixture.KERNEL, shared.binary, true);
             PodFixture zeroth = shared.pod();
             PodFixture second = shared.pod()) {
            // no spare after the launcher's first pod (a one-shot command launches one), one after the next
            zeroth.start(zeroth.plan().app(sh("main", "true").build()).build(), launcher, out);
            assertEquals(ExitStatus.exited(0), zeroth.awaitExit());
            f.start(f.plan().app(sh("main", "true").build()).build(), launcher, out);
            assertEquals(ExitStatus.exited(0), f.awaitExit());
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> spares().size() == 1); // spawned once it started
            long spare = spares().get(0);

            RunningPod pod = second.start(second.plan().app(sh("main", "echo pid $$; cat /proc/1/cmdline").build()).build(),
                    launcher, out);
            assertEquals(spare, pod.process().pid(), "the second pod's stage1 is the spare");
            assertEquals(ExitStatus.exited(0), second.awaitExit());
            assertEquals("pid 2\nrkj-stage1\0run", second.log("main").replaceAll("\u0000+$", "").strip(),
                    "PID 1 names no host path, the plan's neither");
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> spares().size() == 1 && spares().get(0) != spare);
        }
        assertEquals(List.of(), spares(), "closing the launcher ends its spare");
    }

    /** This JVM's children that are spare stage1s ({@code rkj-stage1 run -}). */
    private static List<Long> spares() {
        return ProcessHandle.current().children().filter(p -> {
            try {
                return new String(Files.readAllBytes(Path.of("/proc/" + p.pid() + "/cmdline")))
                        .equals(shared.binary + "\0run\0-\0");
            } catch (java.io.IOException e) {
                return false; // ended meanwhile
            }
        }).map(ProcessHandle::pid).toList();
    }

    private static List<String> nsPids(int hostPid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + hostPid + "/status"))) {
            if (line.startsWith("NSpid:")) {
                return List.of(line.substring(6).trim().split("\\s+"));
            }
        }
        throw new AssertionError("no NSpid for " + hostPid);
    }

    @Test
    void writesInThePodLandInTheUpperDirNeverInTheLowerTree() throws Exception {
        f.start(f.plan().app(sh("main", "echo hi > /written && rm /bin/true").build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        Path upper = new PodDir(f.podDir).upperDir();
        assertEquals("hi\n", Files.readString(upper.resolve("written")));
        assertFalse(Files.exists(shared.lower.resolve("written")));
        assertTrue(Files.exists(shared.lower.resolve("bin/true"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(upper.resolve("bin/true"), LinkOption.NOFOLLOW_LINKS), "no whiteout in the upper dir");
    }

    static Stream<Arguments> exits() {
        return Stream.of(Arguments.of("exit 0", ExitStatus.exited(0)), Arguments.of("exit 7", ExitStatus.exited(7)),
                Arguments.of("kill -9 $$", ExitStatus.killed(9)));
    }

    @ParameterizedTest
    @MethodSource("exits")
    void exitStatusesComeBackExactlyAlsoFromTheStatusFile(String script, ExitStatus expected) throws Exception {
        RunningPod pod = f.start(f.plan().app(sh("main", script).build()).build());
        assertEquals(expected, f.awaitExit());
        assertEquals(expected, pod.process().appExit("main").get());
        assertFalse(pod.cgroup().oomKilled());
        // a JVM that never saw this pod (restarted) learns the same from the pod dir
        assertEquals(expected, ExitStatus.read(f.podDir, "main").orElseThrow());
        assertFalse(PodLock.isHeld(f.podDir));
        assertFalse(pod.process().isAlive());
    }

    @Test
    void sigkillEndsTheWholePodAndLeavesNoZombie() throws Exception {
        RunningPod pod = f.start(f.plan().app(sh("main", "sleep 1000 & sleep 1000").build()).build());
        Started started = pod.process().started().get();
        pod.process().signal(Kernel.SIGKILL);
        assertEquals(ExitStatus.killed(9), f.awaitExit());
        assertEquals(ExitStatus.killed(9), pod.process().appExit("main").get());
        // the pod's PID 1 was reaped by stage1, not orphaned: its pid is gone, not a zombie
        assertFalse(Files.exists(Path.of("/proc/" + started.podPid())), "pod PID 1 is left as a zombie");
        assertEquals(List.of(), pod.cgroup().pids());
    }

    @Test
    void aRestartedEngineCanTearDownAPodItDidNotStart() throws Exception {
        RunningPod pod = f.start(f.plan().app(Stage1Plan.App.builder("main", "true").build()).build());
        f.awaitExit();
        PodStarter fresh = new PodStarter(new dev.rkj.stage1.overlay.Overlay(PodFixture.KERNEL), shared.cgroups,
                new Stage1Launcher(PodFixture.KERNEL, shared.binary));
        fresh.tearDown(f.uuid, f.rootfs);
        fresh.tearDown(f.uuid, f.rootfs); // again: done already
        assertFalse(shared.overlay.isMounted(f.rootfs));
        assertFalse(pod.cgroup().exists());
    }

    @Test
    void theLockIsHeldWhileThePodRunsAndFreeAfter() throws Exception {
        RunningPod pod = f.start(f.plan().app(Stage1Plan.App.builder("main", "sleep", "1000").build()).build());
        assertTrue(PodLock.isHeld(f.podDir));
        assertTrue(pod.process().isAlive());
        assertTrue(ExitStatus.read(f.podDir, "main").isEmpty());
        pod.process().signal(Kernel.SIGTERM);
        f.awaitExit();
        assertFalse(PodLock.isHeld(f.podDir));
        assertEquals(ExitStatus.killed(15), ExitStatus.read(f.podDir, "main").orElseThrow());
    }

    @Test
    void aMemoryLimitKillsAPodThatAllocatesMoreAndReportsOom() throws Exception {
        RunningPod pod = f.start(f.plan().app(Stage1Plan.App.builder("main", "dd", "if=/dev/zero", "of=/dev/null",
                "bs=64M", "count=1").build()).build(), CgroupLimits.NONE.withMemory(16L << 20));
        assertEquals(ExitStatus.killed(9), f.awaitExit());
        assertTrue(pod.cgroup().oomKilled());
    }

    @Test
    void envUserGroupsWorkdirCapabilitiesAndOomScoreMatchThePlan() throws Exception {
        String probe = "id; pwd; echo GREETING=$GREETING; echo AC_APP_NAME=$AC_APP_NAME; echo PATH=$PATH;"
                + " grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status; echo OOM=$(cat /proc/self/oom_score_adj)";
        int inherited = Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).trim());
        Set<Capability> two = EnumSet.of(Capability.CAP_NET_BIND_SERVICE, Capability.CAP_KILL);
        f.start(f.plan()
                .app(sh("user", probe).user("app").group("app").supplementaryGroup("extra").workingDirectory("/home/app")
                        .env("GREETING", "hello").noNewPrivileges(true).oomScoreAdj(500).build())
                .app(sh("two-caps", probe).user("0").group("0").capabilities(two).oomScoreAdj(200).build())
                .app(sh("default-caps", probe).build())
                .build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        Map<String, String> user = fields(f.log("user"));
        assertTrue(f.log("user").startsWith("uid=1000(app) gid=1000(app) groups=2000(extra)\n/home/app\n"), f.log("user"));
        assertEquals("hello", user.get("GREETING"));
        assertEquals("user", user.get("AC_APP_NAME"));
        assertEquals("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", user.get("PATH"));
        assertEquals(Capability.mask(Capability.DEFAULT_RETAIN_SET), hex(user.get("CapBnd")));
        assertEquals(0, hex(user.get("CapEff")), "a non-root app keeps no effective capability");
        assertEquals("1", user.get("NoNewPrivs"));
        assertEquals("500", user.get("OOM"), "os/linux/oom-score-adj, set before the app drops root");

        Map<String, String> root = fields(f.log("two-caps"));
        assertEquals(Capability.mask(two), hex(root.get("CapBnd")));
        assertEquals(Capability.mask(two), hex(root.get("CapEff")));
        assertEquals("0", root.get("NoNewPrivs"));
        assertEquals("200", root.get("OOM"));

        Map<String, String> def = fields(f.log("default-caps"));
        assertEquals(Capability.mask(Capability.DEFAULT_RETAIN_SET), hex(def.get("CapEff")));
        assertEquals(Integer.toString(inherited), def.get("OOM"), "no oom_score_adj: the app inherits it");
        assertTrue(f.log("default-caps").startsWith("uid=0(root) gid=0(root)\n/\n"), f.log("default-caps"));
    }

    @Test
    void anAppWithItsOwnLimitsRunsInACgroupBelowThePods() throws Exception {
        String script = "cat /proc/self/cgroup; while [ ! -e /go ]; do sleep 0.05; done";
        RunningPod pod = f.start(f.plan().app(sh("limited", script).build()).app(sh("free", script).build()).build(),
                CgroupLimits.NONE.withPids(100), Map.of("limited", CgroupLimits.NONE.withPids(5)));
        Map<String, Integer> pids = pod.process().started().get().appPids();
        String podPath = pod.cgroup().dirs().get(0).getFileName().toString();
        Map<String, String> limited = controllers(Files.readString(Path.of("/proc/" + pids.get("limited") + "/cgroup")));
        Map<String, String> free = controllers(Files.readString(Path.of("/proc/" + pids.get("free") + "/cgroup")));
        Files.writeString(f.rootfs.resolve("go"), ""); // through the overlay: the apps may end
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        String pidsController = shared.cgroups.layout().mode().usesV1Controllers() ? "pids" : "";
        assertTrue(limited.get(pidsController).endsWith("/" + podPath + "/limited"), limited.toString());
        assertTrue(free.get(pidsController).endsWith("/" + podPath + (pidsController.isEmpty() ? "/stage1.rkj" : "")),
                free.toString());
        for (String app : List.of("limited", "free")) {
            assertTrue(controllers(f.log(app)).values().stream().allMatch("/"::equals),
                    app + " sees a host cgroup path instead of its cgroup namespace's root: " + f.log(app));
        }
    }

    /** /proc/self/cgroup: controllers to path ("" for cgroup2). */
    private static Map<String, String> controllers(String procSelfCgroup) {
        Map<String, String> m = new HashMap<>();
        for (String line : procSelfCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            for (String c : f[1].split(",")) {
                m.put(c, f[2]);
            }
        }
        return m;
    }

    @Test
    void argumentsKeepTheirNewlinesAndBackslashesThroughThePlan() throws Exception {
        f.start(f.plan().app(sh("main", "printf '%s\\n' 'back\\slash'\necho second-line").build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        assertEquals("back\\slash\nsecond-line\n", f.log("main"));
    }

    @Test
    void appOutputIsLoggedAndForwardedToStage1sStdoutAndStderr() throws Exception {
        f.start(f.plan().app(sh("main", "echo to-out; echo to-err >&2").build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        assertEquals(Set.of("to-out", "to-err"), Set.copyOf(f.log("main").lines().toList()));
        assertEquals("to-out\n", Files.readString(f.podDir.resolve("stage1.out")));
        assertEquals("to-err\n", Files.readString(f.podDir.resolve("stage1.err")));
    }

    private static final java.util.regex.Pattern RECORD = java.util.regex.Pattern.compile(
            "(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z) (stdout|stderr) ([FP]) ([^\\n]*)");

    /** The content of {@code records} of {@code stream}, each checked to be a well formed CRI record. */
    private static String content(List<String> records, String stream) {
        StringBuilder out = new StringBuilder();
        for (String line : records) {
            java.util.regex.Matcher m = RECORD.matcher(line);
            assertTrue(m.matches(), "a well formed record: " + line);
            java.time.Instant.parse(m.group(1));
            if (m.group(2).equals(stream)) {
                out.append(m.group(4)).append(m.group(3).equals("F") ? "\n" : "");
            }
        }
        return out.toString();
    }

    @Test
    void logsAreCriRecordsOfBothStreamsWithPartialLines() throws Exception {
        f.start(f.plan().app(sh("main", "echo out-1; echo err-1 >&2; printf 'no '; echo newline; printf tail").build())
                .build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        List<String> records = f.records("main");
        assertEquals("out-1\nno newline\ntail", content(records, "stdout"));
        assertEquals("err-1\n", content(records, "stderr"));
        assertTrue(records.get(records.size() - 1).endsWith(" stdout P tail")
                || records.get(records.size() - 2).endsWith(" stdout P tail"), "the last part has no end: " + records);
        assertFalse(Files.exists(f.podDir.resolve("logs/main.1")), "far below the cap: no rotation");
    }

    @Test
    void logsAreRotatedAtTheCapSoAnAppsLogsNeverPassTwiceIt() throws Exception {
        long cap = Stage1Plan.MIN_LOG_MAX_SIZE;
        String longLine = "x".repeat(10000);
        f.start(f.plan().logMaxSize(cap).app(sh("main", String.join("\n",
                "i=0; while [ $i -lt 300 ]; do echo out-$i; i=$((i+1)); done",
                "head -c 10000 /dev/zero | tr '\\0' x; echo", // one line longer than the cap
                "printf tail")).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        Path log = f.podDir.resolve("logs/main");
        Path rotated = f.podDir.resolve("logs/main.1");
        assertTrue(Files.size(log) <= cap && Files.size(rotated) <= cap,
                "each file under the cap: " + Files.size(log) + ", " + Files.size(rotated));
        List<String> records = f.records("main");
        String kept = content(records, "stdout");
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            all.append("out-").append(i).append('\n');
        }
        all.append(longLine).append("\ntail");
        assertTrue(kept.length() > 2000 && all.toString().endsWith(kept),
                "the newest output is kept whole: " + kept.substring(0, Math.min(80, kept.length())));
        assertTrue(records.stream().anyMatch(r -> r.contains(" stdout P x")), "the long line is split into parts");
        assertTrue(records.get(records.size() - 1).endsWith(" stdout P tail"));
        String forwarded = Files.readString(f.podDir.resolve("stage1.out"));
        assertEquals(all.toString(), forwarded, "the forward to stage1's stdout stays raw and whole");
    }

    @Test
    void aMissingBinaryFailsWithTheCallAndPathAndLeavesNothing() throws Exception {
        Stage1Exception e = assertThrows(Stage1Exception.class,
                () -> f.start(f.plan().app(Stage1Plan.App.builder("main", "/bin/nope").build()).build()));
        assertEquals("execve", e.call());
        assertEquals("/bin/nope", e.path());
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("execve `/bin/nope`: ENOENT"), e.getMessage());
        assertTrue(f.nothingLeft());
        assertTrue(ExitStatus.read(f.podDir, "main").isEmpty(), "a failed exec is not an app exit");
    }

    @Test
    void whenALaterAppCannotStartTheEarlierOnesAreKilledAndNothingIsLeft() throws Exception {
        Stage1Plan plan = f.plan().app(Stage1Plan.App.builder("first", "sleep", "1000").build())
                .app(Stage1Plan.App.builder("second", "/bin/nope").build()).build();
        shared.overlay.mount(shared.lower, new PodDir(f.podDir).upperDir(), new PodDir(f.podDir).workDir(), f.rootfs);
        Stage1Process p = new Stage1Launcher(PodFixture.KERNEL, shared.binary).launch(plan,
                new Stage1Launcher.Output(f.podDir.resolve("stage1.out"), f.podDir.resolve("stage1.err")));
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> p.exit().get());
        assertEquals("execve", assertInstanceOf(Stage1Exception.class, e.getCause()).call());
        assertEquals(ExitStatus.killed(9), p.appExit("first").get());
        assertTrue(p.appExit("second").isCompletedExceptionally(), "an app that never ran has no exit status");
        shared.overlay.unmount(f.rootfs);
        assertTrue(f.nothingLeft());
    }

    @Test
    void aBadUserNameFailsWithTheCallAndPathAndLeavesNothing() throws Exception {
        Stage1Exception e = assertThrows(Stage1Exception.class,
                () -> f.start(f.plan().app(Stage1Plan.App.builder("main", "true").user("nosuch").build()).build()));
        assertEquals("lookup", e.call());
        assertEquals("/etc/passwd", e.path());
        assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
        assertTrue(f.nothingLeft());
    }

    @Test
    void anUnwritableLogDirFailsWithTheCallAndPathAndLeavesNothing() throws Exception {
        Path logs = Files.createDirectories(f.podDir.resolve("logs"));
        PodFixture.KERNEL.mount("tmpfs", logs, "tmpfs", Kernel.MS_RDONLY, null);
        Stage1Exception e;
        try {
            e = assertThrows(Stage1Exception.class,
                    () -> f.start(f.plan().app(Stage1Plan.App.builder("main", "true").build()).build()));
        } finally {
            PodFixture.KERNEL.umount2(logs, 0);
        }
        assertEquals("open", e.call());
        assertEquals(logs.resolve("main").toString(), e.path());
        assertEquals(Errno.EROFS, e.errno());
        assertTrue(f.nothingLeft());
    }

    @Test
    void enterRunsACommandInsideTheRunningPodAndPassesItsStatus() throws Exception {
        RunningPod pod = f.start(f.plan().app(Stage1Plan.App.builder("main", "sleep", "1000").user("app").build()).build());
        Process enter = new ProcessBuilder(shared.binary.toString(), "enter", f.podDir.toString(), "--",
                "sh", "-c", "hostname; id -u; echo $(ls /proc | grep '^[0-9]' | wc -l);"
                        + " cat /proc/self/cgroup /proc/1/cgroup; exit 5")
                .redirectErrorStream(true).start();
        String out = new String(enter.getInputStream().readAllBytes());
        assertEquals(5, enter.waitFor());
        List<String> lines = out.lines().toList();
        assertEquals("rkj-" + f.uuid, lines.get(0), out);
        assertEquals("1000", lines.get(1), "enter runs as the app's user");
        assertTrue(Integer.parseInt(lines.get(2).trim()) < 10, "enter sees the pod's processes only: " + out);
        // in a cgroup namespace rooted where it joined: the pod's cgroups, where PID 1 is too
        assertTrue(lines.subList(3, lines.size()).stream().allMatch(l -> l.endsWith(":/")),
                "enter joins the pod's cgroups: " + out);
        pod.process().signal(Kernel.SIGTERM);
        f.awaitExit();
    }

    @Test
    void enterRefusesAPodThatIsNotRunning() throws Exception {
        f.start(f.plan().app(Stage1Plan.App.builder("main", "true").build()).build());
        f.awaitExit();
        Process enter = new ProcessBuilder(shared.binary.toString(), "enter", f.podDir.toString(), "--", "true")
                .redirectErrorStream(true).start();
        String out = new String(enter.getInputStream().readAllBytes());
        assertEquals(254, enter.waitFor());
        assertTrue(out.contains("not running"), out);
    }

    // ---- volumes, read-only roots, hooks and the pod's end (plan version 4) ----

    private Stage1Plan.Mount volume(Path source, String target, boolean readOnly) {
        return new Stage1Plan.Mount(source, target, readOnly, true);
    }

    @Test
    void twoAppsShareAnEmptyVolumeAndHostVolumesAreReadOnlyOrWritableAsPlanned() throws Exception {
        Path shared = Files.createDirectories(f.podDir.resolve("volumes/shared"));
        Path ro = Files.createDirectories(f.podDir.resolve("host-ro"));
        Path rw = Files.createDirectories(f.podDir.resolve("host-rw"));
        Files.writeString(ro.resolve("given"), "from the host\n");
        Path file = Files.writeString(f.podDir.resolve("host-file"), "one file\n");
        f.start(f.plan()
                .app(sh("writer", "echo hello > /w/msg && touch /w/done")
                        .mount(volume(shared, "/w", false)).build())
                .app(sh("reader", "while [ ! -e /r/done ]; do sleep 0.01; done; cat /r/msg;"
                        + " cat /in/given; echo x > /in/new || echo refused;"
                        + " echo written > /out/new && echo wrote; cat /etc/one-file;"
                        + " grep -E ' /(in|out|r|etc/one-file) ' /proc/self/mountinfo | cut -d' ' -f5,6 | sed 's/^/mnt /'")
                        .mount(volume(shared, "/r", false)).mount(volume(ro, "/in", true))
                        .mount(volume(rw, "/out", false)).mount(volume(file, "/etc/one-file", true)).build())
                .build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        List<String> out = f.log("reader").lines().toList();
        assertEquals(List.of("hello", "from the host"), out.subList(0, 2), f.log("reader"));
        assertTrue(out.contains("/bin/sh: can't create /in/new: Read-only file system") && out.contains("refused"),
                f.log("reader"));
        assertTrue(out.contains("wrote") && out.contains("one file"), f.log("reader"));
        Map<String, String> flags = out.stream().filter(l -> l.startsWith("mnt "))
                .collect(Collectors.toMap(l -> l.split(" ")[1], l -> l.split(" ")[2].split(",")[0]));
        assertEquals(Map.of("/r", "rw", "/in", "ro", "/out", "rw", "/etc/one-file", "ro"), flags);
        assertEquals("hello\n", Files.readString(shared.resolve("msg")), "the empty volume is the pod dir's");
        assertEquals("written\n", Files.readString(rw.resolve("new")));
        assertFalse(Files.exists(ro.resolve("new")));
        Path upper = new PodDir(f.podDir).upperDir();
        assertTrue(Files.isDirectory(upper.resolve("in")), "a missing target is made in the pod's root");
    }

    @Test
    void aSymlinkOnTheTargetPathResolvesInsideTheAppsRootNeverOutOfIt() throws Exception {
        Path outside = Files.createDirectories(f.podDir.resolve("outside"));
        Path upper = Files.createDirectories(new PodDir(f.podDir).upperDir());
        Files.createSymbolicLink(upper.resolve("abs"), outside);              // absolute: names the host's dir...
        Files.createDirectories(upper.resolve(outside.toString().substring(1))); // ...and the root's own copy of it
        Files.createSymbolicLink(upper.resolve("rel"), Path.of("../../../../../../../.."));
        Path vol = Files.createDirectories(f.podDir.resolve("volumes/v"));
        Files.writeString(vol.resolve("mark"), "volume\n");
        f.start(f.plan().app(sh("main", "cat /abs/in/mark; cat /rel/tmp/in2/mark")
                .mount(volume(vol, "/abs/in", false)).mount(volume(vol, "/rel/tmp/in2", true)).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        assertEquals("volume\nvolume\n", f.log("main"));
        try (Stream<Path> left = Files.list(outside)) {
            assertEquals(List.of(), left.toList(), "the mount escaped the app's root");
        }
        assertFalse(Files.exists(Path.of("/tmp/in2")), "the mount escaped the app's root");
        // the targets were made where the links lead inside the root: the upper dir
        assertTrue(Files.isDirectory(upper.resolve(outside.toString().substring(1)).resolve("in")));
        assertTrue(Files.isDirectory(upper.resolve("tmp/in2")));
    }

    @Test
    void aTargetThroughASymlinkToNothingIsRefusedNamingIt() throws Exception {
        Path upper = Files.createDirectories(new PodDir(f.podDir).upperDir());
        Files.createSymbolicLink(upper.resolve("dangling"), Path.of("/nowhere"));
        Path vol = Files.createDirectories(f.podDir.resolve("volumes/v"));
        Stage1Exception e = assertThrows(Stage1Exception.class, () -> f.start(f.plan()
                .app(sh("main", "true").mount(volume(vol, "/dangling/in", false)).build()).build()));
        assertEquals("mkdir", e.call());
        assertEquals(f.rootfs.resolve("dangling/in").toString(), e.path());
        assertTrue(e.getMessage().contains("`dangling` is a symlink to nothing inside the app's root"), e.getMessage());
        assertFalse(Files.exists(Path.of("/nowhere")));
    }

    @Test
    void aDirectoryVolumeOnAFileIsRefusedSayingSo() throws Exception {
        Path vol = Files.createDirectories(f.podDir.resolve("volumes/v"));
        Stage1Exception e = assertThrows(Stage1Exception.class, () -> f.start(f.plan()
                .app(sh("main", "true").mount(volume(vol, "/etc/passwd", false)).build()).build()));
        assertEquals("mount", e.call());
        assertEquals(Errno.ENOTDIR, e.errno());
        assertTrue(e.getMessage().contains("app `main`: /etc/passwd is a file, but the volume's source " + vol
                + " is a directory"), e.getMessage());
        assertTrue(f.nothingLeft());
    }

    @Test
    void aReadOnlyRootRefusesWritesButItsVolumesAndDevShmTakeThem() throws Exception {
        Path vol = Files.createDirectories(f.podDir.resolve("volumes/data"));
        f.start(f.plan().app(sh("main", "touch /x 2>&1 || echo refused; echo ok > /data/f && echo data;"
                + " echo ok > /dev/shm/f && echo shm; grep ' / / ' /proc/self/mountinfo | cut -d' ' -f6")
                .readOnlyRoot(true).mount(volume(vol, "/data", false)).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        List<String> out = f.log("main").lines().toList();
        assertTrue(out.get(0).contains("Read-only file system"), f.log("main"));
        assertEquals(List.of("refused", "data", "shm"), out.subList(1, 4));
        assertTrue(out.get(4).startsWith("ro,"), f.log("main"));
        assertEquals("ok\n", Files.readString(vol.resolve("f")));
        assertFalse(Files.exists(new PodDir(f.podDir).upperDir().resolve("x")));
    }

    @Test
    void anAppWithARootOfItsOwnGetsItsVolumesAndReadOnlyRootThere() throws Exception {
        Path upper = Files.createDirectories(new PodDir(f.podDir).upperDir());
        dev.rkj.testsupport.TestImages.busybox(upper.resolve("opt/stage2/own/rootfs"));
        Path vol = Files.createDirectories(f.podDir.resolve("volumes/data"));
        f.start(f.plan().app(sh("own", "touch /x || echo refused; echo in > /data/f && cat /data/f") // (no /dev here)
                        .root("/opt/stage2/own/rootfs").readOnlyRoot(true).mount(volume(vol, "/data", false)).build())
                .app(sh("pods", "ls /data 2>&1 | grep -c . ; touch /y && echo wrote").build())
                .build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        List<String> own = f.log("own").lines().toList();
        assertTrue(own.containsAll(List.of("touch: /x: Read-only file system", "refused", "in")), f.log("own"));
        assertEquals("in\n", Files.readString(vol.resolve("f")));
        assertTrue(Files.isDirectory(upper.resolve("opt/stage2/own/rootfs/data")), "the target is made in the app's root");
        assertFalse(Files.exists(upper.resolve("data")), "not in the pod's");
        assertEquals("1\nwrote\n", f.log("pods"), "the other app's root is neither read-only nor given the volume");
    }

    @Test
    void hooksRunInOrderAsTheAppWithItsEnvironmentAndWorkingDirectory() throws Exception {
        Path vol = Files.createDirectories(f.podDir.resolve("volumes/log"));
        Files.setPosixFilePermissions(vol, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String mark = "echo \"$0 $(id -u) $(pwd) $STEP\" >> /log/order";
        f.start(f.plan().app(Stage1Plan.App.builder("main", "/bin/sh", "-c", mark, "main").user("app")
                .workingDirectory("/home/app").env("STEP", "env").mount(volume(vol, "/log", false))
                .preStart(List.of("/bin/sh", "-c", mark + "; echo pre-start says hi", "pre-start"))
                .postStop(List.of("/bin/sh", "-c", mark, "post-stop")).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());

        assertEquals("pre-start 1000 /home/app env\nmain 1000 /home/app env\npost-stop 1000 /home/app env\n",
                Files.readString(vol.resolve("order")));
        assertTrue(f.log("main").contains("pre-start says hi"), "a hook's output is the app's log: " + f.log("main"));
        assertEquals(ExitStatus.exited(0), ExitStatus.read(f.podDir, "main").orElseThrow());
    }

    @Test
    void aFailingPreStartFailsTheAppWhichDoesNotRunAndSaysWhy() throws Exception {
        RunningPod pod = f.start(f.plan().app(sh("main", "touch /ran")
                .preStart(List.of("/bin/sh", "-c", "exit 3")).build()).build());
        assertEquals(ExitStatus.exited(3), f.awaitExit());
        assertEquals(ExitStatus.exited(3), pod.process().appExit("main").get());
        assertEquals(ExitStatus.exited(3), ExitStatus.read(f.podDir, "main").orElseThrow());
        assertFalse(Files.exists(new PodDir(f.podDir).upperDir().resolve("ran")), "the app ran");
        assertTrue(f.log("main").contains("app main: its pre-start hook /bin/sh failed with status 3: the app was not run"),
                f.log("main"));
    }

    @Test
    void oneFailingAppStopsTheOthersWithSigtermThenSigkillAfterTheGrace() throws Exception {
        RunningPod pod = f.start(f.plan().stopGraceMillis(300)
                .app(sh("polite", "trap 'echo got TERM; exit 0' TERM; touch /ready1; sleep 1000 & wait")
                        .postStop(List.of("/bin/sh", "-c", "echo cleaned up")).build())
                .app(sh("stubborn", "trap '' TERM; touch /ready2; sleep 1000").build())
                .app(sh("failing", "while [ ! -e /ready1 ] || [ ! -e /ready2 ]; do sleep 0.01; done; exit 4").build())
                .build());
        assertEquals(ExitStatus.exited(4), f.awaitExit(), "the pod's status is its failing app's");
        assertEquals(ExitStatus.exited(0), pod.process().appExit("polite").get());
        assertEquals(ExitStatus.killed(9), pod.process().appExit("stubborn").get());
        assertEquals(ExitStatus.exited(4), ExitStatus.read(f.podDir, "failing").orElseThrow());
        assertEquals("got TERM\ncleaned up\n", f.log("polite"), "post-stop runs after a stopped app");
    }

    private static Map<String, String> lines(String log) {
        Map<String, String> m = new HashMap<>();
        for (String line : log.split("\n")) {
            if (line.startsWith("ns ")) {
                String[] p = line.split(" ", 3);
                m.put("ns " + p[1], p.length > 2 ? p[2] : "");
            } else {
                int sp = line.indexOf(' ');
                m.put(sp < 0 ? line : line.substring(0, sp), sp < 0 ? "" : line.substring(sp + 1));
            }
        }
        return m;
    }

    private static Map<String, String> fields(String log) {
        Map<String, String> m = new HashMap<>();
        for (String line : log.split("\n")) {
            int sep = line.indexOf('=') > 0 ? line.indexOf('=') : line.indexOf(':');
            if (sep > 0) {
                m.put(line.substring(0, sep), line.substring(sep + 1).trim());
            }
        }
        return m;
    }

    private static long hex(String s) {
        return Long.parseUnsignedLong(s, 16);
    }
}
