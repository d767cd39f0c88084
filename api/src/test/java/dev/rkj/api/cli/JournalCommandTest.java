package dev.rkj.api.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rkj journal show|verify} on a real Chronicle journal written by the test. */
class JournalCommandTest {
    private static final String POD_A = "6f1c2a3b-0000-4000-8000-00000000000a";
    private static final String POD_B = "7e2d3b4c-0000-4000-8000-00000000000b";
    private static final String IMAGE = "sha512-" + "ab".repeat(64);

    @TempDir
    Path dir;

    private final List<Envelope> written = new ArrayList<>();

    @BeforeEach
    void writeTwoPodsStories() throws Exception {
        try (Journal journal = ChronicleJournal.open(dir.resolve("journal"), EngineEvents.registry())) {
            PodOwner owner = new PodOwner("engine-test", 4242);
            written.add(journal.append(POD_A, new PodEvent.PodCreated(POD_A, PodSpec.of("example.com/app"), owner)));
            written.add(journal.append(POD_B, new PodEvent.PodCreated(POD_B, PodSpec.of("example.com/other"), owner)));
            written.add(journal.append(POD_A, new PodEvent.ImageResolved(POD_A, IMAGE, "example.com/app", ImageSource.STORE)));
            written.add(journal.append(POD_A, new PodEvent.PodExited(POD_A, 7, "app exited")));
        }
    }

    @Test
    void showPrintsEveryEventReadably() {
        CliRun run = CliRun.of("--dir", dir.toString(), "journal", "show");
        assertEquals(0, run.code(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(8, lines.size(), run.out()); // two lines an event
        assertTrue(lines.get(0).contains("pod.created/6") && lines.get(0).contains(POD_A), lines.get(0));
        assertTrue(lines.get(1).contains("spec.apps[0].imageRef=example.com/app") && !lines.get(1).contains("exec="), lines.get(1));
        assertTrue(lines.get(4).contains("pod.image-resolved/2"), lines.get(4));
        assertTrue(lines.get(5).contains("images[0].imageId=" + IMAGE), lines.get(5));
        assertTrue(lines.get(6).contains("pod.exited/2") && lines.get(6).contains("(+"), "durations between a pod's events: " + lines.get(6));
        assertTrue(lines.get(7).contains("exitCode=7"), lines.get(7));
    }

    @Test
    void showFiltersByAggregatePrefixTypeAndIndex() {
        CliRun byPod = CliRun.of("--dir", dir.toString(), "journal", "show", "--aggregate", "7e2d");
        assertEquals(0, byPod.code(), byPod.err());
        assertEquals(2, byPod.out().lines().count(), byPod.out());
        assertTrue(byPod.out().contains(POD_B) && !byPod.out().contains(POD_A), byPod.out());

        CliRun byType = CliRun.of("--dir", dir.toString(), "journal", "show", "--type", "pod.exited");
        assertEquals(2, byType.out().lines().count(), byType.out());
        assertTrue(byType.out().contains("pod.exited/2"), byType.out());

        CliRun from = CliRun.of("--dir", dir.toString(), "journal", "show", "--from", "2");
        assertEquals(4, from.out().lines().count(), from.out());
        assertTrue(from.out().lines().findFirst().orElseThrow().strip().startsWith("2 "), from.out());
    }

    @Test
    void showJsonPrintsTheEnvelopesAsStored() throws Exception {
        CliRun run = CliRun.of("--dir", dir.toString(), "journal", "show", "--json");
        assertEquals(0, run.code(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(4, lines.size());
        JsonNode third = Json.mapper().readTree(lines.get(2));
        assertEquals(2, third.get("index").asLong());
        assertEquals("pod.image-resolved/2", third.get("type").asText());
        assertEquals(POD_A, third.get("aggregate").asText());
        assertEquals(IMAGE, third.get("payload").get("images").get(0).get("imageId").asText());
        assertEquals(java.util.HexFormat.of().formatHex(written.get(2).hash()), third.get("hash").asText());
        assertEquals(third.get("previousHash").asText(),
                Json.mapper().readTree(lines.get(1)).get("hash").asText(), "the chain links each envelope to the one before");
    }

    @Test
    void verifyPassesOnAnIntactJournal() {
        CliRun run = CliRun.of("--dir", dir.toString(), "journal", "verify");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("journal OK: 4 events"), run.out());
    }

    @Test
    void verifyNamesTheIndexOfAnEventAlteredOnDisk() throws Exception {
        // given: one character of the third event's payload changed in the queue file, length kept
        byte[] payload = written.get(2).payloadJson().getBytes(UTF_8);
        byte[] altered = payload.clone();
        int at = new String(payload, UTF_8).indexOf(IMAGE) + 10;
        altered[at] = (byte) (altered[at] == 'a' ? 'c' : 'a');
        replaceUniqueBytes(payload, altered);
        // when
        CliRun run = CliRun.of("--dir", dir.toString(), "journal", "verify");
        // then
        assertEquals(254, run.code(), run.out());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("failed at index 2"), run.err());
    }

    @Test
    void verifyReportsAJournalWhoseQueueFileWasDeleted() throws Exception {
        Files.delete(queueFiles().get(0));

        CliRun run = CliRun.of("--dir", dir.toString(), "journal", "verify");

        assertEquals(254, run.code(), run.out());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("journal is empty but its head file") && run.err().contains("events 0..3 are missing"),
                run.err());
    }

    @Test
    void verifyReportsEachPodDirectoryTheJournalDoesNotKnow() throws Exception {
        String stranger = "0a1b2c3d-0000-4000-8000-0000000000ff";
        Files.createDirectories(dir.resolve("pods").resolve(stranger));
        Files.createDirectories(dir.resolve("pods").resolve(POD_A));

        CliRun run = CliRun.of("--dir", dir.toString(), "journal", "verify");

        assertEquals(254, run.code(), run.err());
        assertTrue(run.out().contains("journal OK: 4 events"), run.out());
        List<String> lines = run.err().lines().toList();
        assertEquals(2, lines.size(), run.err());
        assertTrue(lines.get(0).contains(dir.resolve("pods").resolve(stranger).toString())
                && lines.get(0).contains("not a pod the journal knows"), lines.get(0));
        assertTrue(lines.get(1).contains("1 entry under pods/") && lines.get(1).contains("rkj gc --unknown-pods"),
                lines.get(1));
    }

    @Test
    void aTornLastRecordIsLeftToAWriterWhichRepairsItWithAWarningAndCommandsGoOn() throws Exception {
        Path file = queueFiles().get(0);
        byte[] last = written.get(3).payloadJson().getBytes(UTF_8);
        long at = indexOf(Files.readAllBytes(file), last);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(at + last.length / 2);
        }

        CliRun read = CliRun.of("--dir", dir.toString(), "journal", "show");
        assertEquals(0, read.code(), read.err());
        assertEquals(1, read.err().lines().count(), read.err());
        assertTrue(read.err().startsWith("rkj: warning: journal ") && read.err().contains("ends in a torn record")
                && read.err().contains("only the 3 events before it are read") && read.err().contains("repairs it"),
                read.err());
        assertEquals(6, read.out().lines().count(), "what can be read is shown, two lines an event: " + read.out());
        assertFalse(Files.exists(dir.resolve("journal/damaged")), "nothing moved by a read");
        CliRun unverified = CliRun.of("--dir", dir.toString(), "journal", "verify");
        assertEquals(254, unverified.code(), unverified.out());
        assertTrue(unverified.err().contains("journal verify failed at index 3"), unverified.err());

        CliRun write = CliRun.of("--dir", dir.toString(), "image", "gc");
        assertEquals(0, write.code(), write.err());
        assertTrue(write.err().startsWith("rkj: warning: journal: the last record of " + file.getFileName()
                + " was torn") && write.err().contains("event 3 dropped"), write.err());
        CliRun show = CliRun.of("--dir", dir.toString(), "journal", "show");
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("journal.repaired/1"), show.out());
        try (Stream<Path> kept = Files.list(dir.resolve("journal/damaged"))) {
            assertEquals(1, kept.count(), "the damaged file is kept");
        }
        CliRun verify = CliRun.of("--dir", dir.toString(), "journal", "verify");
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().contains("journal OK: 4 events"), verify.out());
        assertEquals("", verify.err(), "repaired once");
    }

    private static long indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("bytes not found");
    }

    @Test
    void corruptedQueueFileIsAOneLineErrorWithoutStackTrace() throws Exception {
        Path file = queueFiles().get(0);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(100);
        }
        for (String command : new String[] {"show", "verify"}) {
            CliRun run = CliRun.of("--dir", dir.toString(), "journal", command);
            assertEquals(254, run.code(), command + ": " + run.out());
            assertTrue(run.oneLineError(), command + ": " + run.err());
            assertTrue(run.err().contains(file.getFileName().toString()) || run.err().contains("journal"), run.err());
        }
    }

    private List<Path> queueFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            return files.filter(f -> f.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private void replaceUniqueBytes(byte[] needle, byte[] replacement) throws IOException {
        int found = 0;
        for (Path file : queueFiles()) {
            byte[] bytes = Files.readAllBytes(file);
            for (int i = 0; i + needle.length <= bytes.length; i++) {
                if (java.util.Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                    System.arraycopy(replacement, 0, bytes, i, replacement.length);
                    Files.write(file, bytes);
                    found++;
                }
            }
        }
        assertEquals(1, found, "the payload should be stored exactly once");
        assertFalse(java.util.Arrays.equals(needle, replacement));
    }
}
