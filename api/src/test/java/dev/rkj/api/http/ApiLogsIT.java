package dev.rkj.api.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.eventlog.Json;
import dev.rkj.testsupport.LeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Logs and attach over the API: a real daemon process, real pods, real HTTP over its unix socket,
 * and the JDK's HTTP and WebSocket clients over TCP with the token.
 */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a guard against a hang, not a threshold
class ApiLogsIT {
    private static final String TOKEN = "another-s3cret-token-for-the-logs-test";
    private static final Pattern STAMPED = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z (.*)$");

    private DaemonFixture fixture;
    private Http http;
    private final HttpClient tcp = HttpClient.newHttpClient();

    @BeforeAll
    void startDaemon() throws Exception {
        fixture = DaemonFixture.in("apilogs").token(TOKEN).start();
        http = fixture.http();
        fixture.image("both", "[\"/bin/sh\", \"-c\", \"for i in 1 2 3; do echo out-$i; echo err-$i >&2; done\"]");
        // writes, then waits for the test to create /go in its root file system, then writes again
        fixture.image("waiter", "[\"/bin/sh\", \"-c\", \"echo ready; while [ ! -e /go ]; do sleep 0.05; done; echo after-go\"]");
        fixture.image("shell", "[\"/bin/sh\"]");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private String run(String image, String extra) {
        return fixture.run(image, extra);
    }

    private JsonNode awaitState(String pod, String state) {
        return fixture.awaitState(pod, state);
    }

    private static void assertProblem(Http.Reply r, int status, String code, String field) {
        assertEquals(status, r.status(), r.toString());
        assertEquals("application/problem+json", r.contentType(), r.toString());
        JsonNode p = r.json();
        assertEquals(code, p.get("code").asText(), r.toString());
        if (field != null) {
            assertEquals(field, p.path("field").asText(), r.toString());
        }
        assertFalse(r.body().contains("Exception"), "a Java exception name in " + r);
    }

    private static List<JsonNode> records(Http.Reply r) throws IOException {
        assertEquals(200, r.status(), r.toString());
        assertEquals("application/x-ndjson", r.contentType(), r.toString());
        List<JsonNode> records = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            records.add(Json.mapper().readTree(line));
        }
        return records;
    }

    private static List<String> texts(List<JsonNode> records, String stream) {
        return records.stream().filter(n -> n.get("stream").asText().equals(stream)).map(n -> n.get("text").asText()).toList();
    }

    @Test
    void theLogsOfAnExitedPodAreItsRecordsAsJsonOrTextWithTailAndTimestamps() throws Exception {
        String pod = run("both", "");
        awaitState(pod, "exited");
        String app = http.get("/v1/pods/" + pod).json().get("app_names").get(0).asText();

        List<JsonNode> all = records(http.get("/v1/pods/" + pod + "/logs"));
        assertEquals(List.of("out-1", "out-2", "out-3"), texts(all, "stdout"), all.toString());
        assertEquals(List.of("err-1", "err-2", "err-3"), texts(all, "stderr"), all.toString());
        for (JsonNode r : all) {
            assertEquals(app, r.get("app").asText(), r.toString());
            assertTrue(r.get("time").asText().endsWith("Z"), r.toString());
            assertFalse(r.has("partial"), r.toString());
        }
        List<JsonNode> tail = records(http.get("/v1/pods/" + pod + "/logs?tail=2&app=" + app));
        assertEquals(all.subList(4, 6), tail);

        Http.Reply text = textOf("/v1/pods/" + pod + "/logs");
        assertTrue(text.contentType().startsWith("text/plain"), text.toString());
        List<String> lines = List.of(text.body().split("\n"));
        assertEquals(all.stream().map(n -> n.get("text").asText()).toList(), lines, text.body());

        Http.Reply stamped = textOf("/v1/pods/" + pod + "/logs?timestamps=true&tail=3");
        List<String> stampedLines = List.of(stamped.body().split("\n"));
        assertEquals(3, stampedLines.size(), stamped.body());
        for (int i = 0; i < 3; i++) {
            var m = STAMPED.matcher(stampedLines.get(i));
            assertTrue(m.matches(), stampedLines.get(i));
            assertEquals(all.get(3 + i).get("text").asText(), m.group(2));
        }
        assertEquals(all, records(http.get("/v1/pods/" + pod + "/logs?since=2000-01-01T00:00:00Z")));
        assertEquals(200, http.get("/v1/pods/" + pod + "/logs?since=1m").status());
        assertEquals("", textOf("/v1/pods/" + pod + "/logs?tail=0").body());
    }

    /** A GET with Accept: text/plain over TCP (the unix-socket client of the tests sends no Accept). */
    private Http.Reply textOf(String uri) throws Exception {
        HttpResponse<String> r = tcp.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.daemon().port + uri))
                .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/plain").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new Http.Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
    }

    @Test
    void unknownPodsAppsAndBadParametersAreProblems() throws Exception {
        String pod = run("both", "");
        awaitState(pod, "exited");
        String app = http.get("/v1/pods/" + pod).json().get("app_names").get(0).asText();
        assertProblem(http.get("/v1/pods/0fffffff-0000-4000-8000-000000000000/logs"), 404, "no-such-pod", null);
        Http.Reply noApp = http.get("/v1/pods/" + pod + "/logs?app=nope");
        assertProblem(noApp, 404, "no-such-app", "app");
        assertTrue(noApp.json().get("detail").asText().contains(app), noApp.toString());
        assertProblem(http.get("/v1/pods/" + pod + "/logs?tail=-1"), 400, "invalid-field", "tail");
        assertProblem(http.get("/v1/pods/" + pod + "/logs?follow=maybe"), 400, "invalid-field", "follow");
        assertProblem(http.get("/v1/pods/" + pod + "/logs?since=yesterday"), 400, "invalid-field", "since");
        assertProblem(http.get("/v1/pods/" + pod + "/logs?app=Not%20An%20App"), 400, "invalid-field", "app");
    }

    @Test
    void followingARunningPodDeliversNewLinesAndEndsWhenItExits() throws Exception {
        String pod = run("waiter", "");
        awaitState(pod, "running");
        HttpResponse<Stream<String>> r = tcp.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + fixture.daemon().port + "/v1/pods/" + pod + "/logs?follow=true"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        List<String> seen = new ArrayList<>();
        try (Stream<String> lines = r.body()) {
            Iterator<String> it = lines.iterator();
            seen.add(Json.mapper().readTree(it.next()).get("text").asText());
            assertEquals(List.of("ready"), seen);
            // the pod waits for this file: what it writes next was not there when the stream began
            Files.createFile(fixture.data.resolve("pods").resolve(pod).resolve("rootfs").resolve("go"));
            while (it.hasNext()) {
                seen.add(Json.mapper().readTree(it.next()).get("text").asText());
            }
        }
        assertEquals(List.of("ready", "after-go"), seen);
        assertEquals(0, awaitState(pod, "exited").get("exit_code").asInt());
    }

    @Test
    void logsOverAWebSocketAreOneTextMessageARecordThenANormalClose() throws Exception {
        String pod = run("both", "");
        awaitState(pod, "exited");
        Messages m = new Messages();
        WebSocket ws = tcp.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
                .buildAsync(URI.create("ws://127.0.0.1:" + fixture.daemon().port + "/v1/pods/" + pod + "/logs"), m).get(30, TimeUnit.SECONDS);
        try {
            assertEquals("1000 ", m.closed.get(60, TimeUnit.SECONDS));
            List<JsonNode> got = new ArrayList<>();
            for (String t : m.texts) {
                got.add(Json.mapper().readTree(t));
            }
            assertEquals(List.of("out-1", "out-2", "out-3"), texts(got, "stdout"));
            assertEquals(List.of("err-1", "err-2", "err-3"), texts(got, "stderr"));
        } finally {
            ws.abort();
        }
    }

    @Test
    void attachTypesIntoAnInteractiveShellResizesDetachesAndEndsWithTheExitStatus() throws Exception {
        String pod = run("shell", ",\"interactive\":true");
        Messages first = attach(pod); // waits for the pod to run
        try {
            send(first.ws, AttachRoutes.RESIZE, new byte[] {0, 33, 0, 101});
            send(first.ws, AttachRoutes.STDIN, "stty size; echo hi-$((6*7))\n".getBytes(StandardCharsets.UTF_8));
            first.awaitOutput("hi-42");
            assertTrue(first.output().contains("33 101"), first.output());

            ExecutionException second = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> attach(pod));
            WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, second.getCause());
            assertEquals(409, refused.getResponse().statusCode());
        } finally {
            first.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(30, TimeUnit.SECONDS);
        }
        first.closed.get(60, TimeUnit.SECONDS);
        assertEquals("running", http.get("/v1/pods/" + pod).json().get("state").asText(), "detached: the pod runs on");

        Messages again = await().atMost(Duration.ofMinutes(1)).ignoreExceptionsInstanceOf(ExecutionException.class)
                .until(() -> attach(pod), a -> true); // the daemon lets go of the first client as it closes
        send(again.ws, AttachRoutes.STDIN, "echo back-$((2+3)); exit 3\n".getBytes(StandardCharsets.UTF_8));
        again.awaitOutput("back-5");
        assertEquals("1000 exited with status 3", again.closed.get(60, TimeUnit.SECONDS));
        JsonNode end = Json.mapper().readTree(again.end.get(10, TimeUnit.SECONDS));
        assertEquals("exited", end.get("type").asText(), end.toString());
        assertEquals(3, end.get("status").asInt(), end.toString());
        assertEquals(3, awaitState(pod, "exited").get("exit_code").asInt());
    }

    @Test
    void aClientThatReadsNothingIsClosedAndThePodGoesOn() throws Exception {
        String pod = run("shell", ",\"interactive\":true");
        Messages stalled = attach(pod, false);
        try {
            send(stalled.ws, AttachRoutes.STDIN, "head -c 33554432 /dev/zero | tr '\\0' x; echo; echo done-$((1+1))\n"
                    .getBytes(StandardCharsets.UTF_8));
            // past its backlog the client is let go: the pod is not held by it and writes all 32 MiB...
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> http.get("/v1/pods/" + pod + "/logs?tail=3").body().contains("done-2"));
            // ...and another client may attach, and gets the end of it replayed
            Messages next = await().atMost(Duration.ofMinutes(2)).ignoreExceptionsInstanceOf(ExecutionException.class)
                    .until(() -> attach(pod, true), a -> true);
            next.awaitOutput("done-2");
            send(next.ws, AttachRoutes.STDIN, "exit 0\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("1000 exited with status 0", next.closed.get(60, TimeUnit.SECONDS));
        } finally {
            stalled.ws.abort();
        }
    }

    @Test
    void attachToAPodWithoutATerminalIsAConflict() throws Exception {
        String pod = run("both", "");
        awaitState(pod, "exited");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> attach(pod));
        WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        assertEquals(409, refused.getResponse().statusCode());
        assertProblem(http.get("/v1/pods/" + pod + "/attach"), 400, "websocket-required", null);
    }

    private Messages attach(String pod) throws Exception {
        return attach(pod, true);
    }

    /** Attaches; a client that is not {@code reading} asks for no message at all (its socket fills up). */
    private Messages attach(String pod, boolean reading) throws Exception {
        Messages m = new Messages(reading);
        m.ws = tcp.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
                .buildAsync(URI.create("ws://127.0.0.1:" + fixture.daemon().port + "/v1/pods/" + pod + "/attach"), m)
                .get(3, TimeUnit.MINUTES);
        return m;
    }

    private static void send(WebSocket ws, byte channel, byte[] payload) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1 + payload.length).put(channel).put(payload).flip();
        ws.sendBinary(b, true).get(30, TimeUnit.SECONDS);
    }

    /** What a WebSocket received: text messages, attach output (channel 1), the end message (3), the close. */
    private static final class Messages implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final CompletableFuture<String> end = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private final StringBuffer output = new StringBuffer();
        private final boolean reading;
        WebSocket ws;

        Messages(boolean reading) {
            this.reading = reading;
        }

        Messages() {
            this(true);
        }

        @Override
        public void onOpen(WebSocket ws) {
            if (reading) {
                ws.request(1);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.write(b, 0, b.length);
            if (last) {
                byte[] message = binary.toByteArray();
                binary.reset();
                String payload = new String(message, 1, message.length - 1, StandardCharsets.UTF_8);
                if (message[0] == AttachRoutes.OUTPUT) {
                    output.append(payload);
                } else if (message[0] == AttachRoutes.END) {
                    end.complete(payload);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed.complete(status + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }

        String output() {
            return output.toString();
        }

        void awaitOutput(String wanted) {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> output.toString().contains(wanted) || closed.isDone());
            assertTrue(output.toString().contains(wanted), "no " + wanted + " in the output: " + output);
        }
    }
}
