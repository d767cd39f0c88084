package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code rkj run --interactive} as a user runs it: the packaged jar inside a terminal made by
 * util-linux's {@code script}, typed into byte by byte; {@code stty -g} in that same terminal
 * before and after shows what rkj left of it. {@link InteractiveThroughDaemonIT} runs the same
 * tests through a daemon with the native client.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS) // a guard against a hang, not a threshold
class InteractiveIT {
    private static final Path JAR = Path.of("target", "rkj.jar").toAbsolutePath();
    private static final Pattern STTY = Pattern.compile("(?m)^[0-9a-f]+(:[0-9a-f]+){20,}\\r?$");

    Path dir;
    Path data;
    private Path aci;
    private Terminal terminal;

    @BeforeEach
    void buildImage() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("interactive");
        data = Files.createDirectories(dir.resolve("data"));
        Path src = dir.resolve("src");
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/shell",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": ["/bin/true"], "user": "0", "group": "0"}}
                """);
        aci = dir.resolve("shell.aci");
        CliRun built = rkj("image", "build", src.toString(), aci.toString());
        assertEquals(0, built.code(), built.err());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (terminal != null) {
            terminal.close();
        }
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

    @Test
    void theAppHasAPtyCtrlCReachesItsJobTheWindowSizeFollowsAndTheTerminalComesBackAsItWas() throws Exception {
        terminal = Terminal.open("stty -g; tty; " + cli() + " </dev/tty & echo CLI=$!; wait $!; echo EXIT=$?; stty -g");
        String userTty = find(terminal.await("built-in shell"), "(?m)^(/dev/pts/\\d+)\\r?$");
        terminal.type("tty; echo h$((0))i\n");
        String out = terminal.await("h0i");
        assertTrue(out.contains("/dev/pts/0") || out.contains("/dev/console"), out);
        terminal.type("echo sleeping-$((1)); sleep 100\n");
        terminal.await("sleeping-1");
        terminal.type("\u0003"); // the pod's pty makes it SIGINT for the shell's foreground job
        terminal.type("echo back-$((2))\n");
        terminal.await("back-2"); // the sleep was interrupted, rkj still relays
        // The user's window changes (the kernel sends SIGWINCH to rkj): the app's pty follows. In-process,
        // the JVM's signal thread and its stdin thread race, so what is typed next may overtake the resize.
        assertEquals(0, new ProcessBuilder("stty", "-F", userTty, "rows", "33", "cols", "77").inheritIO().start().waitFor());
        for (int i = 1; ; i++) {
            terminal.type("stty size; echo sized-$((" + i + "))\n");
            if (terminal.await("sized-" + i + "\\r").contains("\n33 77\r")) {
                break;
            }
            assertTrue(i < 50, "the pod's pty never got the new size: " + terminal.output);
        }
        terminal.type("exit 3\n");
        out = terminal.awaitEnd();
        assertTrue(out.contains("EXIT=3"), out);
        List<String> stty = stty(out);
        assertEquals(2, stty.size(), out);
        assertEquals(stty.get(0), stty.get(1), "the terminal's settings are back");
        assertFalse(out.contains("Exception"), out);
    }

    @Test
    void aKilledCliLeavesThePodOnItsOwnPtyAndStopEndsIt() throws Exception {
        terminal = Terminal.open("tty; " + cli() + " </dev/tty & echo CLI=$!; wait $!; echo EXIT=$?");
        terminal.await("built-in shell");
        // an interactive shell ignores SIGTERM: the app ends up as a sleep that does not
        terminal.type("echo go-$((4)); exec sh -c 'read x; echo got-$x; exec sleep 1000'\n");
        String out = terminal.await("go-4");
        List<Object> userTty = fileId(Path.of(find(out, "(?m)^(/dev/pts/\\d+)\\r?$")));
        kill("KILL", find(out, "CLI=(\\d+)"));
        terminal.awaitEnd();
        String uuid = runningPod();
        attachAndType(data.resolve("pods").resolve(uuid), "hi\n", "got-hi"); // the pod has no client left

        int pid1 = Integer.parseInt(Files.readString(data.resolve("pods").resolve(uuid).resolve("pid")).trim());
        List<Integer> pod = new ArrayList<>(List.of(pid1, parent(pid1)));
        for (String child : Files.readString(Path.of("/proc", "" + pid1, "task", "" + pid1, "children")).trim().split(" ")) {
            pod.add(Integer.parseInt(child));
        }
        Path appStdin = Path.of("/proc", "" + pod.get(2), "fd", "0");
        assertNotEquals(userTty, fileId(appStdin), "the app has a pty of its own");
        for (int pid : pod) { // neither the app, nor PID 1, nor stage1's monitor
            try (var fds = Files.list(Path.of("/proc", "" + pid, "fd"))) {
                for (Path fd : fds.toList()) {
                    List<Object> id = Files.exists(fd) ? fileId(fd) : null;
                    assertNotEquals(userTty, id, "pid " + pid + "'s " + fd + " is the user's terminal");
                }
            }
        }
        CliRun stop = rkj("stop", uuid);
        assertEquals(0, stop.code(), stop.err());
        assertEquals("exited", status(uuid));
    }

    @Test
    void aTerminatedCliPutsTheTerminalBack() throws Exception {
        terminal = Terminal.open("stty -g; " + cli() + " </dev/tty & echo CLI=$!; wait $!; echo EXIT=$?; stty -g");
        terminal.await("built-in shell");
        terminal.type("echo go-$((4)); exec sleep 1000\n"); // rkj's hook stops the pod: SIGTERM must end it
        kill("TERM", find(terminal.await("go-4"), "CLI=(\\d+)"));
        String out = terminal.awaitEnd();
        List<String> stty = stty(out);
        assertEquals(2, stty.size(), out);
        assertEquals(stty.get(0), stty.get(1), "the terminal's settings are back");
    }

    private String cli() {
        return String.join(" ", command(List.of("--dir", data.toString(), "run", "--net=none", "--insecure-options=image", "--interactive",
                aci.toString(), "--exec", "/bin/sh")));
    }

    /** The command line of {@code rkj args...} as the user's terminal runs it: here the packaged jar, in-process. */
    List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(args);
        return command;
    }

    /** {@code rkj --dir DATA args...}, for the test's own checks: in this JVM here. */
    CliRun rkj(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    /**
     * Attaches to the pod's terminal as a client of its own (stage1's protocol: 'd' frames in, raw
     * bytes out) once stage1 takes one, types {@code text} and reads until {@code expected} comes.
     */
    private static void attachAndType(Path podDir, String text, String expected) throws Exception {
        byte[] busy = "rkj: pod already attached".getBytes(StandardCharsets.US_ASCII);
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> {
            int fd = LinuxKernel.get().open(podDir, dev.rkj.stage1.kernel.Kernel.O_PATH | dev.rkj.stage1.kernel.Kernel.O_DIRECTORY
                    | dev.rkj.stage1.kernel.Kernel.O_CLOEXEC, 0);
            try (var channel = java.nio.channels.SocketChannel.open(
                    java.net.UnixDomainSocketAddress.of("/proc/self/fd/" + fd + "/attach"))) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                channel.write(java.nio.ByteBuffer.allocate(3 + bytes.length).put((byte) 'd').putShort((short) bytes.length)
                        .put(bytes).flip());
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4096);
                while (!got.toString(StandardCharsets.UTF_8).contains(expected)) {
                    if (channel.read(b.clear()) < 0) {
                        assertTrue(java.util.Arrays.equals(busy, 0, busy.length, got.toByteArray(), 0,
                                Math.min(busy.length, got.size())), "the pod's terminal closed: " + got);
                        return false; // the old client is still attached (its end is not seen yet): again
                    }
                    got.write(b.array(), 0, b.position());
                }
                return true;
            } finally {
                LinuxKernel.get().close(fd);
            }
        });
    }

    private String runningPod() throws IOException {
        CliRun list = rkj("list", "--format=json");
        JsonNode pods = Json.mapper().readTree(list.out());
        assertEquals(1, pods.size(), list.out());
        assertEquals("running", pods.get(0).get("state").asText(), list.out());
        return pods.get(0).get("name").asText();
    }

    private String status(String uuid) throws IOException {
        return Json.mapper().readTree(rkj("list", "--format=json").out()).get(0).get("state").asText();
    }

    /**
     * A file's identity: its file system, inode and device number. The device number alone does not do for a
     * pty: the pod's own devpts numbers its ptys from 0 too, so its /dev/pts/0 has the rdev of the host's.
     */
    private static List<Object> fileId(Path file) throws IOException {
        return List.of(Files.getAttribute(file, "unix:dev"), Files.getAttribute(file, "unix:ino"),
                Files.getAttribute(file, "unix:rdev"));
    }

    private static int parent(int pid) throws IOException {
        return Integer.parseInt(find(Files.readString(Path.of("/proc", "" + pid, "status")), "(?m)^PPid:\\s+(\\d+)"));
    }

    private static void kill(String signal, String pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start().waitFor());
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no " + regex + " in " + text);
        return m.group(1);
    }

    private static List<String> stty(String out) {
        List<String> lines = new ArrayList<>();
        for (Matcher m = STTY.matcher(out); m.find(); ) {
            lines.add(m.group().strip());
        }
        return lines;
    }

    /** A terminal of its own: {@code script} runs the command on a new pty, relaying our pipes to it. */
    private static final class Terminal implements AutoCloseable {
        private final Process process;
        final StringBuffer output = new StringBuffer();
        private final Thread reader;

        private Terminal(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                byte[] b = new byte[4096];
                try (InputStream in = process.getInputStream()) {
                    for (int n; (n = in.read(b)) > 0; ) {
                        output.append(new String(b, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // the terminal is closed
                }
            }, "terminal-reader");
            reader.start();
        }

        static Terminal open(String command) throws IOException {
            ProcessBuilder pb = new ProcessBuilder("script", "-qfec", command, "/dev/null").redirectErrorStream(true);
            pb.environment().put("SHELL", "/bin/sh");
            return new Terminal(pb.start());
        }

        void type(String text) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** Everything so far, once it holds {@code regex}. */
        String await(String regex) {
            Pattern p = Pattern.compile(regex);
            Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> p.matcher(output).find() || !reader.isAlive());
            assertTrue(p.matcher(output).find(), "the terminal ended before `" + regex + "`: " + output);
            return output.toString();
        }

        /** Everything, once the command is done and the terminal closed. */
        String awaitEnd() throws InterruptedException {
            process.waitFor();
            reader.join();
            return output.toString();
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly().waitFor();
            reader.join();
        }
    }
}
