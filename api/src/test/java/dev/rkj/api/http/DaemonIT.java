package dev.rkj.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.eventlog.Json;
import dev.rkj.testsupport.LeakCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code rkj daemon} end to end: a real daemon process with its engine, real pods (stage1,
 * overlayfs, cgroups), real HTTP over its unix socket and over TCP; images built by the test.
 */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonIT {
    private static final String TOKEN = "s3cret-token-for-the-test-0123456789";

    private DaemonFixture fixture;
    private Path dir;
    private Http http;

    @BeforeAll
    void startDaemon() throws Exception {
        fixture = DaemonFixture.in("daemon").token(TOKEN).start();
        dir = fixture.dir;
        http = fixture.http();
        fixture.image("exit7", "[\"/bin/sh\", \"-c\", \"echo hello from $AC_APP_NAME; exit 7\"]");
        fixture.image("sleeper", "[\"/bin/sleep\", \"600\"]");
        fixture.image("stubborn", "[\"/bin/sh\", \"-c\", \"trap '' TERM; while true; do sleep 1; done\"]");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private String run(String image, boolean start) {
        return fixture.run(image, start);
    }

    private JsonNode awaitState(String pod, String state) {
        return fixture.awaitState(pod, state);
    }

    private void assertProblem(Http.Reply r, int status, String code, String field) {
        assertEquals(status, r.status(), r.toString());
        assertEquals("application/problem+json", r.contentType(), r.toString());
        JsonNode p = r.json();
        assertEquals(code, p.get("code").asText(), r.toString());
        assertEquals(status, p.get("status").asInt(), r.toString());
        assertTrue(p.get("type").asText().endsWith(code), r.toString());
        if (field != null) {
            assertEquals(field, p.path("field").asText(), r.toString());
        }
        assertFalse(r.body().contains("Exception"), "a Java exception name in " + r);
    }

    @Test
    void aPodRunThroughPostExitsAndGetShowsItsExitAndTheJournalIndex() {
        String pod = run("exit7", true);
        JsonNode state = awaitState(pod, "exited");
        assertEquals(7, state.get("exit_code").asInt(), state.toString());
        assertTrue(state.get("index").asLong() > 0, state.toString());
        assertTrue(state.get("created_at").asText().endsWith("Z"), state.toString());
        assertEquals(204, http.delete("/v1/pods/" + pod).status());
        assertProblem(http.get("/v1/pods/" + pod), 404, "no-such-pod", null);
    }

    @Test
    void privateUsersRunsThePodInAUserNamespaceWhoseRangeThePodsJsonTells() {
        String pod = fixture.run("exit7", ",\"privateUsers\":true");
        JsonNode state = awaitState(pod, "exited");
        assertEquals(7, state.get("exit_code").asInt(), state.toString());
        JsonNode users = null;
        for (JsonNode i : state.path("isolators")) {
            users = i.get("name").asText().equals("rkj/private-users") ? i : users;
        }
        assertTrue(users != null && users.get("outcome").asText().equals("applied")
                && users.get("reason").asText().matches(".*uid_map 0:\\d+:65536\\)"), state.toString());
        assertEquals(204, http.delete("/v1/pods/" + pod).status());
    }

    @Test
    void aPreparedPodStartsWithPostStart() {
        String pod = run("exit7", false);
        awaitState(pod, "prepared");
        Http.Reply started = http.post("/v1/pods/" + pod + "/start", null);
        assertEquals(200, started.status(), started.toString());
        assertEquals(7, awaitState(pod, "exited").get("exit_code").asInt());
        assertProblem(http.post("/v1/pods/" + pod + "/start", null), 409, "illegal-transition", null);
        assertEquals(204, http.delete("/v1/pods/" + pod).status());
    }

    @Test
    void listFiltersByStateImageAndApp() {
        String sleeper = run("sleeper", true);
        String exited = run("exit7", true);
        awaitState(sleeper, "running");
        awaitState(exited, "exited");
        assertEquals(List.of(sleeper), names(http.get("/v1/pods?state=running")));
        assertTrue(names(http.get("/v1/pods?state=exited")).contains(exited));
        assertFalse(names(http.get("/v1/pods?state=exited")).contains(sleeper));
        assertEquals(List.of(sleeper), names(http.get("/v1/pods?image=" + fixture.imageId("sleeper"))));
        assertEquals(List.of(sleeper), names(http.get("/v1/pods?image=example.com/sleeper")));
        assertTrue(names(http.get("/v1/pods?app=exit7")).contains(exited));
        assertFalse(names(http.get("/v1/pods?app=exit7")).contains(sleeper));
        assertProblem(http.get("/v1/pods?state=sleeping"), 400, "invalid-field", "state");
        Http.Reply stopped = http.post("/v1/pods/" + sleeper + "/stop", "{\"force\":true}");
        assertEquals(200, stopped.status(), stopped.toString());
        assertEquals(204, http.delete("/v1/pods/" + sleeper).status());
        assertEquals(204, http.delete("/v1/pods/" + exited).status());
    }

    private static List<String> names(Http.Reply list) {
        assertEquals(200, list.status(), list.toString());
        List<String> names = new ArrayList<>();
        list.json().get("pods").forEach(p -> names.add(p.get("name").asText()));
        return names;
    }

    @Test
    void stopSendsSigtermThenSigkillAfterTheTimeoutAndRmRefusesARunningPod() {
        String pod = run("stubborn", true);
        awaitState(pod, "running");
        assertProblem(http.delete("/v1/pods/" + pod), 409, "illegal-transition", null);
        Http.Reply stopped = http.post("/v1/pods/" + pod + "/stop", "{\"timeout\":\"1s\"}");
        assertEquals(200, stopped.status(), stopped.toString());
        assertEquals("exited", stopped.json().get("state").asText(), stopped.toString());
        assertProblem(http.post("/v1/pods/" + pod + "/stop", "{\"timeout\":\"soon\"}"), 400, "invalid-field", "timeout");
        assertEquals(204, http.delete("/v1/pods/" + pod).status());
    }

    @Test
    void imagesAreListedWithTheirManifests() {
        Http.Reply list = http.get("/v1/images");
        assertEquals(200, list.status(), list.toString());
        List<String> ids = new ArrayList<>();
        list.json().forEach(i -> ids.add(i.get("id").asText()));
        assertTrue(ids.containsAll(fixture.imageIds()), list.toString());
        String id = fixture.imageId("sleeper");
        Http.Reply one = http.get("/v1/images/" + id.substring(0, 20));
        assertEquals(200, one.status(), one.toString());
        assertEquals("example.com/sleeper", one.json().get("name").asText());
        Http.Reply manifest = http.get("/v1/images/" + id + "/manifest");
        assertEquals(200, manifest.status(), manifest.toString());
        assertEquals("ImageManifest", manifest.json().get("acKind").asText());
        assertEquals("example.com/sleeper", manifest.json().get("name").asText());
        assertProblem(http.get("/v1/images/sha512-" + "0".repeat(128)), 404, "no-such-image", null);
        assertProblem(http.get("/v1/images/not-an-id"), 400, "invalid-field", "id");
        assertProblem(http.post("/v1/images", "{\"path\":\"" + dir.resolve("nothing.aci") + "\",\"insecureOptions\":[\"image\"]}"),
                400, "invalid-field", "path");
        Http.Reply unsigned = http.post("/v1/images", "{\"path\":\"" + dir.resolve("sleeper.aci") + "\"}");
        assertProblem(unsigned, 422, "unverified-image", null);
        assertTrue(unsigned.json().get("detail").asText().contains("has no signature"), unsigned.toString());
        assertProblem(http.post("/v1/images", "{\"image\":\"http://127.0.0.1:1/a.aci\",\"insecureOptions\":[\"image\"]}"),
                400, "invalid-field", "image"); // plain HTTP without insecureOptions http
        assertProblem(http.post("/v1/images", "{\"image\":\"https://127.0.0.1:1/a.aci\",\"insecureOptions\":[\"image\"]}"),
                502, "fetch-failed", "image");
        Http.Reply fetches = http.get("/v1/fetches");
        assertEquals(200, fetches.status(), fetches.toString());
        assertEquals(0, fetches.json().size(), "no download in progress: " + fetches);
    }

    @Test
    void theJournalIsReadInPagesWhoseNextIndexLeadsToItsEndAndItVerifies() {
        List<Long> indices = new ArrayList<>();
        long next = 0;
        long end;
        do {
            Http.Reply page = http.get("/v1/journal?limit=3&from=" + next);
            assertEquals(200, page.status(), page.toString());
            JsonNode json = page.json();
            json.get("events").forEach(e -> indices.add(e.get("index").asLong()));
            assertTrue(json.get("events").size() <= 3);
            next = json.get("next").asLong();
            end = json.get("end").asLong();
        } while (next < end);
        assertTrue(indices.size() >= 3, indices.toString());
        for (int i = 0; i < indices.size(); i++) {
            assertEquals((long) i, indices.get(i), "pages have no gap and no duplicate: " + indices);
        }
        Http.Reply stored = http.get("/v1/journal?type=image.stored&limit=1000");
        assertEquals(200, stored.status(), stored.toString());
        stored.json().get("events").forEach(e -> assertTrue(e.get("type").asText().startsWith("image.stored/"), e.toString()));
        assertTrue(stored.json().get("events").size() >= fixture.imageIds().size(), stored.toString());
        Http.Reply ranged = http.get("/v1/journal?from=1&to=2");
        assertEquals(2, ranged.json().get("events").size(), ranged.toString());
        assertEquals(3, ranged.json().get("next").asLong(), ranged.toString());
        assertProblem(http.get("/v1/journal?limit=0"), 400, "invalid-field", "limit");
        assertProblem(http.get("/v1/journal?from=-1"), 400, "invalid-field", "from");
        assertProblem(http.get("/v1/journal?from=5&to=4"), 400, "invalid-field", "to");
        Http.Reply verified = http.post("/v1/journal/verify", null);
        assertEquals(200, verified.status(), verified.toString());
        assertTrue(verified.json().get("ok").asBoolean(), verified.toString());
    }

    @Test
    void badInputIsA4xxProblemNamingTheFieldAndCreatesNoPod() {
        int pods = http.get("/v1/pods").json().get("pods").size();
        assertProblem(http.post("/v1/pods", "{\"image\": 5}"), 400, "invalid-field", "image");
        assertProblem(http.post("/v1/pods", "{}"), 400, "invalid-field", null);
        assertProblem(http.post("/v1/pods", "{\"image\":\"" + fixture.imageId("exit7") + "\",\"memory\":\"lots\"}"),
                400, "invalid-field", "memory");
        assertProblem(http.post("/v1/pods", "{\"image\":\"" + fixture.imageId("exit7") + "\",\"net\":\"bridge\"}"),
                400, "invalid-field", "net");
        assertProblem(http.post("/v1/pods", "{\"image\":\"" + fixture.imageId("exit7") + "\",\"capsRetain\":[\"CAP_NOPE\"]}"),
                400, "invalid-field", "capsRetain");
        assertProblem(http.post("/v1/pods", "{\"image\":\"" + fixture.imageId("exit7") + "\",\"exec\":\"relative/sh\"}"),
                400, "invalid-field", "exec");
        assertProblem(http.post("/v1/pods", "{\"image\":\"" + fixture.imageId("exit7") + "\",\"env\":{\"A\":1}}"),
                400, "invalid-field", "env.A");
        assertProblem(http.post("/v1/pods", "{\"image\":\"example.com/nothing\"}"), 404, "no-such-image", "image");
        assertProblem(http.post("/v1/pods", "{\"image\":\"/no/such.aci\"}"), 400, "invalid-field", "image");
        assertProblem(http.post("/v1/pods", "{\"image\":"), 400, "invalid-field", "body");
        assertProblem(http.send(io.vertx.core.http.HttpMethod.POST, "/v1/pods", "{}", null), 415, "unsupported-media-type", "body");
        assertProblem(http.get("/v1/pods/ZZZ"), 400, "invalid-field", "id");
        assertProblem(http.get("/v1/pods/0123abcd-0000-4000-8000-000000000000"), 404, "no-such-pod", null);
        assertProblem(http.get("/v1/nothing"), 404, "no-such-route", null);
        assertProblem(http.send(io.vertx.core.http.HttpMethod.PUT, "/v1/pods", "{}", "application/json"),
                405, "method-not-allowed", null);
        assertEquals(pods, http.get("/v1/pods").json().get("pods").size(), "no pod is created by bad input");
    }

    @Test
    void theOpenApiDocumentIsServed() {
        Http.Reply doc = http.get("/v1/openapi.json");
        assertEquals(200, doc.status());
        assertEquals("3.1.0", doc.json().get("openapi").asText());
        assertTrue(doc.json().get("paths").has("/v1/pods/{id}/stop"));
    }

    @Test
    void tcpNeedsTheBearerToken() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + fixture.daemon().port + "/v1/pods");
        HttpResponse<String> without = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, without.statusCode(), without.body());
        assertTrue(without.body().contains("\"unauthorized\""), without.body());
        HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer nope").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode(), wrong.body());
        HttpResponse<String> with = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, with.statusCode(), with.body());
        assertTrue(with.body().contains("\"pods\""), with.body());
    }

    @Test
    void theEventStreamDeliversEveryEventOnceInOrderAcrossADisconnectWithTheStateAfterIt() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<JsonNode> seen = new ArrayList<>();
        String pod;
        long last;
        try (java.util.stream.Stream<String> lines = events(client, "")) {
            Iterator<String> it = lines.iterator();
            JsonNode subscribed = Json.mapper().readTree(it.next());
            assertEquals("subscribed", subscribed.get("type").asText(), subscribed.toString());
            last = subscribed.get("index").asLong();
            pod = run("exit7", true);
            while (seen.stream().noneMatch(e -> e.get("type").asText().startsWith("pod.started/"))) {
                JsonNode e = Json.mapper().readTree(it.next());
                if (e.has("aggregate") && e.get("aggregate").asText().equals(pod)) {
                    seen.add(e);
                }
                last = e.get("index").asLong();
            }
        } // disconnected in the middle of the pod's life
        try (java.util.stream.Stream<String> lines = events(client, "?after=" + last + "&aggregate=" + pod)) {
            Iterator<String> it = lines.iterator();
            assertEquals(last, Json.mapper().readTree(it.next()).get("index").asLong(), "resumed where it was");
            while (seen.stream().noneMatch(e -> e.get("type").asText().startsWith("pod.exited/"))) {
                JsonNode e = Json.mapper().readTree(it.next());
                if (!e.get("type").asText().equals("heartbeat")) {
                    seen.add(e);
                }
            }
        }
        List<Long> journal = new ArrayList<>();
        for (JsonNode e : http.get("/v1/journal?aggregate=" + pod + "&limit=1000").json().get("events")) {
            journal.add(e.get("index").asLong());
        }
        assertEquals(journal, seen.stream().map(e -> e.get("index").asLong()).toList(),
                "every event of the pod exactly once, in journal order");
        JsonNode exited = seen.get(seen.size() - 1);
        assertEquals("exited", exited.get("pod").get("state").asText(), exited.toString());
        assertEquals(7, exited.get("pod").get("exit_code").asInt(), exited.toString());
        HttpResponse<String> beyond = client.send(request("?after=" + Long.MAX_VALUE / 2), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, beyond.statusCode(), beyond.body());
        assertTrue(beyond.body().contains("\"field\":\"after\""), beyond.body());
    }

    @Test
    void theEventStreamIsServerSentEventsForABrowserResumingFromLastEventId() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest sse = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.daemon().port + "/v1/events"))
                .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream")
                .header("Last-Event-ID", "0").build();
        HttpResponse<java.util.stream.Stream<String>> r = client.send(sse, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        try (java.util.stream.Stream<String> lines = r.body()) {
            List<String> first = lines.limit(6).toList();
            assertEquals("event: subscribed", first.get(0), first.toString());
            assertEquals("data: {\"type\":\"subscribed\",\"index\":0}", first.get(1), first.toString());
            assertEquals("", first.get(2), first.toString());
            assertEquals("id: 1", first.get(3), "the event after Last-Event-ID, its index as its id: " + first);
            assertEquals(1, Json.mapper().readTree(first.get(4).substring("data: ".length())).get("index").asLong());
        }
        HttpResponse<String> bad = client.send(HttpRequest.newBuilder(sse.uri()).header("Authorization", "Bearer " + TOKEN)
                .header("Last-Event-ID", "yesterday").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("Last-Event-ID"), bad.body());
    }

    @Test
    void theEventStreamOverAWebSocketIsOneTextMessageAnEvent() throws Exception {
        java.util.concurrent.BlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            private final StringBuilder part = new StringBuilder();

            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                part.append(data);
                if (last) {
                    messages.add(part.toString());
                    part.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int status, String reason) {
                closed.complete(status + " " + reason);
                return null;
            }
        };
        URI uri = URI.create("ws://127.0.0.1:" + fixture.daemon().port + "/v1/events?after=0");
        java.net.http.WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
                .buildAsync(uri, listener).get(30, java.util.concurrent.TimeUnit.SECONDS);
        try {
            JsonNode subscribed = Json.mapper().readTree(messages.poll(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals("subscribed", subscribed.get("type").asText(), subscribed.toString());
            assertEquals(0, subscribed.get("index").asLong());
            assertEquals(1, Json.mapper().readTree(messages.poll(30, java.util.concurrent.TimeUnit.SECONDS)).get("index").asLong());
            assertEquals(2, Json.mapper().readTree(messages.poll(30, java.util.concurrent.TimeUnit.SECONDS)).get("index").asLong());
        } finally {
            ws.abort();
        }
        java.net.http.WebSocket beyond = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
                .buildAsync(URI.create("ws://127.0.0.1:" + fixture.daemon().port + "/v1/events?after=" + Long.MAX_VALUE / 2), listener)
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        String close = closed.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(close.startsWith("1008 after ") && close.contains("beyond the journal's last index"), close);
        beyond.abort();
    }

    private java.util.stream.Stream<String> events(HttpClient client, String query) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> r = client.send(request(query), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private HttpRequest request(String query) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.daemon().port + "/v1/events" + query))
                .header("Authorization", "Bearer " + TOKEN).build();
    }

    @Test
    void theSocketIsReadAndWritableByItsOwnerAndGroupOnly() throws Exception {
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(fixture.daemon().socket)));
    }

    @Test
    void sigtermStopsTheDaemonButNotItsPodsAndTheNextDaemonSeesThem() throws Exception {
        String pod = run("sleeper", true);
        awaitState(pod, "running");
        assertEquals(0, fixture.daemon().terminate(), () -> read(fixture.daemon().stderr));
        assertFalse(Files.exists(fixture.daemon().socket), "the socket file is removed");
        fixture.restart();
        Http.Reply state = http.get("/v1/pods/" + pod);
        assertEquals("running", state.json().get("state").asText(), state.toString());
        Http.Reply stopped = http.post("/v1/pods/" + pod + "/stop", "{\"timeout\":\"10s\"}");
        assertEquals("exited", stopped.json().get("state").asText(), stopped.toString());
        assertEquals(204, http.delete("/v1/pods/" + pod).status());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
