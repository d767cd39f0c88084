package dev.rkj.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.api.cli.Cli;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.Stage;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.testsupport.LeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A journal whose oldest day files were pruned ({@code rkj journal prune}): every pod is still
 * known to {@code rkj list} and to a daemon's engine (from the snapshot at the first kept event),
 * the chain verifies from its anchor, and a cursor older than what is kept gets 410 Gone.
 */
@ExtendWith(LeakCheck.class)
class RetentionIT {
    private static final PodOwner OWNER = new PodOwner("engine-of-the-past", 1);

    /** A clock the test sets by hand, to spread a history over days. */
    private static final class SetClock extends Clock {
        Instant now;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aPrunedJournalKeepsEveryPodAndAPrunedCursorGets410WithTheOldestIndex() throws Exception {
        try (DaemonFixture fixture = DaemonFixture.in("retention")) {
            Path data = fixture.data;
            Instant today = Instant.now();
            SetClock clock = new SetClock();
            clock.now = today.minus(Duration.ofDays(5));
            List<String> pods = new ArrayList<>();
            try (ChronicleJournal journal = ChronicleJournal.open(data.resolve("journal"), EngineEvents.registry(), clock)) {
                for (int daysAgo = 5; daysAgo >= 0; daysAgo--) {
                    clock.now = today.minus(Duration.ofDays(daysAgo));
                    String pod = UUID.randomUUID().toString();
                    pods.add(pod);
                    journal.append(pod, new PodEvent.PodCreated(pod, PodSpec.of("example.com/old:1.0"), OWNER));
                    journal.append(pod, new PodEvent.StageFailed(pod, Stage.FETCH, "example.com/old is not there", false));
                }
            }

            String pruned = cli(0, "--dir", data.toString(), "journal", "prune", "--keep-days", "2");
            assertTrue(pruned.contains("pruned 3 day files"), pruned);
            long first;
            try (ChronicleJournal journal = ChronicleJournal.openReadOnly(data.resolve("journal"), EngineEvents.registry())) {
                first = journal.firstIndex();
            }
            assertEquals(6, first, "three days of two events each were pruned");
            String verified = cli(0, "--dir", data.toString(), "journal", "verify");
            assertTrue(verified.contains("journal OK: 6 events") && verified.contains("from index 6"), verified);
            String listed = cli(0, "--dir", data.toString(), "list", "--full", "--no-legend");
            for (String pod : pods) {
                assertTrue(listed.contains(pod), "rkj list shows " + pod + ", even those of pruned days:\n" + listed);
            }

            Http http = fixture.token("s3cret-token-for-the-test-0123456789").start().http();

            Http.Reply gone = http.get("/v1/events?after=0");
            assertEquals(410, gone.status(), gone.toString());
            assertTrue(gone.contentType().startsWith("application/problem+json"), gone.toString());
            assertEquals(first, gone.json().get("oldestIndex").asLong(), gone.toString());
            assertEquals("cursor-pruned", gone.json().get("code").asText());

            Http.Reply page = http.get("/v1/journal");
            assertEquals(200, page.status(), page.toString());
            assertEquals(first, page.json().get("events").get(0).get("index").asLong(), page.toString());
            assertEquals(410, http.get("/v1/journal?from=0").status());

            Http.Reply listedByApi = http.get("/v1/pods");
            assertEquals(200, listedByApi.status(), listedByApi.toString());
            Set<String> names = new HashSet<>();
            for (JsonNode pod : listedByApi.json().get("pods")) {
                names.add(pod.get("name").asText());
            }
            assertTrue(names.containsAll(pods), "the daemon's engine knows every pod: " + names);
        }
    }

    private static String cli(int expected, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute(args);
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(expected, code, String.join(" ", args) + ": " + text);
        return text;
    }
}
