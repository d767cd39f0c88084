package dev.rkj.api.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.api.cli.Cli;
import dev.rkj.eventlog.Json;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Leaks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daemon under load: many pod launches at once through the API, and the event stream across
 * a disconnect and a daemon restart while another client keeps launching pods.
 */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonLoadIT {
    private static final String TOKEN = "load-token-for-the-test-0123456789abcdef";
    private static final int PODS = 200;
    private static final int IN_FLIGHT = 40;

    private DaemonFixture fixture;
    private Path data;
    private Http http;
    private String image;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    void startDaemon() throws Exception {
        fixture = DaemonFixture.in("load").token(TOKEN).start();
        data = fixture.data;
        http = fixture.http();
        image = fixture.image("exits", "[\"/bin/sh\", \"-c\", \"exit ${CODE:-0}\"]");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private record CliRun(int code, String out, String err) {}

    private static CliRun cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute(args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private HttpRequest.Builder tcp(String uri) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.daemon().port + uri)).header("Authorization", "Bearer " + TOKEN);
    }

    @Test
    void twoHundredConcurrentLaunchesThroughTheApiEachExitWithItsOwnStatusAndLeaveNothingAfterGc() throws Exception {
        Map<String, Integer> expected = new ConcurrentHashMap<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<Void>> posts = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            int code = i % 256;
            inFlight.acquire();
            HttpRequest post = tcp("/v1/pods").timeout(Duration.ofMinutes(2)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"image\":\"" + image + "\",\"start\":true,"
                            + "\"insecureOptions\":[\"image\"],\"net\":\"none\",\"env\":{\"CODE\":\"" + code + "\"}}")).build();
            posts.add(client.sendAsync(post, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
                inFlight.release();
                if (e != null || r.statusCode() != 201) {
                    refused.add(e != null ? e.toString() : r.statusCode() + " " + r.body());
                } else {
                    expected.put(json(r.body()).get("name").asText(), code);
                }
                return null;
            }));
        }
        CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        assertEquals(List.of(), refused, "every launch is accepted");
        assertEquals(PODS, expected.size());

        Map<String, JsonNode> finished = new TreeMap<>();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (JsonNode p : http.get("/v1/pods").json().get("pods")) {
                String state = p.get("state").asText();
                if (expected.containsKey(p.get("name").asText()) && !state.equals("running") && !state.equals("prepared")
                        && !state.equals("preparing") && !state.equals("embryo")) {
                    finished.put(p.get("name").asText(), p);
                }
            }
            return finished.size() == PODS;
        });
        List<String> wrong = new ArrayList<>();
        expected.forEach((pod, code) -> {
            JsonNode p = finished.get(pod);
            if (!p.get("state").asText().equals("exited") || p.path("exit_code").asInt(-1) != code) {
                wrong.add(pod + " should have exited with " + code + ": " + p);
            }
        });
        assertEquals(List.of(), wrong, "each pod's recorded exit is its own");
        Http.Reply verified = http.post("/v1/journal/verify", null);
        assertTrue(verified.json().get("ok").asBoolean(), verified.toString());

        Http.Reply gc = http.post("/v1/pods/gc", "{\"gracePeriod\":\"0s\"}");
        assertEquals(200, gc.status(), gc.toString());
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            http.post("/v1/pods/gc", "{\"gracePeriod\":\"0s\"}");
            Set<String> left = new TreeSet<>();
            http.get("/v1/pods").json().get("pods").forEach(p -> left.add(p.get("name").asText()));
            left.retainAll(expected.keySet());
            return left.isEmpty();
        });
        assertEquals(List.of(), Leaks.current(expected.keySet()), "no mount, cgroup or process of those pods is left");
        for (String pod : expected.keySet()) {
            assertTrue(!Files.exists(data.resolve("pods").resolve(pod)), "pod directory " + pod + " is removed");
        }
    }

    private static JsonNode json(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /**
     * A subscriber of {@code /v1/events} over TCP reading on a thread of its own: it keeps the journal
     * events (not the control messages), stops after {@code stopAfter} of them (a disconnect in the
     * middle of the stream), when it has seen {@link #until} or when the stream ends under it.
     */
    private final class Subscriber {
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        final Thread thread;
        volatile long last;
        volatile long until = Long.MAX_VALUE;
        volatile String ended;

        Subscriber(String name, long after, int stopAfter) {
            last = after;
            HttpRequest request = tcp("/v1/events?after=" + after).build();
            thread = new Thread(() -> {
                try {
                    HttpResponse<java.util.stream.Stream<String>> r = client.send(request, HttpResponse.BodyHandlers.ofLines());
                    assertEquals(200, r.statusCode());
                    try (java.util.stream.Stream<String> lines = r.body()) {
                        var it = lines.iterator();
                        while (events.size() < stopAfter && last < until && it.hasNext()) {
                            JsonNode n;
                            try {
                                n = Json.mapper().readTree(it.next());
                            } catch (java.io.IOException e) { // a line cut by the daemon's exit
                                break;
                            }
                            if (n.get("type").asText().contains("/")) {
                                events.add(n);
                                last = n.get("index").asLong();
                            }
                        }
                    }
                    ended = "read to its stop";
                } catch (Exception | AssertionError e) {
                    ended = "cut: " + e;
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        void await(long index) throws InterruptedException {
            until = index;
            thread.join(TimeUnit.MINUTES.toMillis(2));
            assertTrue(!thread.isAlive() && last >= index, "subscriber " + thread.getName() + " reached " + last
                    + ", not " + index + " (" + ended + ")");
        }
    }

    @Test
    void everyEventArrivesOnceInOrderAcrossADisconnectAndADaemonRestartWhilePodsKeepChanging() throws Exception {
        long start = http.get("/v1/journal?limit=1").json().get("end").asLong() - 1;
        Subscriber leaving = new Subscriber("leaves", start, 6);
        Subscriber cut = new Subscriber("cut-by-the-restart", start, Integer.MAX_VALUE);
        List<String> launched = new CopyOnWriteArrayList<>();
        List<String> failed = new CopyOnWriteArrayList<>();
        Thread launcher = new Thread(() -> { // another client: the CLI, in-process, on the same data directory
            for (int i = 1; i <= 6; i++) {
                CliRun run = cli("--dir", data.toString(), "run", "--net=none", "--insecure-options=image", "--set-env=CODE=" + i, image);
                (run.code == i ? launched : failed).add("run " + i + " exited " + run.code + " " + run.err);
            }
        }, "cli-launcher");
        launcher.start();
        leaving.thread.join(TimeUnit.MINUTES.toMillis(2)); // it disconnected mid-stream, after six events
        assertEquals(6, leaving.events.size(), leaving.ended);
        assertEquals(0, fixture.daemon().terminate(), "the daemon stops on SIGTERM");
        cut.thread.join(TimeUnit.MINUTES.toMillis(1));
        assertTrue(!cut.thread.isAlive(), "the daemon's exit ended the stream");
        fixture.restart();
        Subscriber leavingBack = new Subscriber("leaves-and-comes-back", leaving.last, Integer.MAX_VALUE);
        Subscriber cutBack = new Subscriber("cut-and-comes-back", cut.last, Integer.MAX_VALUE);
        launcher.join(TimeUnit.MINUTES.toMillis(4));
        assertEquals(List.of(), failed, "the CLI's pods ran");
        assertEquals(6, launched.size(), launched.toString());
        long end = http.get("/v1/journal?limit=1").json().get("end").asLong() - 1;
        leavingBack.await(end);
        cutBack.await(end);

        List<String> reference = new ArrayList<>();
        long next = start + 1;
        while (next <= end) {
            JsonNode page = http.get("/v1/journal?limit=1000&from=" + next + "&to=" + end).json();
            page.get("events").forEach(e -> reference.add(e.get("index").asLong() + " " + e.get("type").asText() + " "
                    + e.get("aggregate").asText()));
            next = page.get("next").asLong();
        }
        assertTrue(reference.size() > 6 * 5, "the pods made events: " + reference);
        assertEquals(reference, seen(end, leaving, leavingBack), "the subscriber that left got every event once, in order");
        assertEquals(reference, seen(end, cut, cutBack), "the subscriber the restart cut got every event once, in order");
    }

    /** What the two subscriptions of one subscriber delivered, up to {@code end} (the reference's last index). */
    private static List<String> seen(long end, Subscriber before, Subscriber after) {
        List<String> seen = new ArrayList<>();
        for (Subscriber s : List.of(before, after)) {
            s.events.stream().filter(e -> e.get("index").asLong() <= end).forEach(e -> seen.add(e.get("index").asLong() + " "
                    + e.get("type").asText() + " " + e.get("aggregate").asText()));
        }
        return seen;
    }
}
