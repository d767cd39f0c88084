package dev.rkj.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.testsupport.LeakCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real daemon under thousands of malformed requests ({@link Fuzz}), spoken byte by byte over its
 * unix socket and over TCP ({@link RawHttp}): none gets a 5xx, every 4xx is problem+json, no
 * connection is left hanging (an answer or a close within {@link #WITHIN}; a connection kept open is
 * still usable), and afterwards the daemon answers, the journal verifies and holds no new event.
 *
 * <p>The seed is fixed and printed: {@code -Drkj.fuzz.seed=N} changes it, {@code -Drkj.fuzz.only=K}
 * sends request K alone, {@code -Drkj.fuzz.requests=N} sends N.
 */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonFuzzIT {
    static final String TOKEN = "fuzz-token-for-the-test-0123456789abcdef";
    private static final Duration WITHIN = Duration.ofSeconds(10);
    private static final int WORKERS = 4;
    private static final int STOP_AFTER_FAILURES = 10;

    private DaemonFixture fixture;
    private Http http;

    @BeforeAll
    void startDaemon() throws Exception {
        // the daemon's log is kept for a failure's post-mortem: the build directory is the test's to write
        fixture = DaemonFixture.in("fuzz").token(TOKEN).keepDaemonLog(Path.of("target", "fuzz-daemon.log")).start();
        http = fixture.http();
    }

    @AfterAll
    void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void tenThousandMalformedRequestsGetNo5xxHangNoConnectionAndChangeNothing() throws Exception {
        long seed = Long.getLong("rkj.fuzz.seed", 20261205L);
        int count = Integer.getInteger("rkj.fuzz.requests", 10_000);
        Integer only = Integer.getInteger("rkj.fuzz.only");
        System.out.println("fuzz: seed " + seed + " (-Drkj.fuzz.seed=" + seed + " to repeat; -Drkj.fuzz.only=N for one request)");
        Map<String, Long> before = eventsByAggregateType();

        AtomicInteger next = new AtomicInteger(only == null ? 0 : only);
        int end = only == null ? count : only + 1;
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        Map<String, Map<String, Integer>> outcomes = new ConcurrentHashMap<>();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        try {
            for (int w = 0; w < WORKERS; w++) {
                workers.submit(() -> {
                    for (int n = next.getAndIncrement(); n < end && failures.size() < STOP_AFTER_FAILURES; n = next.getAndIncrement()) {
                        Fuzz.Request request = Fuzz.request(seed, n);
                        String failure;
                        String outcome;
                        try {
                            String[] result = send(request);
                            outcome = result[0];
                            failure = result[1];
                        } catch (IOException | RuntimeException e) {
                            outcome = "error";
                            failure = "the exchange failed: " + e;
                        }
                        outcomes.computeIfAbsent(request.kind(), k -> new ConcurrentHashMap<>()).merge(outcome, 1, Integer::sum);
                        if (failure != null) {
                            failures.add("seed " + seed + " " + request + "\n    -> " + failure);
                        }
                    }
                    return null;
                });
            }
        } finally {
            workers.shutdown();
            assertTrue(workers.awaitTermination(5, TimeUnit.MINUTES), "the fuzz workers did not finish");
        }
        System.out.println("fuzz: outcomes by kind " + new TreeMap<>(outcomes));
        assertTrue(failures.isEmpty(), () -> failures.size() + " failures (first " + STOP_AFTER_FAILURES + "):\n"
                + String.join("\n", failures) + "\n--- the daemon's log ends:\n" + tail(fixture.daemon().stderr));

        assertTrue(fixture.daemon().process.isAlive(), "the daemon is alive");
        assertEquals(200, http.get("/v1/openapi.json").status(), "the daemon answers");
        Http.Reply pods = http.get("/v1/pods");
        assertEquals(0, pods.json().get("pods").size(), "no pod was created: " + pods);
        Http.Reply images = http.get("/v1/images");
        assertEquals(0, images.json().size(), "no image was stored: " + images);
        assertEquals(before, eventsByAggregateType(), "no event was recorded");
        Http.Reply verified = http.post("/v1/journal/verify", null);
        assertTrue(verified.json().get("ok").asBoolean(), verified.toString());
    }

    /** Sends one request; returns what came of it (for the tally) and what is wrong with it, or null. */
    private String[] send(Fuzz.Request request) throws IOException {
        RawHttp raw = request.target() == Fuzz.Target.UNIX ? RawHttp.unix(fixture.daemon().socket) : RawHttp.tcp(fixture.daemon().port);
        try (RawHttp.Connection c = raw.connect()) {
            RawHttp.Outcome outcome = c.exchange(request.bytes(), request.halfClose(), request.head(), WITHIN);
            if (outcome instanceof RawHttp.Outcome.Stalled s) {
                return new String[] {"stalled", "neither an answer nor a close within " + WITHIN.toSeconds() + " s; got " + s.got()};
            }
            if (!(outcome instanceof RawHttp.Outcome.Answered a)) {
                return new String[] {"closed", null};
            }
            String wrong = wrong(request, a);
            if (wrong != null) {
                return new String[] {String.valueOf(a.status()), wrong + ": " + a};
            }
            if (a.status() == 101) {
                RawHttp.Outcome after = c.sendAndAwaitClose(request.frames() == null ? new byte[0] : request.frames(), WITHIN);
                return new String[] {"101", after instanceof RawHttp.Outcome.Stalled s
                        ? "a switched protocol (WebSocket, h2c) fed junk and closed by the client was not closed within " + WITHIN.toSeconds()
                                + " s; got " + s.got()
                        : null};
            }
            if (a.open() && !request.halfClose()) { // the connection must still serve the next request
                int expected = request.target() == Fuzz.Target.TCP_WITHOUT_TOKEN ? 401 : 200;
                RawHttp.Outcome again = c.exchange(Fuzz.frame(request.target(), "GET /v1/pods HTTP/1.1", List.of(), null),
                        false, false, WITHIN);
                if (again instanceof RawHttp.Outcome.Stalled s) {
                    return new String[] {String.valueOf(a.status()), "answered " + a.status()
                            + " and kept the connection, but the next request on it got nothing within "
                            + WITHIN.toSeconds() + " s; got " + s.got()};
                }
                if (again instanceof RawHttp.Outcome.Answered b && b.status() != expected) {
                    return new String[] {String.valueOf(a.status()), "answered " + a + " and kept the connection, but the"
                            + " next request on it (GET /v1/pods) got " + b};
                }
            }
            return new String[] {String.valueOf(a.status()), null};
        }
    }

    /** What is wrong with an answer, or null. */
    private static String wrong(Fuzz.Request request, RawHttp.Outcome.Answered a) {
        if (a.status() >= 500) {
            return "a 5xx";
        }
        String text = a.text();
        if (text.contains("Exception") || text.contains("\tat ")) {
            return "a Java exception in the answer";
        }
        String head = new String(request.bytes(), 0, Math.min(request.bytes().length, 40), StandardCharsets.ISO_8859_1);
        if (a.status() >= 200 && a.status() < 300 && (head.startsWith("POST /v1/pods ") || head.startsWith("POST /v1/images "))) {
            return "a malformed request was accepted";
        }
        if (a.status() >= 400 && !request.head()) {
            if (!String.valueOf(a.header("content-type")).startsWith(Problems.MEDIA_TYPE)) {
                return "a 4xx that is not problem+json";
            }
            try {
                JsonNode p = dev.rkj.eventlog.Json.mapper().readTree(text);
                if (p.path("status").asInt() != a.status() || p.path("code").asText().isEmpty()) {
                    return "a problem whose status or code is wrong";
                }
            } catch (IOException e) {
                return "a problem+json that is not JSON";
            }
        }
        return null;
    }

    /** The journal's events counted by aggregate type (the wire type's first word: pod, image). */
    private Map<String, Long> eventsByAggregateType() {
        Map<String, Long> counts = new TreeMap<>();
        long next = 0;
        long end;
        do {
            JsonNode page = http.get("/v1/journal?limit=1000&from=" + next).json();
            for (JsonNode e : page.get("events")) {
                String type = e.get("type").asText();
                counts.merge(type.substring(0, Math.max(0, type.indexOf('.'))), 1L, Long::sum);
            }
            next = page.get("next").asLong();
            end = page.get("end").asLong();
        } while (next < end);
        return counts;
    }

    private static String tail(Path file) {
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
