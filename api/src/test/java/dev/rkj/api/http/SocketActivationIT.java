package dev.rkj.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code rkj daemon} socket-activated: started by {@code systemd-socket-activate -l SOCKET}, which binds
 * the socket and passes it as fd 3 ({@code LISTEN_PID}, {@code LISTEN_FDS=1}) as {@code rkj.socket} does.
 * The daemon serves the API and the thin CLI on that socket without binding one, still knows each
 * caller's uid ({@code SO_PEERCRED}), and stops on SIGTERM leaving systemd's socket file in place.
 */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SocketActivationIT {
    private static final Path JAR = Path.of("target", "rkj.jar").toAbsolutePath();

    private DaemonFixture fixture;
    private Http http;

    @BeforeAll
    void startDaemon() throws Exception {
        Privileged.requireRoot();
        Privileged.require(onPath("systemd-socket-activate"), "systemd-socket-activate is not installed (scripts/setup"
                + " installs the systemd package)");
        fixture = DaemonFixture.in("sockact").socketActivated().start();
        http = fixture.http();
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(1)
    void servesTheApiAndTheThinCliOnTheSocketSystemdBoundAndRecordsTheCallersUid() throws Exception {
        DaemonProcess daemon = fixture.daemon();
        assertTrue(Files.readString(daemon.stderr).contains("serving the API on unix:" + daemon.socket + " (from systemd)"),
                Files.readString(daemon.stderr));
        // the daemon's fd 3 is the listening socket at that path: adopted, not bound anew
        String fd3 = Files.readSymbolicLink(Path.of("/proc/" + daemon.process.pid() + "/fd/3")).toString();
        String inode = fd3.replaceAll("^socket:\\[(\\d+)\\]$", "$1");
        assertTrue(Files.readAllLines(Path.of("/proc/net/unix")).stream().map(l -> l.trim().split("\\s+"))
                .anyMatch(f -> f.length == 8 && f[6].equals(inode) && f[3].equals("00010000")
                        && f[7].equals(daemon.socket.toString())), fd3 + " is the listening socket " + daemon.socket);

        Http.Reply pods = http.get("/v1/pods");
        assertEquals(200, pods.status(), pods.toString());
        assertTrue(pods.json().get("pods").isArray(), pods.toString());

        fixture.image("hello", "[\"/bin/true\"]");
        String pod = fixture.run("hello", false);
        JsonNode created = null;
        for (JsonNode e : http.get("/v1/journal?aggregate=" + pod + "&limit=100").json().get("events")) {
            if (e.get("type").asText().equals("pod.created/6")) {
                created = e.get("payload");
            }
        }
        assertTrue(created != null, "pod.created/6 of " + pod);
        assertEquals(0, created.get("requestedBy").get("uid").asLong(), created.toString());
        assertTrue(created.get("requestedBy").get("via").asText().startsWith("rkj daemon API over the unix socket (pid "),
                created.toString());

        // a CLI read through the socket: the thin client (no picocli loaded) lists the pod the daemon made
        Path classes = fixture.dir.resolve("classes.log");
        ProcessBuilder cli = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load:file=" + classes, "-jar", JAR.toString(), "list", "--format=json")
                .redirectErrorStream(true);
        cli.environment().put("RKJ_SOCKET", daemon.socket.toString());
        cli.environment().put("RKJ_DIR", fixture.data.toString());
        Process p = cli.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "rkj list did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains(pod), out);
        assertFalse(Files.readString(classes).contains("picocli.CommandLine "), "rkj list ran in-process, not in the daemon");
        Http.Reply removed = http.delete("/v1/pods/" + pod);
        assertEquals(204, removed.status(), removed.toString());
    }

    @Test
    @Order(2)
    void stopsCleanlyOnSigtermAndLeavesSystemdsSocketFile() throws Exception {
        DaemonProcess daemon = fixture.daemon();
        assertEquals(0, daemon.terminate(), Files.readString(daemon.stderr));
        assertTrue(Files.readString(daemon.stderr).contains("rkj daemon: stopping; pods keep running"),
                Files.readString(daemon.stderr));
        assertTrue(Files.exists(daemon.socket), "the socket file is systemd's: the daemon leaves it");
    }

    @Test
    void refusesWhatIsNotOneListeningUnixStreamSocketWithOneLine() throws Exception {
        assertEquals("rkj: systemd passed LISTEN_FDS=2 sockets; rkj daemon takes exactly one, a unix stream socket:"
                + " give rkj.socket one ListenStream=/run/rkj/api.sock and nothing else",
                refused("LISTEN_PID=$$ LISTEN_FDS=2 exec \"$@\""));
        assertEquals("rkj: fd 3 from systemd is /dev/null, not a socket: rkj.socket needs ListenStream=/run/rkj/api.sock",
                refused("exec 3</dev/null; LISTEN_PID=$$ LISTEN_FDS=1 exec \"$@\""));
    }

    /** What {@link #theLaunchVariablesAreNotPassedOn} runs: a JVM that reads them, then starts two children. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            System.out.println("adopted " + SocketActivation.fromSystemd());
            String show = "echo \"child LISTEN_PID=$LISTEN_PID LISTEN_FDS=$LISTEN_FDS LISTEN_FDNAMES=$LISTEN_FDNAMES\"";
            new ProcessBuilder("sh", "-c", show).inheritIO().start().waitFor(); // the process's environment
            ProcessBuilder copied = new ProcessBuilder("sh", "-c", show).inheritIO();
            copied.environment().put("X", "1"); // the JVM's copy of it
            copied.start().waitFor();
        }
    }

    @Test
    void theLaunchVariablesAreNotPassedOn() throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "LISTEN_PID=1", "LISTEN_FDS=1", "LISTEN_FDNAMES=api"));
        List<String> java = DaemonProcess.rkj(fixture.data);
        command.addAll(java.subList(0, java.indexOf("dev.rkj.api.Main"))); // the JVM, to run Child
        command.add(Child.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        String none = "child LISTEN_PID= LISTEN_FDS= LISTEN_FDNAMES=\n";
        assertEquals("adopted null\n" + none + none, out); // LISTEN_PID=1 is another process's: not adopted
    }

    @Test
    void theUnitsPassSystemdAnalyzeVerify() throws Exception {
        Assumptions.assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed");
        Path units = Path.of("..", "scripts", "systemd").toAbsolutePath().normalize();
        Process p = new ProcessBuilder("systemd-analyze", "verify", units.resolve("rkj.socket").toString(),
                units.resolve("rkj.service").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), "systemd-analyze verify did not finish");
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out.strip());
    }

    /** Runs {@code rkj daemon} from {@code sh -c script} (which execs it, as systemd would); its one line of output, exit 254. */
    private String refused(String script) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        command.addAll(DaemonProcess.rkj(fixture.data, "daemon", "--socket", fixture.dir.resolve("never.sock").toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "rkj daemon did not exit");
        assertEquals(254, p.exitValue(), out);
        assertFalse(Files.exists(fixture.dir.resolve("never.sock")), out);
        return out.strip();
    }

    private static boolean onPath(String command) {
        return List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
