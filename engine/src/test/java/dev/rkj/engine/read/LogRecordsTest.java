package dev.rkj.engine.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.read.LogRecord.Stream;
import dev.rkj.stage1.PodDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRecordsTest {
    private static final Instant T = Instant.parse("2026-12-05T11:03:02.123456789Z");

    @TempDir
    Path dir;

    private static LogRecord parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return LogRecord.parse(b, 0, b.length);
    }

    private static LogRecord rec(Instant t, Stream s, boolean partial, String content) {
        return new LogRecord(t, s, partial, content.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesWholeAndPartialRecordsOfBothStreams() {
        assertEquals(rec(T, Stream.STDOUT, false, "hello world"), parse("2026-12-05T11:03:02.123456789Z stdout F hello world"));
        assertEquals(rec(T, Stream.STDERR, true, "a prompt> "), parse("2026-12-05T11:03:02.123456789Z stderr P a prompt> "));
        assertEquals(rec(T, Stream.STDOUT, false, ""), parse("2026-12-05T11:03:02.123456789Z stdout F "), "an empty line");
        assertEquals(rec(Instant.parse("2026-12-05T11:03:02Z"), Stream.STDOUT, false, "  two  spaces "),
                parse("2026-12-05T11:03:02Z stdout F   two  spaces "), "the content is kept byte for byte");
    }

    @Test
    void aLineThatIsNotARecordIsKeptWholeOnStdout() {
        for (String line : new String[] {"hello from exit7", "", "2026-12-05T11:03:02Z stdout", "2026-12-05T11:03:02Z stdout F",
                "2026-12-05T11:03:02Z stdin F x", "2026-12-05T11:03:02Z stdout X x", "2026-12-05T11:03:02Z stdout Fx",
                "yesterday stdout F x", "2026-13-05T11:03:02Z stderr F x"}) {
            LogRecord r = parse(line);
            assertFalse(r.isRecord(), line);
            assertEquals(LogRecord.raw(line.getBytes(StandardCharsets.UTF_8)), r, line);
            assertEquals(Stream.STDOUT, r.stream());
            assertFalse(r.partial());
        }
    }

    @Test
    void tailCountsLinesWithTheirPartsAndALastUnendedPart() {
        LogRecord a = rec(T, Stream.STDOUT, false, "a");
        LogRecord b1 = rec(T, Stream.STDOUT, true, "b1");
        LogRecord b2 = rec(T, Stream.STDOUT, false, "b2");
        LogRecord c = rec(T, Stream.STDERR, false, "c");
        LogRecord d = rec(T, Stream.STDOUT, true, "prompt");
        List<LogRecord> all = List.of(a, b1, b2, c, d);
        assertEquals(List.of(), LogRecords.tail(all, 0));
        assertEquals(List.of(d), LogRecords.tail(all, 1));
        assertEquals(List.of(c, d), LogRecords.tail(all, 2));
        assertEquals(List.of(b1, b2, c, d), LogRecords.tail(all, 3));
        assertEquals(all, LogRecords.tail(all, 4));
        assertEquals(all, LogRecords.tail(all, 40));
        assertEquals(List.of(b1, b2), LogRecords.tail(List.of(a, b1, b2), 1));
    }

    @Test
    void sinceKeepsRecordsAtOrAfterItAndDropsUntimedLines() {
        LogRecord early = rec(T.minusSeconds(1), Stream.STDOUT, false, "early");
        LogRecord at = rec(T, Stream.STDERR, false, "at");
        LogRecord raw = LogRecord.raw("old".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(at), LogRecords.since(List.of(early, raw, at), T));
    }

    @Test
    void sinceReadsDurationsAndIsoTimes() {
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        assertEquals(Instant.parse("2026-12-05T11:50:00Z"), LogRecords.since("10m", now, ZoneOffset.UTC));
        assertEquals(Instant.parse("2026-12-05T10:30:00Z"), LogRecords.since("1h30m", now, ZoneOffset.UTC));
        assertEquals(Instant.parse("2026-12-05T10:00:00Z"), LogRecords.since("2026-12-05T10:00:00Z", now, ZoneOffset.UTC));
        assertEquals(Instant.parse("2026-12-05T09:00:00Z"), LogRecords.since("2026-12-05T10:00:00+01:00", now, ZoneOffset.UTC));
        assertEquals(Instant.parse("2026-12-05T08:00:00Z"), LogRecords.since("2026-12-05T10:00", now, ZoneOffset.ofHours(2)));
        assertEquals(Instant.parse("2026-12-05T00:00:00Z"), LogRecords.since("2026-12-05", now, ZoneOffset.UTC));
        assertEquals(Instant.EPOCH, LogRecords.since("100000000h", now, ZoneOffset.UTC));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogRecords.since("lately", now, ZoneOffset.UTC));
        assertTrue(e.getMessage().contains("`lately` is neither a duration"), e.getMessage());
    }

    // ---- AppLog: reading and following, with the files renamed as rkj-stage1 rotates them ----

    private static String line(String stream, String tag, String content) {
        return "2026-12-05T11:03:02.123456789Z " + stream + " " + tag + " " + content + "\n";
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** As log_rotate in pod.c: logs/<app> becomes logs/<app>.1 (replacing it), a new logs/<app> begins. */
    private static void rotate(PodDir pod, String app) throws IOException {
        Files.move(pod.log(app), pod.rotatedLog(app), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(pod.log(app));
    }

    private static List<String> texts(List<LogRecord> records) {
        List<String> out = new ArrayList<>();
        records.forEach(r -> out.add(r.text()));
        return out;
    }

    @Test
    void readsTheRotatedPartFirstThenTheLog() throws IOException {
        PodDir pod = new PodDir(dir);
        Files.createDirectories(pod.logsDir());
        append(pod.rotatedLog("app"), line("stdout", "F", "one"));
        append(pod.log("app"), line("stderr", "F", "two") + "a line from before records\n" + line("stdout", "P", "three"));
        try (AppLog log = AppLog.of(pod, "app")) {
            assertTrue(log.exists());
            List<LogRecord> all = log.end();
            assertEquals(List.of("one", "two", "a line from before records", "three"), texts(all));
            assertEquals(Stream.STDERR, all.get(1).stream());
            assertTrue(all.get(3).partial());
        }
    }

    @Test
    void followingGoesOnThroughRotationsInOrder() throws IOException {
        PodDir pod = new PodDir(dir);
        Files.createDirectories(pod.logsDir());
        try (AppLog log = AppLog.of(pod, "app")) {
            assertFalse(log.exists());
            assertEquals(List.of(), log.poll(), "no log yet");
            append(pod.log("app"), line("stdout", "F", "1"));
            assertEquals(List.of("1"), texts(log.poll()));
            append(pod.log("app"), line("stdout", "F", "2") + "2026-12-05T11:03:02Z stdout F hal");
            assertEquals(List.of("2"), texts(log.poll()), "a line still being written waits");
            append(pod.log("app"), "f\n");
            rotate(pod, "app");
            append(pod.log("app"), line("stderr", "F", "3"));
            assertEquals(List.of("half", "3"), texts(log.poll()), "the old file drained, then the new one");
            append(pod.log("app"), line("stdout", "F", "4"));
            rotate(pod, "app");
            append(pod.log("app"), line("stdout", "F", "5"));
            rotate(pod, "app");
            append(pod.log("app"), line("stdout", "F", "6"));
            assertEquals(List.of("4", "5", "6"), texts(log.poll()), "two rotations between polls lose nothing");
            append(pod.log("app"), line("stdout", "P", "7"));
            assertEquals(List.of("7"), texts(log.end()));
            assertEquals(List.of(), log.end());
        }
    }
}
