package dev.rkj.stage1;

import static dev.rkj.stage1.PodFixture.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * rkj-stage1's default seccomp filter, seen from inside real pods: what it refuses, what a
 * retained capability opens (and what it does not), that {@code seccomp 0} removes it, and that
 * {@code enter} gives a command the filter of the app it enters, and that the program, built once,
 * is cached next to the binary, reused, and rebuilt when the file is damaged; and appc's retain and
 * remove sets, on top of the default filter or (the user's grant) alone. The calls are made by
 * busybox and by {@code seccomp-probe}, a static C program this test compiles into the image.
 */
@ExtendWith(LeakCheck.class)
class SeccompIT {
    private static final String PROBE = "/bin/seccomp-probe";
    private static final String CALLS = "keyctl add_key unshare-user unshare-mount clone-user clone3 x86-keyctl"
            + " x86-unshare-user x32-getpid";
    /** Prints Seccomp/NoNewPrivs, the probe's lines, and `name=status` of busybox commands. */
    private static final String SCRIPT = "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; " + PROBE + " " + CALLS
            + "; busybox unshare -U true; echo unshare-U=$?; busybox unshare -m true; echo unshare-m=$?;"
            + " mount -t tmpfs none /tmp 2>/dev/null; echo mount=$?";

    private static PodFixture.Shared shared;
    /** False where this kernel runs no 32-bit system call at all (int 0x80 faults): nothing to filter. */
    private static boolean x86Abi;
    private PodFixture f;

    @BeforeAll
    static void build() throws Exception {
        Privileged.requireRoot();
        shared = new PodFixture.Shared();
        Path src = TestRun.newDir("probe-src");
        try {
            Path c = src.resolve("seccomp-probe.c");
            try (InputStream in = SeccompIT.class.getResourceAsStream("seccomp-probe.c")) {
                Files.copy(in, c);
            }
            Path bin = shared.lower.resolve(PROBE.substring(1));
            assertEquals(0, run(List.of("gcc", "-std=gnu11", "-O2", "-static", "-o", bin.toString(), c.toString())).code,
                    "gcc -static seccomp-probe.c");
            x86Abi = !run(List.of(bin.toString(), "x86-keyctl")).out.contains("died");
        } finally {
            TestRun.deleteTree(src);
        }
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
    void theDefaultFilterRefusesUserNamespacesAndKeyringsAndClone3IsNotThere() throws Exception {
        f.start(f.plan().app(sh("main", SCRIPT).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        Map<String, String> out = fields(f.log("main"));

        assertEquals("2", out.get("Seccomp"), f.log("main"));
        assertEquals("0", out.get("NoNewPrivs"), "loading the filter must not force no_new_privs");
        for (String call : List.of("keyctl", "add_key", "unshare-user", "unshare-mount", "clone-user")) {
            assertEquals("EPERM", out.get(call), call + " in " + f.log("main"));
        }
        assertEquals("ENOSYS", out.get("clone3"), "clone3 must say ENOSYS so libc falls back to clone");
        assertRefusedThrough32BitAbi(out);
        assertEquals("1", out.get("unshare-U"));
        assertEquals("1", out.get("unshare-m"));
        assertTrue(!"0".equals(out.get("mount")), "mount worked without CAP_SYS_ADMIN: " + out);
    }

    @Test
    void anUnconfinedAppHasNoFilterAndCanDoWhatTheFilterRefuses() throws Exception {
        f.start(f.plan().app(sh("main", SCRIPT).seccomp(false).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        Map<String, String> out = fields(f.log("main"));

        assertEquals("0", out.get("Seccomp"), f.log("main"));
        assertEquals("ok", out.get("unshare-user"), f.log("main"));
        assertEquals("ok", out.get("clone-user"));
        assertEquals("ok", out.get("clone3"));
        assertEquals("0", out.get("unshare-U"));
    }

    @Test
    void capSysAdminAllowsMountsButStillNoUserNamespace() throws Exception {
        Set<Capability> admin = EnumSet.of(Capability.CAP_SYS_ADMIN);
        admin.addAll(Capability.DEFAULT_RETAIN_SET);
        f.start(f.plan().app(sh("main", SCRIPT).capabilities(admin).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        Map<String, String> out = fields(f.log("main"));

        assertEquals("2", out.get("Seccomp"), f.log("main"));
        assertEquals("0", out.get("mount"), f.log("main"));
        assertEquals("0", out.get("unshare-m"));
        assertEquals("ok", out.get("unshare-mount"));
        assertEquals("1", out.get("unshare-U"));
        assertEquals("EPERM", out.get("unshare-user"));
        assertEquals("EPERM", out.get("clone-user"));
        assertEquals("ENOSYS", out.get("clone3"));
        assertEquals("EPERM", out.get("keyctl"));
        assertRefusedThrough32BitAbi(out);
    }

    @Test
    void aNonRootAppGetsTheFilterWithAndWithoutNoNewPrivs() throws Exception {
        f.start(f.plan().app(sh("nnp", SCRIPT).user("app").noNewPrivileges(true).build())
                .app(sh("plain", SCRIPT).user("app").build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        Map<String, String> nnp = fields(f.log("nnp"));
        Map<String, String> plain = fields(f.log("plain"));

        assertEquals("2", nnp.get("Seccomp"), f.log("nnp"));
        assertEquals("1", nnp.get("NoNewPrivs"));
        assertEquals("2", plain.get("Seccomp"), f.log("plain"));
        assertEquals("0", plain.get("NoNewPrivs"));
        for (Map<String, String> out : List.of(nnp, plain)) {
            assertEquals("EPERM", out.get("unshare-user"), out.toString()); // the kernel alone would allow it
            assertEquals("EPERM", out.get("keyctl"), out.toString());
        }
    }

    /** What the static probe needs to start, print and fork (strace), without keyctl, unshare, getppid. */
    private static final List<String> PROBE_CALLS = List.of("arch_prctl", "brk", "clone", "getrandom", "mprotect",
            "newfstatat", "prlimit64", "readlink", "rseq", "set_robust_list", "set_tid_address", "wait4", "write");

    private static List<String> plus(List<String> calls, String... more) {
        List<String> all = new java.util.ArrayList<>(calls);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void aRetainSetDeniesEveryUnlistedCallWithItsErrnoOrKillsWithSigsysWithoutOne() throws Exception {
        int enotsup = 95;
        f.start(f.plan()
                .app(Stage1Plan.App.builder("errno", PROBE, "getppid", "keyctl", "unshare-user")
                        .seccomp(Stage1Plan.Seccomp.retain(plus(PROBE_CALLS, "getppid", "unshare"), enotsup, true)).build())
                .app(Stage1Plan.App.builder("kill", PROBE, "getppid", "keyctl")
                        .seccomp(Stage1Plan.Seccomp.retain(plus(PROBE_CALLS, "getppid"), 0, true)).build())
                .app(Stage1Plan.App.builder("granted", PROBE, "unshare-user", "keyctl")
                        .seccomp(Stage1Plan.Seccomp.retain(plus(PROBE_CALLS, "unshare"), enotsup, false)).build())
                .build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        Map<String, String> errno = fields(f.log("errno"));
        Map<String, String> kill = fields(f.log("kill"));
        Map<String, String> granted = fields(f.log("granted"));

        assertEquals("ok", errno.get("getppid"), f.log("errno"));
        assertEquals("EOPNOTSUPP", errno.get("keyctl"), "an unlisted call fails with the set's errno");
        assertEquals("EOPNOTSUPP", errno.get("unshare-user"), "listed, but the default filter refuses it: it stays refused");
        assertEquals("ok", kill.get("getppid"), f.log("kill"));
        assertEquals("died SIGSYS", kill.get("keyctl"), "no errno: the call kills the app (appc)");
        assertEquals("ok", granted.get("unshare-user"), "with the user's grant the set alone decides: " + f.log("granted"));
        assertEquals("EOPNOTSUPP", granted.get("keyctl"));
    }

    @Test
    void aRemoveSetDeniesTheListedCallsWithItsErrnoAndKeepsTheDefaultFilter() throws Exception {
        f.start(f.plan().app(sh("main", "grep '^Seccomp:' /proc/self/status; " + PROBE + " getppid keyctl unshare-user")
                .seccomp(Stage1Plan.Seccomp.remove(List.of("getppid"), 95, true)).build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        Map<String, String> out = fields(f.log("main"));

        assertEquals("2", out.get("Seccomp"), f.log("main"));
        assertEquals("EOPNOTSUPP", out.get("getppid"), f.log("main"));
        assertEquals("EPERM", out.get("keyctl"), "the default filter's refusals stay");
        assertEquals("EPERM", out.get("unshare-user"));
    }

    @Test
    void aSetNamingAnUnknownSystemCallRefusesThePodNamingIt() throws Exception {
        Stage1Exception e = org.junit.jupiter.api.Assertions.assertThrows(Stage1Exception.class, () -> {
            f.start(f.plan().app(sh("main", "true").seccomp(Stage1Plan.Seccomp.remove(List.of("no_such_call"), 1, true))
                    .build()).build());
            f.awaitExit();
        });
        assertTrue(e.getMessage().contains("`no_such_call`"), e.getMessage());
    }

    @Test
    void enterGivesACommandTheFilterOfTheAppItEnters() throws Exception {
        RunningPod pod = f.start(f.plan().app(Stage1Plan.App.builder("confined", "sleep", "1000").build())
                .app(Stage1Plan.App.builder("unconfined", "sleep", "1000").seccomp(false).build()).build());
        String check = "grep '^Seccomp:' /proc/self/status; busybox unshare -U true; echo unshare-U=$?";

        Map<String, String> confined = fields(enter("confined", check));
        Map<String, String> unconfined = fields(enter("unconfined", check));

        assertEquals("2", confined.get("Seccomp"), confined.toString());
        assertEquals("1", confined.get("unshare-U"));
        assertEquals("0", unconfined.get("Seccomp"), unconfined.toString());
        assertEquals("0", unconfined.get("unshare-U"));
        pod.process().signal(Kernel.SIGTERM);
        f.awaitExit();
    }

    @Test
    void theFilterIsBuiltOnceAndCachedNextToTheBinary() throws Exception {
        clearCache();
        assertFilteredPod();
        Path cached = cacheFile();
        Object inode = Files.getAttribute(cached, "unix:ino");
        FileTime mtime = Files.getLastModifiedTime(cached);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(cached));
        assertEquals(0, Files.size(cached) % 8, "a whole number of struct sock_filter");

        assertFilteredPod();

        assertEquals(cached, cacheFile());
        assertEquals(inode, Files.getAttribute(cached, "unix:ino"), "the second pod rewrote the cache");
        assertEquals(mtime, Files.getLastModifiedTime(cached), "the second pod rewrote the cache");
    }

    @Test
    void aCorruptedCacheFileIsRebuiltAndThePodIsStillFiltered() throws Exception {
        clearCache();
        assertFilteredPod();
        Path cached = cacheFile();
        long size = Files.size(cached);
        try (FileChannel c = FileChannel.open(cached, StandardOpenOption.WRITE)) {
            c.truncate(3);
        }

        assertFilteredPod();

        assertEquals(size, Files.size(cacheFile()), "the truncated cache file was not rebuilt");
    }

    private static void clearCache() throws IOException {
        for (Path p : cacheFiles()) {
            Files.delete(p);
        }
    }

    private static Path cacheFile() throws IOException {
        List<Path> files = cacheFiles();
        assertEquals(1, files.size(), "one cached program next to " + shared.binary + ": " + files);
        return files.get(0);
    }

    private static List<Path> cacheFiles() throws IOException {
        try (Stream<Path> s = Files.list(shared.binary.getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith("seccomp-")).toList();
        }
    }

    /** Runs a pod of one app with the default capabilities, which must be under the filter. */
    private static void assertFilteredPod() throws Exception {
        try (PodFixture pod = shared.pod()) {
            pod.start(pod.plan().app(sh("main", "grep '^Seccomp:' /proc/self/status; busybox unshare -U true;"
                    + " echo unshare-U=$?").build()).build());
            assertEquals(ExitStatus.exited(0), pod.awaitExit());
            Map<String, String> out = fields(pod.log("main"));
            assertEquals("2", out.get("Seccomp"), pod.log("main"));
            assertEquals("1", out.get("unshare-U"), pod.log("main"));
        }
    }

    /**
     * The same calls through int 0x80 (the i386 table) are refused too, where the kernel has that
     * table; any x32 call (x86-64 numbers with bit 30) kills the caller.
     */
    private static void assertRefusedThrough32BitAbi(Map<String, String> out) {
        for (String call : List.of("x86-keyctl", "x86-unshare-user")) {
            assertTrue(!"ok".equals(out.get(call)), call + " got through: " + out);
            if (x86Abi) {
                assertEquals("EPERM", out.get(call), call + " in " + out);
            }
        }
        assertEquals("died SIGSYS", out.get("x32-getpid"), out.toString());
    }

    private String enter(String app, String script) throws Exception {
        Result r = run(List.of(shared.binary.toString(), "enter", f.podDir.toString(), "--app", app, "--", "sh", "-c",
                script));
        assertEquals(0, r.code, r.out);
        return r.out;
    }

    private record Result(int code, String out) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    /** "Key: value", "key=value" and the probe's "name result" lines. */
    private static Map<String, String> fields(String log) {
        Map<String, String> m = new HashMap<>();
        for (String line : log.split("\n")) {
            int sep = line.indexOf(':') > 0 ? line.indexOf(':') : line.indexOf('=') > 0 ? line.indexOf('=') : line.indexOf(' ');
            if (sep > 0) {
                m.put(line.substring(0, sep), line.substring(sep + 1).trim());
            }
        }
        return m;
    }
}
