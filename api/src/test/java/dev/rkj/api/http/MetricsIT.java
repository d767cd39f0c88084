package dev.rkj.api.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.testsupport.LeakCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /metrics} of a real daemon after real pods ran, with an event subscriber open. */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
    private static final String TOKEN = "metrics-test-token-0123456789abcdef";

    private DaemonFixture fixture;
    private Http http;

    @BeforeAll
    void startDaemon() throws Exception {
        fixture = DaemonFixture.in("metrics").token(TOKEN).start();
        http = fixture.http();
        fixture.image("quick", "[\"/bin/true\"]");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void metricsShowLaunchLatencyPodsByStateTheJournalSubscribersAndRequestsByRoute() throws Exception {
        String pod = run();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> http.get("/v1/pods/" + pod).json().get("state").asText().equals("exited"));
        long last = http.get("/v1/pods/" + pod).json().get("index").asLong() - 1;
        http.get("/v1/pods/" + pod + "-no-such"); // a 4xx on a templated route: still one series, not one per path

        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> events = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + fixture.daemon().port + "/v1/events?after=-1"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = events.body()) {
            Iterator<String> it = lines.iterator();
            assertTrue(it.next().contains("\"subscribed\""));
            Http.Reply scraped = http.get("/metrics");
            assertEquals(200, scraped.status(), scraped.toString());
            assertTrue(scraped.contentType().startsWith("text/plain"), scraped.contentType());
            String m = scraped.body();

            assertTrue(value(m, "rkj_pod_launch_seconds_count").orElseThrow() >= 1, m);
            double sum = value(m, "rkj_pod_launch_seconds_sum").orElseThrow();
            assertTrue(sum > 0 && sum < 120, "launch latency sum " + sum + " s\n" + m);
            assertTrue(m.contains("rkj_pod_launch_seconds_bucket{le=\"+Inf\"}"), m);
            assertEquals(1.0, value(m, "rkj_pods{state=\"exited\"}").orElseThrow(), m);
            assertEquals(0.0, value(m, "rkj_pods{state=\"running\"}").orElseThrow(), m);
            assertTrue(value(m, "rkj_journal_index").orElseThrow() >= last, "journal index at least " + last + "\n" + m);
            assertEquals(1.0, value(m, "rkj_event_subscribers").orElseThrow(), m);
            assertTrue(value(m, "rkj_event_subscriber_lag_max").orElseThrow() >= 0, m);
            assertTrue(Pattern.compile("(?m)^vertx_http_server_requests_total\\{[^}]*code=\"201\"[^}]*method=\"POST\""
                    + "[^}]*route=\"/v1/pods\"[^}]*\\} [1-9]").matcher(m).find(), m);
            assertTrue(Pattern.compile("(?m)^vertx_http_server_requests_total\\{[^}]*code=\"200\"[^}]*method=\"GET\""
                    + "[^}]*route=\"/v1/pods/:id\"[^}]*\\} [1-9]").matcher(m).find(), m);
            assertFalse(m.contains(pod), "no series is labelled with a raw path\n" + m);
        }

        HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fixture.daemon().port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), "/metrics over TCP needs the token as /v1 does");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> value(http.get("/metrics").body(), "rkj_event_subscribers").orElseThrow() == 0.0);
    }

    /** The sample of {@code series} (name and labels exactly as written), if there is one. */
    private static OptionalDouble value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    private String run() {
        return fixture.run("quick", true);
    }
}
