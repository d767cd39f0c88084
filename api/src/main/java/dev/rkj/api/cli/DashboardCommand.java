package dev.rkj.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.api.http.Listen;
import dev.rkj.eventlog.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj dashboard}: asks the running daemon, over its socket, for a one-time login URL of the web
 * dashboard on its TCP address (Jupyter-style: the URL's token becomes a session cookie; see
 * {@code dev.rkj.api.http.Dashboard}). Runs in the client's own process.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Print a one-time login URL of the web dashboard of the running daemon (it needs --listen).",
        footer = {"", "Examples:",
            "  rkj daemon --listen 127.0.0.1:8347 --token-file /etc/rkj/token &",
            "  rkj dashboard                   # http://127.0.0.1:8347/login?token=...: open it within 5 minutes, once"})
final class DashboardCommand implements Callable<Integer> {
    @ParentCommand
    RkjCommand root;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "the daemon's unix socket (default: $RKJ_SOCKET, else " + "/run/rkj/api.sock)")
    Path socket;

    @Override
    public Integer call() {
        String env = root.invocation().env("RKJ_SOCKET");
        Path path = socket != null ? socket : env != null && !env.isBlank() ? root.invocation().path(env)
                : Listen.DEFAULT_SOCKET;
        String answer;
        try {
            answer = post(path, "/v1/dashboard/login");
        } catch (IOException e) {
            throw new CliException("no daemon answers on " + path + " (" + e.getMessage() + "): start one with"
                    + " rkj daemon --listen 127.0.0.1:8347 --token-file FILE, or give its --socket");
        }
        int split = answer.indexOf("\r\n\r\n");
        String status = answer.lines().findFirst().orElse("");
        JsonNode body;
        try {
            body = Json.mapper().readTree(split < 0 ? "{}" : answer.substring(split + 4));
        } catch (IOException e) {
            throw new CliException("the daemon on " + path + " answered " + status + " with no JSON: is it an rkj daemon?");
        }
        if (!status.contains(" 201 ")) {
            throw new CliException("the daemon on " + path + " made no login URL: "
                    + TerminalText.escape(body.path("detail").asText(status)));
        }
        for (JsonNode url : body.path("urls")) {
            root.out().println(url.asText());
        }
        root.err().println("rkj dashboard: open it once, before " + body.path("expires_at").asText()
                + "; it becomes a session cookie for 12 hours");
        return ExitCodes.OK;
    }

    /** An HTTP/1.1 POST with no body over the unix socket; the whole answer, headers included. */
    private static String post(Path socket, String uri) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap(("POST " + uri + " HTTP/1.1\r\nHost: rkj\r\nConnection: close\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (c.read(buffer) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
