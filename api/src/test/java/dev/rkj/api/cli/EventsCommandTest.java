package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rkj events} on a real Chronicle journal written by the test (and by a second writer while it follows). */
class EventsCommandTest {
    private static final String POD_A = "6f1c2a3b-0000-4000-8000-00000000000a";
    private static final String POD_B = "7e2d3b4c-0000-4000-8000-00000000000b";
    private static final PodOwner OWNER = new PodOwner("engine-test", 4242);

    @TempDir
    Path dir;

    @BeforeEach
    void twoPods() throws Exception {
        try (Journal journal = ChronicleJournal.open(dir.resolve("journal"), EngineEvents.registry())) {
            journal.append(POD_A, new PodEvent.PodCreated(POD_A, PodSpec.of("example.com/app"), OWNER));
            journal.append(POD_B, new PodEvent.PodCreated(POD_B, PodSpec.of("example.com/other"), OWNER));
            journal.append(POD_A, new PodEvent.PodExited(POD_A, 7, "app exited"));
        }
    }

    @Test
    void jsonLinesCarryTheIndexThePayloadAndThePodsStateAfter() throws Exception {
        CliRun run = CliRun.of("--dir", dir.toString(), "events", "--format=json");
        assertEquals(0, run.code(), run.err());
        List<JsonNode> events = run.out().lines().map(EventsCommandTest::parse).toList();
        assertEquals(List.of(0L, 1L, 2L), events.stream().map(e -> e.get("index").asLong()).toList());
        assertEquals("pod.exited/2", events.get(2).get("type").asText());
        assertEquals(7, events.get(2).get("payload").get("exitCode").asInt());
        assertEquals("exited", events.get(2).get("pod").get("state").asText());
        assertEquals(7, events.get(2).get("pod").get("exit_code").asInt());
        assertTrue(events.get(0).get("time").asText().endsWith("Z"), "ISO 8601 with its zone");
    }

    @Test
    void afterAndFiltersResumeWhereTheCursorWas() {
        CliRun after = CliRun.of("--dir", dir.toString(), "events", "--after", "0", "--no-legend");
        assertEquals(2, after.out().lines().count(), after.out());
        assertTrue(after.out().lines().findFirst().orElseThrow().startsWith("1  "), after.out());

        CliRun one = CliRun.of("--dir", dir.toString(), "events", "--aggregate", POD_A, "--type", "pod.exited", "--no-legend");
        assertEquals(1, one.out().lines().count(), one.out());
        assertTrue(one.out().contains(POD_A) && one.out().contains("exited"), one.out());
    }

    @Test
    void aCursorBeyondTheJournalIsOneLineAndExit254() {
        CliRun run = CliRun.of("--dir", dir.toString(), "events", "--after", "3");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError() && run.err().contains("beyond the journal's last index (2)"), run.err());
    }

    @Test
    void followPrintsWhatAnotherWriterAppendsLater() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecutorService cli = Executors.newSingleThreadExecutor();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            cli.submit(() -> new Cli(o, System.err).execute("--dir", dir.toString(), "events", "--follow", "--after", "2",
                    "--format=json"));
            try (Journal writer = ChronicleJournal.open(dir.resolve("journal"), EngineEvents.registry())) {
                writer.append(POD_B, new PodEvent.PodExited(POD_B, 0, "app exited"));
            }
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> out.toString(StandardCharsets.UTF_8).contains("\"index\":3"));
        } finally {
            cli.shutdownNow();
        }
        List<JsonNode> events = out.toString(StandardCharsets.UTF_8).lines().map(EventsCommandTest::parse).toList();
        assertEquals(1, events.size(), "only what came after the cursor");
        assertEquals(POD_B, events.get(0).get("aggregate").asText());
    }

    private static JsonNode parse(String line) {
        try {
            return Json.mapper().readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
