package dev.rkj.eventlog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal contract on {@link ChronicleJournal}, plus what only files and processes can show. */
class ChronicleJournalTest extends JournalContract {
    @TempDir
    Path temp;

    private Path dir() {
        return temp.resolve("journal");
    }

    @Override
    protected Journal open(EventRegistry registry, Clock clock, TailBackoff backoff) throws JournalException {
        return ChronicleJournal.open(dir(), registry, clock, RollCycles.FAST_DAILY, backoff);
    }

    @Override
    protected TailBackoff defaultBackoff() {
        return TailBackoff.CHRONICLE;
    }

    private List<Path> queueFiles() throws JournalException {
        return QueueFiles.list(dir());
    }

    @Override
    protected void alterStoredPayload(Journal journal, Envelope target) throws Exception {
        byte[] payload = target.payloadJson().getBytes(UTF_8);
        Tamper.Hit hit = Tamper.findUnique(queueFiles(), payload);
        Tamper.write(hit.file(), hit.position(), Tamper.alterOneCharacter(payload));
    }

    @Override
    protected void removeStored(Journal journal, Envelope target) throws Exception {
        // Chronicle skips metadata excerpts: setting that bit in the excerpt's header hides it from readers.
        Tamper.Hit hit = Tamper.findUnique(queueFiles(), EnvelopeFormat.toBytes(Tamper.stored(target)));
        long header = hit.position() - 4;
        Tamper.writeIntLe(hit.file(), header, Tamper.readIntLe(hit.file(), header) | 0x40000000);
    }

    @Override
    protected void swapStored(Journal journal, Envelope first, Envelope second) throws Exception {
        byte[] a = EnvelopeFormat.toBytes(Tamper.stored(first));
        byte[] b = EnvelopeFormat.toBytes(Tamper.stored(second));
        assertEquals(a.length, b.length, "swapped envelopes must be the same size");
        Tamper.Hit at = Tamper.findUnique(queueFiles(), a);
        Tamper.Hit bt = Tamper.findUnique(queueFiles(), b);
        Tamper.write(at.file(), at.position(), b);
        Tamper.write(bt.file(), bt.position(), a);
    }

    private ChronicleJournal openChronicle(Clock clock) throws JournalException {
        return (ChronicleJournal) openWithClock(clock);
    }

    // ---- persistence and files

    @Test
    void eventsSurviveReopeningAndTheChainContinues() throws Exception {
        List<Envelope> before;
        try (Journal journal = ChronicleJournal.open(dir(), TestEvents.registry())) {
            before = appendNotes(journal, "first-run", 10);
        }
        Journal reopened = open();
        assertEquals(before, replayAll(reopened, 0));
        assertEquals(10, reopened.nextIndex());

        Envelope next = reopened.append("pod", new TestEvents.Note("second run"));

        assertEquals(10, next.index());
        assertArrayEquals(before.get(9).hash(), next.previousHash());
        assertTrue(reopened.verify().ok());
    }

    @Test
    void eventsGoToOneFilePerDayAndTheChainCrossesDays() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-20T23:59:58Z"));
        Journal journal = openChronicle(clock);
        List<Envelope> appended = new ArrayList<>(appendNotes(journal, "d20", 3));
        clock.advance(Duration.ofSeconds(3)); // 2026-11-21
        appended.addAll(appendNotes(journal, "d21", 2));
        clock.advance(Duration.ofDays(2)); // 2026-11-23: the 22nd has no events, so no file
        appended.addAll(appendNotes(journal, "d23", 4));

        assertEquals(List.of("20261120F.cq4", "20261121F.cq4", "20261123F.cq4"),
                queueFiles().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(LongStream.range(0, 9).boxed().toList(), appended.stream().map(Envelope::index).toList());
        assertArrayEquals(appended.get(2).hash(), appended.get(3).previousHash(), "the chain crosses a day");
        assertArrayEquals(appended.get(4).hash(), appended.get(5).previousHash(), "the chain crosses a gap");
        for (int from = 0; from <= 9; from++) {
            assertEquals(appended.subList(from, 9), replayAll(journal, from), "replay from " + from);
        }
        assertTrue(journal.verify().ok());

        List<Envelope> tailed = new CopyOnWriteArrayList<>();
        try (Tail tail = journal.tail(4, tailed::add)) {
            await().until(() -> tailed.size() == 5);
            assertEquals(appended.subList(4, 9), tailed);
            assertEquals(9, tail.position());
        }
        journal.close();

        Journal reopened = openChronicle(clock);
        assertEquals(9, reopened.nextIndex());
        clock.advance(Duration.ofDays(1));
        Envelope next = reopened.append("pod", new TestEvents.Note("after reopening on a new day"));
        assertEquals(9, next.index());
        assertArrayEquals(appended.get(8).hash(), next.previousHash());
    }

    @Test
    void replayAndTailFromALateIndexSeekInsteadOfScanningFromZero() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
        ChronicleJournal journal = openChronicle(clock);
        int perDay = 2_500;
        for (int day = 0; day < 4; day++) {
            List<TestEvents.Note> notes = new ArrayList<>();
            for (int i = 0; i < perDay; i++) {
                notes.add(TestEvents.note("day" + day, i));
            }
            journal.appendAll("seek", notes);
            clock.advance(Duration.ofDays(1));
        }
        assertEquals(4, queueFiles().size());

        for (long from : new long[] {1, 2_499, 2_500, 2_501, 7_777, 9_999}) {
            long readsBefore = journal.excerptsRead();
            List<Long> firstTwo = new ArrayList<>();
            try {
                journal.replay(from, e -> {
                    firstTwo.add(e.index());
                    if (firstTwo.size() == 2 || e.index() == 9_999) {
                        throw new StopReplay();
                    }
                });
            } catch (StopReplay expected) {
                // stopped after the first envelopes: only the seek's reads are counted
            }
            long reads = journal.excerptsRead() - readsBefore;
            assertEquals(from, firstTwo.get(0), "replay from " + from + " starts there");
            assertTrue(reads <= 16, "replay from " + from + " read " + reads + " excerpts to get there");
        }

        long readsBefore = journal.excerptsRead();
        List<Long> tailed = new CopyOnWriteArrayList<>();
        try (Tail tail = journal.tail(9_990, e -> tailed.add(e.index()))) {
            await().until(() -> tailed.size() == 10);
            assertEquals(10_000, tail.position());
        }
        assertEquals(LongStream.range(9_990, 10_000).boxed().toList(), tailed);
        assertTrue(journal.excerptsRead() - readsBefore <= 30, "tail read " + (journal.excerptsRead() - readsBefore));
    }

    @Test
    void aReplayFromWhereTheLastOneEndedReadsOnlyTheNewEnvelopesAcrossDays() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T23:59:59Z"));
        ChronicleJournal journal = openChronicle(clock);
        List<Envelope> appended = new ArrayList<>(appendNotes(journal, "first", 3));
        assertEquals(appended, replayAll(journal, 0));
        clock.advance(Duration.ofSeconds(2)); // the next day: a new file
        appended.addAll(appendNotes(journal, "second", 2));

        long readsBefore = journal.excerptsRead();
        assertEquals(appended.subList(3, 5), replayAll(journal, 3), "goes on where the last replay ended");
        assertEquals(1 + 2, journal.excerptsRead() - readsBefore,
                "no seek: the journal's end is looked up, then only the two new envelopes are read");

        assertEquals(appended.subList(1, 5), replayAll(journal, 1), "a replay from elsewhere seeks");
        appended.addAll(appendNotes(journal, "third", 1));
        try {
            journal.replay(5, e -> {
                throw new StopReplay();
            });
        } catch (StopReplay expected) {
            // the consumer stopped the replay: the reader it stopped is not kept
        }
        assertEquals(appended.subList(5, 6), replayAll(journal, 5));
        assertEquals(List.of(), replayAll(journal, 6));
        assertTrue(journal.verify().ok());
    }

    private static final class StopReplay extends RuntimeException {
        StopReplay() {
            super("stop", null, false, false);
        }
    }

    // ---- other processes

    @Test
    void appendsFromSeveralProcessesAreDenseCompleteAndChained() throws Exception {
        int processes = 3;
        int each = 2_000;
        Journal journal = open();
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int p = 0; p < processes; p++) {
                children.add(ChildJvm.start(temp, AppendingProcess.class, dir().toString(), "proc" + p,
                        String.valueOf(each)));
            }
            for (ChildJvm child : children) {
                child.expectLine("ready"); // and nothing before it: Chronicle logs nothing to stdout
            }
            for (ChildJvm child : children) {
                child.send("go");
            }
            appendNotes(journal, "parent", each);
            for (ChildJvm child : children) {
                assertEquals(List.of("done"), child.finish());
            }
        } finally {
            children.forEach(ChildJvm::close);
        }

        List<Envelope> all = replayAll(journal, 0);
        int total = (processes + 1) * each;
        long switches = LongStream.range(1, all.size())
                .filter(i -> !all.get((int) i).aggregateId().equals(all.get((int) i - 1).aggregateId())).count();
        assertTrue(switches > processes, "the processes' appends did not interleave (" + switches + " switches)");
        assertEquals(LongStream.range(0, total).boxed().toList(), all.stream().map(Envelope::index).toList());
        Map<String, List<String>> byAggregate = new HashMap<>();
        for (Envelope e : all) {
            byAggregate.computeIfAbsent(e.aggregateId(), k -> new ArrayList<>())
                    .add(((TestEvents.Note) e.event()).text());
        }
        assertEquals(processes + 1, byAggregate.size(), byAggregate.keySet().toString());
        for (Map.Entry<String, List<String>> entry : byAggregate.entrySet()) {
            String tag = entry.getKey().substring("agg-".length());
            List<String> expected = LongStream.range(0, each).mapToObj(i -> TestEvents.note(tag, i).text()).toList();
            assertEquals(expected, entry.getValue(), "every event of " + tag + " exactly once, in its order");
        }
        VerifyResult verified = journal.verify();
        assertTrue(verified.ok(), verified.toString());
        assertEquals(total, verified.checked());
        assertEquals(total, journal.nextIndex());
    }

    @Test
    void countersInSeveralProcessesRacingThroughConditionalAppendsTakeEveryValueOnce() throws Exception {
        int processes = 2;
        int each = 100;
        Journal journal = open();
        List<ChildJvm> children = new ArrayList<>();
        int conflicts = 0;
        try {
            for (int p = 0; p < processes; p++) {
                children.add(ChildJvm.start(temp, CasCountingProcess.class, dir().toString(), "proc" + p,
                        String.valueOf(each)));
            }
            for (ChildJvm child : children) {
                child.expectLine("ready");
            }
            for (ChildJvm child : children) {
                child.send("go");
            }
            CasCounter counter = new CasCounter(journal, "parent");
            for (int i = 0; i < each; i++) {
                counter.increment();
            }
            conflicts += counter.conflicts();
            for (ChildJvm child : children) {
                List<String> out = child.finish();
                assertEquals(1, out.size(), out.toString());
                assertTrue(out.get(0).startsWith("done "), out.toString());
                conflicts += Integer.parseInt(out.get(0).substring("done ".length()));
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
        int total = (processes + 1) * each;
        assertEquals(LongStream.range(0, total).boxed().map(Long::intValue).toList(), CasCounter.values(journal),
                "every value taken exactly once across processes (" + conflicts + " conflicts were re-decided)");
        assertTrue(journal.verify().ok());
    }

    @Test
    void aReadOnlyJournalReadsAndTailsButNeverWritesAFile() throws Exception {
        Journal writer = open();
        appendNotes(writer, "w", 3);
        Map<String, Long> before = snapshot(dir());
        try (ChronicleJournal reader = ChronicleJournal.openReadOnly(dir(), TestEvents.registry())) {
            assertEquals(3, reader.nextIndex());
            assertEquals(3, replayAll(reader, 0).size());
            assertTrue(reader.verify().ok());
            List<Envelope> seen = new CopyOnWriteArrayList<>();
            try (Tail tail = reader.tail(3, seen::add)) {
                writer.append("agg-w", new TestEvents.Note("later"));
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
            }
            JournalException refused = assertThrows(JournalException.class,
                    () -> reader.append("agg-r", new TestEvents.Note("no")));
            assertTrue(refused.getMessage().contains("read-only"), refused.getMessage());
            assertThrows(JournalException.class, () -> reader.appendIfUnchanged("agg-r", 0, List.of()));
        }
        Map<String, Long> after = snapshot(dir());
        after.keySet().removeIf(name -> name.startsWith(JournalHead.FILE)); // the writer's head thread writes late
        before.keySet().removeIf(name -> name.startsWith(JournalHead.FILE));
        assertEquals(before.keySet(), after.keySet(), "the read-only journal created or removed no file");
    }

    @Test
    void aReadOnlyJournalReadsADirectoryItCannotWrite() throws Exception {
        appendNotes(open(), "w", 2);
        Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // root ignores permissions; the directory is then still read without any write
            try (ChronicleJournal reader = ChronicleJournal.openReadOnly(dir(), TestEvents.registry())) {
                assertEquals(2, replayAll(reader, 0).size());
            }
        } finally {
            Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aReadOnlyOpenOfAMissingOrEmptyDirectoryIsRefusedWithoutCreatingIt() throws Exception {
        JournalException missing = assertThrows(JournalException.class,
                () -> ChronicleJournal.openReadOnly(dir(), TestEvents.registry()));
        assertTrue(missing.getMessage().contains(dir().toString()), missing.getMessage());
        assertFalse(Files.exists(dir()));
        Files.createDirectory(dir());
        assertThrows(JournalException.class, () -> ChronicleJournal.openReadOnly(dir(), TestEvents.registry()));
        try (var files = Files.list(dir())) {
            assertEquals(0, files.count());
        }
    }

    /** Every file under {@code dir} with its size. */
    /** Every file under {@code dir} with its size; a file that vanishes while listed (the head's temporary) is left out. */
    private static Map<String, Long> snapshot(Path dir) throws IOException {
        Map<String, Long> files = new HashMap<>();
        snapshot(dir, dir, files);
        return files;
    }

    private static void snapshot(Path root, Path dir, Map<String, Long> files) throws IOException {
        try (var entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                try {
                    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        snapshot(root, p, files);
                    } else {
                        files.put(root.relativize(p).toString(), Files.size(p));
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // renamed away meanwhile
                }
            }
        }
    }

    @Test
    void aTailHereSeesAppendsFromAnotherProcess() throws Exception {
        Journal journal = open();
        journal.append("parent", new TestEvents.Note("before the child"));
        List<Envelope> tailed = new CopyOnWriteArrayList<>();
        try (Tail tail = journal.tail(0, tailed::add);
             ChildJvm child = ChildJvm.start(temp, AppendingProcess.class, dir().toString(), "child", "300")) {
            child.expectLine("ready");
            child.send("go");
            assertEquals(List.of("done"), child.finish());
            await().atMost(30, TimeUnit.SECONDS).until(() -> tailed.size() == 301);
            assertEquals(LongStream.range(0, 301).boxed().toList(), tailed.stream().map(Envelope::index).toList());
            assertEquals(TestEvents.note("child", 299), tailed.get(300).event());
            assertTrue(tail.failure().isEmpty());
        }
    }

    @Test
    void aWriterKilledInTheMiddleOfAnAppendNeitherBlocksNorBreaksTheJournal() throws Exception {
        Journal journal = open();
        List<Envelope> appended = new ArrayList<>(appendNotes(journal, "before", 5));
        List<Long> tailed = new CopyOnWriteArrayList<>();
        try (Tail tail = journal.tail(0, e -> tailed.add(e.index()));
             ChildJvm dying = ChildJvm.start(temp, DyingWriterProcess.class, dir().toString())) {
            dying.expectLine("holding");
            assertEquals(List.of(), dying.finish());

            // Chronicle sees the lock holder is dead, takes the lock over and writes over its half excerpt.
            appended.addAll(appendNotes(journal, "after", 5));

            await().until(() -> tailed.size() == 10);
            assertEquals(LongStream.range(0, 10).boxed().toList(), tailed);
            assertTrue(tail.failure().isEmpty());
        }
        assertEquals(appended, replayAll(journal, 0));
        assertTrue(journal.verify().ok(), journal.verify().toString());
    }

    // ---- the directory

    @Test
    void openCreatesTheJournalDirectoryInsideAnExistingParent() throws Exception {
        assertFalse(Files.exists(dir()));
        Journal journal = open();
        assertTrue(Files.isDirectory(dir()));
        assertEquals(0, journal.nextIndex());
    }

    @Test
    void openRefusesADirectoryWhoseParentDoesNotExist() {
        Path missing = temp.resolve("no-such-data-dir").resolve("journal");
        JournalException e = assertThrows(JournalException.class,
                () -> ChronicleJournal.open(missing, TestEvents.registry()));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"),
                e.getMessage());
        assertOneLine(e.getMessage());
        assertFalse(Files.exists(missing.getParent()), "nothing is created");
    }

    @Test
    void openRefusesAPathThatIsAFile() throws Exception {
        Files.writeString(dir(), "not a directory");
        JournalException e = assertThrows(JournalException.class, () -> ChronicleJournal.open(dir(), TestEvents.registry()));
        assertTrue(e.getMessage().contains(dir().toString()) && e.getMessage().contains("not a directory"),
                e.getMessage());
        assertOneLine(e.getMessage());
    }

    @Test
    void openRefusesADirectoryItCannotWrite() throws Exception {
        Files.createDirectory(dir());
        Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("r-xr-xr-x"));
        boolean immutable = false;
        try {
            if (canCreateFileIn(dir())) {
                // root ignores permissions; the immutable attribute stops root too (ext4, xfs, btrfs)
                immutable = run("chattr", "+i", dir().toString()) == 0;
                assertTrue(immutable && !canCreateFileIn(dir()),
                        "cannot make " + dir() + " unwritable for this user (chmod and chattr +i failed)");
            }
            JournalException e = assertThrows(JournalException.class,
                    () -> ChronicleJournal.open(dir(), TestEvents.registry()));
            assertTrue(e.getMessage().contains(dir().toString()) && e.getMessage().contains("not writable"),
                    e.getMessage());
            assertOneLine(e.getMessage());
        } finally {
            if (immutable) {
                run("chattr", "-i", dir().toString());
            }
            Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static boolean canCreateFileIn(Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, "probe", ""));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    // ---- damaged files

    private Path writeJournalAndClose(int events) throws Exception {
        try (Journal journal = ChronicleJournal.open(dir(), TestEvents.registry())) {
            appendNotes(journal, "disk", events);
        }
        List<Path> files = queueFiles();
        assertEquals(1, files.size());
        return files.get(0);
    }

    private static void assertNamesTheFile(JournalException e, Path file) {
        assertTrue(e.getMessage().contains(file.toString()), "names " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("restore"), "says what to do: " + e.getMessage());
        assertOneLine(e.getMessage());
    }

    @Test
    void aQueueFileTruncatedInsideItsHeaderIsRefusedNamingTheFile() throws Exception {
        Path file = writeJournalAndClose(20);
        Tamper.truncate(file, 100);

        JournalException e = assertThrows(JournalException.class, () -> ChronicleJournal.open(dir(), TestEvents.registry()));

        assertNamesTheFile(e, file);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aReadOnlyJournalWhoseQueueFilesAreGoneReadsAsEmptyAndVerifyNamesTheMissingEvents() throws Exception {
        Path file = writeJournalAndClose(4);
        Files.delete(file);
        try (ChronicleJournal reader = ChronicleJournal.openReadOnly(dir(), TestEvents.registry())) {
            assertEquals(0, reader.nextIndex());
            assertEquals(0, replayAll(reader, 0).size());
            VerifyResult result = reader.verify();
            assertFalse(result.ok());
            assertTrue(result.problem().contains("events 0..3 are missing"), result.problem());
        }
        assertFalse(Files.exists(file), "a read-only open creates no queue file");
    }

    @Test
    void aReadOnlyOpenReadsATornJournalUpToTheTearRepairingNothingAndSaysAWriterWillRepairIt() throws Exception {
        Path file = writeJournalAndClose(300);
        byte[] payload150 = TestEvents.note("disk", 150).text().getBytes(UTF_8);
        Tamper.truncate(file, Tamper.findUnique(List.of(file), payload150).position() + 3);
        byte[] damaged = Files.readAllBytes(file);
        List<String> before;
        try (var files = Files.list(dir())) {
            before = files.map(Path::toString).sorted().toList();
        }

        try (ChronicleJournal reader = ChronicleJournal.openReadOnly(dir(), TestEvents.registry())) {
            String tear = reader.unrepairedTear().orElseThrow();
            assertTrue(tear.contains("ends in a torn record") && tear.contains("only the 150 events before it are read")
                    && tear.contains("repairs it"), tear);
            assertOneLine(tear);
            assertEquals(150, reader.nextIndex());
            assertEquals(150, replayAll(reader, 0).size());
            VerifyResult verified = reader.verify();
            assertFalse(verified.ok());
            assertEquals(150, verified.firstBrokenIndex().getAsLong(), verified.problem());
        }

        assertArrayEquals(damaged, Files.readAllBytes(file), "a read-only open changes nothing");
        try (var files = Files.list(dir())) {
            assertEquals(before, files.map(Path::toString).sorted().toList(), "no file made or moved");
        }
        assertTrue(((ChronicleJournal) track(ChronicleJournal.open(dir(), TestEvents.registry()))).repaired().isPresent(),
                "a writer repairs it");
    }

    @Test
    void aRecordCutInTheMiddleIsRepairedAtOpenWithTheDamagedFileKeptAsEvidence() throws Exception {
        Path file = writeJournalAndClose(300);
        byte[] payload150 = TestEvents.note("disk", 150).text().getBytes(UTF_8);
        long cut = Tamper.findUnique(List.of(file), payload150).position() + 3;
        Tamper.truncate(file, cut);
        byte[] damaged = Files.readAllBytes(file);

        ChronicleJournal journal = (ChronicleJournal) track(ChronicleJournal.open(dir(), TestEvents.registry()));

        JournalRepaired repaired = journal.repaired().orElseThrow();
        assertEquals(new JournalRepaired(file.getFileName().toString(), repaired.keptAs(), 150, 299), repaired);
        assertTrue(repaired.describe().contains("events 150..299 dropped") && repaired.describe().contains(repaired.keptAs()),
                repaired.describe());
        assertOneLine(repaired.describe());
        Path evidence = dir().resolve(repaired.keptAs());
        assertTrue(repaired.keptAs().startsWith("damaged/" + file.getFileName() + "."), repaired.keptAs());
        assertArrayEquals(damaged, java.util.Arrays.copyOf(Files.readAllBytes(evidence), damaged.length),
                "the damaged file is kept (Chronicle re-extends it with zeros)");
        List<Envelope> replayed = replayAll(journal, 0);
        assertEquals(151, replayed.size());
        for (int i = 0; i < 150; i++) {
            assertEquals(TestEvents.note("disk", i), replayed.get(i).event());
        }
        assertEquals(repaired, replayed.get(150).event(), "the repair is journaled");
        assertTrue(journal.verify().ok(), journal.verify().toString());

        appendNotes(journal, "after", 3);
        journal.close();
        try (Journal again = ChronicleJournal.open(dir(), TestEvents.registry())) {
            assertTrue(((ChronicleJournal) again).repaired().isEmpty(), "repaired once");
            assertEquals(154, again.nextIndex());
            assertTrue(again.verify().ok(), again.verify().toString());
        }
    }

    @Test
    void aLastRecordCutInItsHashIsRepairedKeepingEveryCompleteRecord() throws Exception {
        Path file = writeJournalAndClose(20);
        byte[] last = EnvelopeFormat.toBytes(Tamper.stored(lastEnvelope()));
        long end = Tamper.findUnique(List.of(file), last).position() + last.length;
        Tamper.truncate(file, end - 10);

        ChronicleJournal journal = (ChronicleJournal) track(ChronicleJournal.open(dir(), TestEvents.registry()));

        assertEquals(19, journal.repaired().orElseThrow().firstDropped());
        assertEquals(19, journal.repaired().orElseThrow().lastDropped());
        assertEquals(20, journal.nextIndex(), "events 0..18 kept, then the repair's own event");
        assertTrue(journal.verify().ok(), journal.verify().toString());
    }

    @Test
    void damageWithIntactRecordsAfterItIsNotATornTailAndIsNotRepaired() throws Exception {
        Path file = writeJournalAndClose(20);
        byte[] tenth = EnvelopeFormat.toBytes(Tamper.stored(envelopeAt(10)));
        long at = Tamper.findUnique(List.of(file), tenth).position();
        Tamper.write(file, at, new byte[8]); // the envelope's magic and index: unreadable, events 11..19 intact

        Journal journal = track(ChronicleJournal.open(dir(), TestEvents.registry()));

        assertTrue(((ChronicleJournal) journal).repaired().isEmpty());
        assertFalse(Files.exists(dir().resolve(TornTail.DAMAGED_DIR)), "nothing is moved aside");
        assertEquals(10, journal.verify().firstBrokenIndex().getAsLong());
    }

    @Test
    void aZeroedLastRecordIsReportedByVerifyThroughTheHeadFile() throws Exception {
        Path file = writeJournalAndClose(20);
        byte[] last = EnvelopeFormat.toBytes(Tamper.stored(lastEnvelope()));
        long at = Tamper.findUnique(List.of(file), last).position();
        Tamper.write(file, at - 4, new byte[last.length + 4]);

        Journal journal = track(ChronicleJournal.open(dir(), TestEvents.registry()));
        VerifyResult result = journal.verify();

        assertEquals(19, result.firstBrokenIndex().getAsLong(), result.toString());
        assertTrue(result.problem().contains("journal ends at index 18 but its head file")
                && result.problem().contains("event 19 is missing"), result.problem());
        assertOneLine(result.problem());
    }

    @Test
    void aQueueFileTruncatedToNothingIsReportedByVerifyThroughTheHeadFile() throws Exception {
        Path file = writeJournalAndClose(20);
        Tamper.truncate(file, 0);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(60)));

        Journal journal = track(ChronicleJournal.open(dir(), TestEvents.registry()));
        VerifyResult result = journal.verify();

        assertEquals(0, result.firstBrokenIndex().getAsLong(), result.toString());
        assertTrue(result.problem().contains("journal is empty") && result.problem().contains("events 0..19 are missing"),
                result.problem());
        assertFalse(Files.exists(file), "the empty file is moved aside, under " + TornTail.DAMAGED_DIR);
    }

    @Test
    void aDeletedQueueFileIsReportedByVerifyThroughTheHeadFile() throws Exception {
        Path file = writeJournalAndClose(20);
        Files.delete(file);

        Journal journal = track(ChronicleJournal.open(dir(), TestEvents.registry()));
        VerifyResult result = journal.verify();

        assertEquals(0, result.firstBrokenIndex().getAsLong(), result.toString());
        assertTrue(result.problem().contains("events 0..19 are missing"), result.problem());
    }

    @Test
    void aJournalRewrittenAtTheHeadsIndexIsReportedByVerify() throws Exception {
        writeJournalAndClose(20);
        new JournalHead(dir()).lowerTo(new JournalHead.Head(19, new byte[Envelope.HASH_LENGTH]));

        try (Journal journal = ChronicleJournal.open(dir(), TestEvents.registry())) {
            VerifyResult result = journal.verify();
            assertEquals(19, result.firstBrokenIndex().getAsLong(), result.toString());
            assertTrue(result.problem().contains("event 19 is not the one the head file"), result.problem());
        }
    }

    @Test
    void theHeadFileFollowsAppendsOfEveryProcessAndNeverGoesBack() throws Exception {
        writeJournalAndClose(5);
        try (ChildJvm child = ChildJvm.start(temp, AppendingProcess.class, dir().toString(), "child", "7")) {
            child.expectLine("ready");
            child.send("go");
            assertEquals(List.of("done"), child.finish());
        }
        JournalHead.Head head = new JournalHead(dir()).read().orElseThrow();
        assertEquals(11, head.index());
        try (Journal journal = ChronicleJournal.open(dir(), TestEvents.registry())) {
            assertTrue(journal.verify().ok(), journal.verify().toString());
            new JournalHead(dir()).advanceTo(new JournalHead.Head(3, new byte[Envelope.HASH_LENGTH]));
            assertEquals(11, new JournalHead(dir()).read().orElseThrow().index());
        }
    }

    private Envelope lastEnvelope() throws Exception {
        try (Journal journal = ChronicleJournal.open(dir(), TestEvents.registry())) {
            List<Envelope> all = replayAll(journal, 0);
            return all.get(all.size() - 1);
        }
    }

    private Envelope envelopeAt(int index) throws Exception {
        try (Journal journal = ChronicleJournal.open(dir(), TestEvents.registry())) {
            return replayAll(journal, 0).get(index);
        }
    }

    @Test
    void aQueueFileWithAZeroedHeaderIsRefusedAndLeftAlone() throws Exception {
        Path file = writeJournalAndClose(20);
        Tamper.write(file, 0, new byte[64]);
        byte[] payload = TestEvents.note("disk", 5).text().getBytes(UTF_8);
        long where = Tamper.findUnique(List.of(file), payload).position();

        JournalException e = assertThrows(JournalException.class, () -> ChronicleJournal.open(dir(), TestEvents.registry()));

        assertNamesTheFile(e, file);
        assertEquals(where, Tamper.findUnique(List.of(file), payload).position(), "the events are not overwritten");
    }

    @Test
    void aTruncatedMetadataFileLeavesTheJournalReadableButRefusesAppendsNamingIt() throws Exception {
        writeJournalAndClose(3);
        Path metadata = dir().resolve("metadata.cq4t");
        Tamper.truncate(metadata, 50);

        Journal journal = open();
        assertEquals(3, replayAll(journal, 0).size());
        JournalException e = assertThrows(JournalException.class, () -> journal.append("pod", new TestEvents.Note("x")));

        assertTrue(e.getMessage().contains(metadata.toString()) && e.getMessage().contains("move it aside"),
                e.getMessage());
        assertOneLine(e.getMessage());
        assertEquals(3, journal.nextIndex());
    }

    @Test
    void aBrokenExcerptHeaderFailsReplayVerifyAndTailsNamingTheFile() throws Exception {
        Journal journal = track(open(TestEvents.registry(), Clock.systemUTC(),
                new TailBackoff(Duration.ofNanos(20_000), Duration.ofMillis(1), Duration.ofMillis(200))));
        List<Envelope> appended = appendNotes(journal, "hdr", 100);
        Path file = single(queueFiles());
        long record = Tamper.findUnique(List.of(file), EnvelopeFormat.toBytes(Tamper.stored(appended.get(40)))).position();
        Tamper.writeIntLe(file, record - 4, 0xFFFFFFFF);

        JournalException replayed = assertThrows(JournalException.class, () -> replayAll(journal, 0));
        assertNamesTheFile(replayed, file);
        assertTrue(replayed.getMessage().contains("event 40"), replayed.getMessage());

        VerifyResult verified = journal.verify();
        assertEquals(40, verified.firstBrokenIndex().getAsLong(), verified.toString());
        assertTrue(verified.problem().contains(file.toString()), verified.problem());

        List<Long> tailed = new CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<Throwable> heard = new java.util.concurrent.CompletableFuture<>();
        try (Tail tail = journal.tail(0, e -> tailed.add(e.index()))) {
            tail.whenFailed(heard::complete);
            await().until(() -> tail.failure().isPresent());
            assertEquals(tail.failure().get(), heard.get(10, TimeUnit.SECONDS), "the failure reaches its listener");
            java.util.concurrent.CompletableFuture<Throwable> late = new java.util.concurrent.CompletableFuture<>();
            tail.whenFailed(late::complete);
            assertTrue(late.isDone(), "a listener after the failure hears it at once");
            assertEquals(LongStream.range(0, 40).boxed().toList(), tailed);
            assertEquals(40, tail.position());
            JournalException stuck = assertInstanceOf(JournalException.class, tail.failure().get());
            assertNamesTheFile(stuck, file);
        }
    }

    private static <T> T single(List<T> list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }
}
