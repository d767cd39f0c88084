package dev.rkj.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.api.cli.Cli;
import dev.rkj.testsupport.LeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who may talk to the daemon and who the journal says asked: a real daemon whose socket's group is
 * {@code daemon}; clients that are root, {@code nobody} in group {@code daemon}, {@code nobody} in
 * no group (a small Java client run under {@code setpriv}), and a TCP client with a named token.
 */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonAccessIT {
    private static final String SECRET = "a-named-token-for-the-test-0123456789";
    private static final long NOBODY = 65534;
    private static final String GROUP = "daemon";

    /** An HTTP/1.1 request over a unix socket, run as another user: prints the answer or "refused: why". */
    private static final String CLIENT = """
            import java.io.ByteArrayOutputStream;
            import java.net.StandardProtocolFamily;
            import java.net.UnixDomainSocketAddress;
            import java.nio.ByteBuffer;
            import java.nio.channels.SocketChannel;
            import java.nio.charset.StandardCharsets;

            public class PeerClient {
                public static void main(String[] a) throws Exception {
                    byte[] body = (a.length > 3 ? a[3] : "").getBytes(StandardCharsets.UTF_8);
                    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        c.connect(UnixDomainSocketAddress.of(a[0]));
                        String head = a[1] + " " + a[2] + " HTTP/1.1\\r\\nHost: rkj\\r\\nConnection: close\\r\\n"
                                + (body.length > 0 ? "Content-Type: application/json\\r\\n" : "")
                                + "Content-Length: " + body.length + "\\r\\n\\r\\n";
                        c.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.UTF_8)));
                        c.write(ByteBuffer.wrap(body));
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        ByteBuffer buffer = ByteBuffer.allocate(8192);
                        while (c.read(buffer) >= 0) {
                            out.write(buffer.array(), 0, buffer.position());
                            buffer.clear();
                        }
                        System.out.print(out.toString(StandardCharsets.UTF_8));
                    } catch (java.io.IOException e) {
                        System.out.println("refused: " + e.getMessage());
                        System.exit(3);
                    }
                }
            }
            """;

    private DaemonFixture fixture;
    private Path dir;
    private Path client;
    private Http http;

    @BeforeAll
    void startDaemon() throws Exception {
        fixture = DaemonFixture.in("access");
        dir = fixture.dir;
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody may reach the socket
        fixture.tokenFileText("# name:secret\nci:" + SECRET + "\nother:another-secret-of-enough-length\n");
        client = dir.resolve("PeerClient.java");
        Files.writeString(client, CLIENT);
        fixture.socket(dir.resolve("run").resolve("api.sock")).start("--socket-group", GROUP);
        http = fixture.http();
        fixture.image("sleeper", "[\"/bin/sleep\", \"600\"]");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void theSocketRefusesAUserOutsideItsGroupAndLetsAMemberIn() throws Exception {
        String outsider = asNobody(List.of("--clear-groups"), "GET", "/v1/pods");
        assertTrue(outsider.startsWith("refused: ") && outsider.contains("Permission denied"), outsider);
        String member = asNobody(List.of("--groups=" + gidOf(GROUP)), "GET", "/v1/pods");
        assertTrue(member.startsWith("HTTP/1.1 200"), member);
    }

    @Test
    void eachWriteRecordsWhoAskedByUidOverTheSocketAndByTokenNameOverTcp() throws Exception {
        String pod = create();
        JsonNode created = payload(pod, "pod.created/6");
        assertEquals(0, created.get("requestedBy").get("uid").asLong(), created.toString());
        assertEquals("root", created.get("requestedBy").get("userName").asText(), created.toString());
        assertTrue(created.get("requestedBy").get("via").asText().startsWith("rkj daemon API over the unix socket (pid "),
                created.toString());
        assertEquals(payload(pod, "pod.launch-requested/2").get("requestedBy"), created.get("requestedBy"));
        awaitState(pod, "running");

        String stopped = asNobody(List.of("--groups=" + gidOf(GROUP)), "POST", "/v1/pods/" + pod + "/stop",
                "{\"force\":true}");
        assertTrue(stopped.startsWith("HTTP/1.1 200"), stopped);
        JsonNode stop = payload(pod, "pod.stop-requested/2").get("requestedBy");
        assertEquals(NOBODY, stop.get("uid").asLong(), stop.toString());
        assertEquals("nobody", stop.get("userName").asText(), stop.toString());

        HttpResponse<String> removed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + fixture.daemon().port + "/v1/pods/" + pod))
                .header("Authorization", "Bearer " + SECRET).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, removed.statusCode(), removed.body());
        JsonNode delete = payload(pod, "pod.delete-requested/2").get("requestedBy");
        assertEquals("rkj daemon API over TCP, token ci", delete.get("via").asText(), delete.toString());
        assertTrue(delete.get("uid").isNull(), delete.toString());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8)).execute("--dir", dir.resolve("data").toString(), "journal", "show", "--aggregate", pod, "--json");
        String shown = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, shown);
        assertTrue(shown.contains("\"requestedBy\":{\"uid\":0,\"userName\":\"root\""), shown);
        assertTrue(shown.contains("token ci"), shown);
    }

    @Test
    void tcpWithATokenNotInTheFileIsUnauthorized() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + fixture.daemon().port + "/v1/pods"))
                .header("Authorization", "Bearer ci:" + SECRET).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), r.body());
    }

    private String create() {
        return fixture.run("sleeper", true);
    }

    /** The payload of the pod's one event of {@code type}, as the API's journal gives it. */
    private JsonNode payload(String pod, String type) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode e : http.get("/v1/journal?aggregate=" + pod + "&limit=1000").json().get("events")) {
            if (e.get("type").asText().equals(type)) {
                found.add(e.get("payload"));
            }
        }
        assertEquals(1, found.size(), "one " + type + " of pod " + pod + ": " + found);
        return found.get(0);
    }

    private void awaitState(String pod, String state) {
        fixture.awaitState(pod, state);
    }

    /** Runs the client as uid and gid 65534 with {@code groups} (setpriv's options); its output. */
    private String asNobody(List<String> groups, String... request) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY));
        command.addAll(groups);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", client.toString(), fixture.daemon().socket.toString()));
        command.addAll(List.of(request));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the client as nobody did not finish: " + command);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static long gidOf(String group) throws Exception {
        for (String line : Files.readAllLines(Path.of("/etc/group"))) {
            String[] f = line.split(":");
            if (f.length > 2 && f[0].equals(group)) {
                return Long.parseLong(f[2]);
            }
        }
        throw new AssertionError("no group " + group + " in /etc/group");
    }
}
