package dev.rkj.eventlog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.eventlog.TestEvents.Note;
import dev.rkj.eventlog.TestEvents.NoteWithCount;
import dev.rkj.eventlog.TestEvents.PodStarted;
import dev.rkj.eventlog.TestEvents.Retired;
import dev.rkj.eventlog.TestEvents.Unnamed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Journal} must have. Each implementation's test extends this and says
 * how to open its journal and how to damage its storage the way a hand edit or a bad disk would.
 */
abstract class JournalContract {
    private static final Instant T0 = Instant.parse("2026-11-22T04:51:17.123456789Z");

    private final List<Journal> opened = new ArrayList<>();

    /**
     * Opens the journal under test on this test's storage. Calling it again opens another handle
     * on the same storage (as another build or process would), decoding with {@code registry}.
     */
    protected abstract Journal open(EventRegistry registry, Clock clock, TailBackoff backoff) throws JournalException;

    /** The backoff the implementation uses by default. */
    protected abstract TailBackoff defaultBackoff();

    /** Changes one character of {@code target}'s stored payload, keeping its length and JSON valid. */
    protected abstract void alterStoredPayload(Journal journal, Envelope target) throws Exception;

    /** Removes {@code target} from storage, leaving the others. */
    protected abstract void removeStored(Journal journal, Envelope target) throws Exception;

    /** Swaps two stored envelopes of equal size. */
    protected abstract void swapStored(Journal journal, Envelope first, Envelope second) throws Exception;

    protected final Journal open(EventRegistry registry) throws JournalException {
        return track(open(registry, Clock.systemUTC(), defaultBackoff()));
    }

    protected final Journal openWithClock(Clock clock) throws JournalException {
        return track(open(TestEvents.registry(), clock, defaultBackoff()));
    }

    protected final Journal open() throws JournalException {
        return open(TestEvents.registry());
    }

    /** Closes {@code journal} after the test (and checks its tails are gone). */
    protected final Journal track(Journal journal) {
        opened.add(journal);
        return journal;
    }

    @AfterEach
    void closeEverythingAndCheckNoTailThreadIsLeft() {
        for (Journal journal : opened) {
            journal.close();
        }
        assertEquals(List.of(), Threads.liveTailThreads(), "tail threads left running after close()");
    }

    protected static List<Envelope> appendNotes(Journal journal, String tag, int count) throws JournalException {
        List<Envelope> appended = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            appended.add(journal.append("agg-" + tag, TestEvents.note(tag, i)));
        }
        return appended;
    }

    protected static List<Envelope> replayAll(Journal journal, long from) throws JournalException {
        List<Envelope> replayed = new ArrayList<>();
        journal.replay(from, replayed::add);
        return replayed;
    }

    private static List<Long> indexes(List<Envelope> envelopes) {
        return envelopes.stream().map(Envelope::index).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    // ---- conditional appends (optimistic concurrency)

    @Test
    void aConditionalAppendOfAnUnchangedAggregateIsAppendedWhateverOthersAppended() throws Exception {
        Journal journal = open();
        journal.append("pod-a", new Note("a0"));
        long decidedAt = journal.nextIndex();
        journal.append("pod-b", new Note("b0")); // another aggregate: no conflict
        List<Envelope> appended = journal.appendIfUnchanged("pod-a", decidedAt, List.of(new Note("a1"), new Note("a2")));
        assertEquals(List.of(2L, 3L), indexes(appended));
        assertEquals(List.of("pod-a", "pod-a"), appended.stream().map(Envelope::aggregateId).toList());
        assertEquals(List.of(new Note("a1"), new Note("a2")), replayAll(journal, 2).stream().map(Envelope::event).toList());
        assertTrue(journal.verify().ok());
    }

    @Test
    void ofTwoHandlesDecidingAtTheSameIndexTheSecondGetsAConflictNamingTheNewerEventAndAppendsNothing()
            throws Exception {
        Journal first = open();
        Journal second = open(); // another handle on the same storage, as another process has
        first.append("pod-a", new Note("prepared"));
        first.append("pod-b", new Note("unrelated"));
        long decidedAt = second.nextIndex();
        assertEquals(decidedAt, first.nextIndex());

        Envelope won = first.appendIfUnchanged("pod-a", decidedAt, List.of(new Note("started"))).get(0);
        AppendConflict lost = assertThrows(AppendConflict.class,
                () -> second.appendIfUnchanged("pod-a", decidedAt, List.of(new Note("marked garbage"))));

        assertEquals("pod-a", lost.aggregateId());
        assertEquals(decidedAt, lost.decidedAt());
        assertEquals(won.index(), lost.newerIndex());
        assertTrue(lost.getMessage().contains("pod-a") && lost.getMessage().contains(String.valueOf(won.index())),
                lost.getMessage());
        assertEquals(won.index() + 1, second.nextIndex(), "the loser appended nothing");
        // An empty batch is only the check.
        assertThrows(AppendConflict.class, () -> second.appendIfUnchanged("pod-a", decidedAt, List.of()));
        assertEquals(List.of(), second.appendIfUnchanged("pod-a", won.index() + 1, List.of()));
        // Caught up, the loser decides again and wins.
        Envelope again = second.appendIfUnchanged("pod-a", second.nextIndex(), List.of(new Note("stopped"))).get(0);
        assertEquals(won.index() + 1, again.index());
        assertTrue(first.verify().ok());
    }

    @Test
    void aConditionalAppendRefusesADecisionIndexOutsideTheJournal() throws Exception {
        Journal journal = open();
        journal.append("pod-a", new Note("one"));
        assertThrows(IllegalArgumentException.class,
                () -> journal.appendIfUnchanged("pod-a", 2, List.of(new Note("two"))));
        assertThrows(IllegalArgumentException.class,
                () -> journal.appendIfUnchanged("pod-a", -1, List.of(new Note("two"))));
        assertThrows(IllegalArgumentException.class,
                () -> journal.appendIfUnchanged("pod-a", 1, List.of(new Unnamed("not registered"))));
        assertEquals(1, journal.nextIndex());
    }

    @Test
    void countersRacingThroughConditionalAppendsOnSeveralHandlesTakeEveryValueOnce() throws Exception {
        int handles = 4;
        int each = 50;
        List<Journal> journals = new ArrayList<>();
        for (int h = 0; h < handles; h++) {
            journals.add(open());
        }
        ExecutorService pool = Executors.newFixedThreadPool(handles);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> conflicts = new ArrayList<>();
            for (int h = 0; h < handles; h++) {
                CasCounter counter = new CasCounter(journals.get(h), "h" + h);
                conflicts.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        counter.increment();
                    }
                    return counter.conflicts();
                }));
            }
            go.countDown();
            for (Future<Integer> f : conflicts) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        List<Integer> values = CasCounter.values(journals.get(0));
        assertEquals(LongStream.range(0, (long) handles * each).boxed().map(Long::intValue).toList(), values,
                "every value taken exactly once, in order");
        assertTrue(journals.get(0).verify().ok());
    }

    // ---- appending

    @Test
    void anEmptyJournalStartsAtIndexZero() throws Exception {
        Journal journal = open();
        assertEquals(0, journal.nextIndex());
        assertEquals(List.of(), replayAll(journal, 0));
    }

    @Test
    void appendAssignsDenseIndexesFromZero() throws Exception {
        Journal journal = open();
        List<Envelope> appended = appendNotes(journal, "dense", 5);
        assertEquals(range(0, 5), indexes(appended));
        assertEquals(5, journal.nextIndex());
    }

    @Test
    void appendReturnsTheStoredEnvelope() throws Exception {
        Journal journal = openWithClock(Clock.fixed(T0, java.time.ZoneOffset.UTC));
        PodStarted event = new PodStarted("pod-1", 4242, T0.minusSeconds(1), Duration.ofMillis(1500));

        Envelope envelope = journal.append("pod-1", event);

        assertEquals(0, envelope.index());
        assertEquals(T0, envelope.time());
        assertEquals("pod-1", envelope.aggregateId());
        assertEquals(new WireType("test.pod-started", 2), envelope.type());
        assertEquals(Json.mapper().writeValueAsString(event), envelope.payloadJson());
        assertEquals(event, envelope.event());
        assertArrayEquals(new byte[32], envelope.previousHash());
        assertEquals(List.of(envelope), replayAll(journal, 0));
    }

    @Test
    void javaTimeValuesAreStoredAsIsoStrings() throws Exception {
        Journal journal = open();
        PodStarted event = new PodStarted("pod-1", 1, Instant.parse("2026-01-02T03:04:05.5Z"), Duration.ofMillis(1500));

        Envelope envelope = journal.append("pod-1", event);

        assertTrue(envelope.payloadJson().contains("\"at\":\"2026-01-02T03:04:05.500Z\""), envelope.payloadJson());
        assertTrue(envelope.payloadJson().contains("\"took\":\"PT1.5S\""), envelope.payloadJson());
        assertEquals(event, replayAll(journal, 0).get(0).event());
    }

    @Test
    void appendAllStoresEachEventAsItsOwnEnvelopeInOrder() throws Exception {
        Journal journal = open();
        journal.append("first", new Retired("before"));
        List<Record> events = List.of(new Note("a"), new Retired("b"), new Note("c"));

        List<Envelope> appended = journal.appendAll("pod-9", events);

        assertEquals(List.of(1L, 2L, 3L), indexes(appended));
        assertEquals(events, appended.stream().map(Envelope::event).toList());
        assertEquals(appended, replayAll(journal, 1));
        assertArrayEquals(appended.get(0).hash(), appended.get(1).previousHash());
    }

    @Test
    void appendAllAppendsNothingWhenOneEventIsNotRegistered() throws Exception {
        Journal journal = open();
        List<Record> events = List.of(new Note("a"), new Unnamed("b"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> journal.appendAll("pod", events));

        assertTrue(e.getMessage().contains(Unnamed.class.getName()), e.getMessage());
        assertEquals(0, journal.nextIndex());
    }

    @Test
    void appendRejectsAnUnregisteredEventTypeNamingIt() throws Exception {
        Journal journal = open(EventRegistry.of(Note.class));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> journal.append("pod", new Retired("not registered here")));

        assertTrue(e.getMessage().contains(Retired.class.getName()) && e.getMessage().contains("EventRegistry"),
                e.getMessage());
        assertEquals(0, journal.nextIndex());
    }

    @Test
    void appendRejectsAMissingAggregateId() throws Exception {
        Journal journal = open();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> journal.append("", new Note("x")));
        assertTrue(e.getMessage().contains("aggregate id"), e.getMessage());
        assertEquals(0, journal.nextIndex());
    }

    @Test
    void concurrentAppendsFromManyThreadsKeepIndexesDenseAndTheChainWhole() throws Exception {
        Journal journal = open();
        int threads = 4;
        int each = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Envelope>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String tag = "t" + t;
                results.add(pool.submit(() -> {
                    start.await();
                    return appendNotes(journal, tag, each);
                }));
            }
            start.countDown();
            List<Long> returned = new ArrayList<>();
            for (Future<List<Envelope>> result : results) {
                List<Envelope> mine = result.get(60, TimeUnit.SECONDS);
                List<Long> mineIndexes = indexes(mine);
                assertEquals(mineIndexes.stream().sorted().toList(), mineIndexes, "one thread's appends in its order");
                returned.addAll(mineIndexes);
            }
            Collections.sort(returned);
            assertEquals(range(0, threads * each), returned);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(range(0, threads * each), indexes(replayAll(journal, 0)));
        assertTrue(journal.verify().ok(), journal.verify().toString());
    }

    @Test
    void twoHandlesOnTheSameStorageShareOneDenseSequence() throws Exception {
        Journal one = open();
        Journal two = open();
        List<Envelope> appended = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            appended.add((i % 3 == 0 ? two : one).append("pod", TestEvents.note("h", i)));
        }
        assertEquals(range(0, 20), indexes(appended));
        assertEquals(appended, replayAll(one, 0));
        assertEquals(appended, replayAll(two, 0));
        assertEquals(20, one.nextIndex());
        assertEquals(20, two.nextIndex());
        assertTrue(two.verify().ok());
    }

    // ---- replay

    @Test
    void replayDeliversEveryEnvelopeInOrderWithDecodedEvents() throws Exception {
        Journal journal = open();
        List<Envelope> appended = appendNotes(journal, "r", 50);
        assertEquals(appended, replayAll(journal, 0));
    }

    @Test
    void replayFromTheMiddleStartsAtThatIndex() throws Exception {
        Journal journal = open();
        List<Envelope> appended = appendNotes(journal, "m", 40);
        assertEquals(appended.subList(17, 40), replayAll(journal, 17));
        assertEquals(appended.subList(39, 40), replayAll(journal, 39));
    }

    @Test
    void replayFromBeyondTheEndDeliversNothing() throws Exception {
        Journal journal = open();
        appendNotes(journal, "b", 3);
        assertEquals(List.of(), replayAll(journal, 3));
        assertEquals(List.of(), replayAll(journal, 1_000_000));
    }

    @Test
    void replayDeliversOnlyWhatExistedWhenItStarted() throws Exception {
        Journal journal = open();
        appendNotes(journal, "s", 5);
        List<Envelope> seen = new ArrayList<>();
        journal.replay(0, e -> {
            seen.add(e);
            try {
                journal.append("during", new Note("appended during replay " + e.index()));
            } catch (JournalException ex) {
                throw new IllegalStateException(ex);
            }
        });
        assertEquals(range(0, 5), indexes(seen));
        assertEquals(10, journal.nextIndex());
    }

    @Test
    void replayRejectsANegativeIndex() throws Exception {
        Journal journal = open();
        assertThrows(IllegalArgumentException.class, () -> journal.replay(-1, e -> {}));
    }

    @Test
    void anUnknownWireTypeReplaysAsUnknownEventWithItsRawJson() throws Exception {
        Journal writer = open();
        writer.append("pod", new Note("kept"));
        Envelope retired = writer.append("pod", new Retired("no longer in the build"));

        Journal reader = open(EventRegistry.of(Note.class));
        List<Envelope> replayed = replayAll(reader, 0);

        assertEquals(new Note("kept"), replayed.get(0).event());
        assertEquals(new UnknownEvent(new WireType("test.retired", 1), retired.payloadJson()), replayed.get(1).event());
        assertEquals(retired.payloadJson(), replayed.get(1).payloadJson());
        assertArrayEquals(retired.hash(), replayed.get(1).hash());
        assertTrue(reader.verify().ok(), "unknown types do not break the chain");
    }

    @Test
    void aKnownTypeWhosePayloadNoLongerFitsFailsReplayNamingTheEvent() throws Exception {
        Journal writer = open();
        writer.append("pod", new Retired("fine"));
        writer.append("pod", new Note("shape changed"));

        Journal reader = open(EventRegistry.of(NoteWithCount.class, Retired.class));
        JournalException e = assertThrows(JournalException.class, () -> replayAll(reader, 0));

        assertTrue(e.getMessage().contains("event 1") && e.getMessage().contains("test.note/1")
                && e.getMessage().contains(NoteWithCount.class.getName()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    // ---- the hash chain

    @Test
    void eachHashIsSha256OverThePreviousHashAndTheCanonicalFields() throws Exception {
        Journal journal = open();
        List<Envelope> appended = new ArrayList<>(appendNotes(journal, "chain", 3));
        appended.add(journal.append("pod-ü", new PodStarted("pod-ü", 7, T0, Duration.ZERO)));

        byte[] previous = new byte[32];
        for (Envelope e : appended) {
            assertArrayEquals(previous, e.previousHash(), "envelope " + e.index() + " links to the one before");
            assertArrayEquals(expectedHash(previous, e), e.hash(), "envelope " + e.index() + "'s hash");
            previous = e.hash();
        }
        assertEquals(appended, replayAll(journal, 0));
    }

    /** The documented formula, computed independently of the implementation. */
    private static byte[] expectedHash(byte[] previous, Envelope e) throws Exception {
        ByteArrayOutputStream canonical = new ByteArrayOutputStream();
        canonical.write(previous);
        canonical.write(ByteBuffer.allocate(20).putLong(e.index()).putLong(e.time().getEpochSecond())
                .putInt(e.time().getNano()).array());
        writeBlock(canonical, e.aggregateId().getBytes(UTF_8));
        writeBlock(canonical, e.type().name().getBytes(UTF_8));
        canonical.write(ByteBuffer.allocate(4).putInt(e.type().version()).array());
        writeBlock(canonical, e.payloadJson().getBytes(UTF_8));
        return MessageDigest.getInstance("SHA-256").digest(canonical.toByteArray());
    }

    private static void writeBlock(ByteArrayOutputStream out, byte[] block) throws Exception {
        out.write(ByteBuffer.allocate(4).putInt(block.length).array());
        out.write(block);
    }

    @Test
    void verifyOfAnEmptyJournalPasses() throws Exception {
        VerifyResult result = open().verify();
        assertTrue(result.ok());
        assertEquals(0, result.checked());
    }

    @Test
    void verifyPassesOnAnIntactJournal() throws Exception {
        Journal journal = open();
        appendNotes(journal, "ok", 30);
        VerifyResult result = journal.verify();
        assertTrue(result.ok(), result.toString());
        assertEquals(30, result.checked());
        assertEquals("", result.problem());
    }

    @Test
    void verifyNamesAnEventWhosePayloadWasAltered() throws Exception {
        Journal journal = open();
        List<Envelope> appended = appendNotes(journal, "edit", 20);

        alterStoredPayload(journal, appended.get(12));
        VerifyResult result = journal.verify();

        assertFalse(result.ok());
        assertEquals(12, result.firstBrokenIndex().getAsLong(), result.toString());
        assertEquals(12, result.checked());
        assertTrue(result.problem().contains("altered"), result.problem());
    }

    @Test
    void verifyNamesTheIndexWhereAnEventWasRemoved() throws Exception {
        Journal journal = open();
        List<Envelope> appended = appendNotes(journal, "gone", 20);

        removeStored(journal, appended.get(7));
        VerifyResult result = journal.verify();

        assertEquals(7, result.firstBrokenIndex().getAsLong(), result.toString());
        assertTrue(result.problem().contains("missing"), result.problem());
    }

    @Test
    void verifyNamesTheIndexWhereTwoEventsWereSwapped() throws Exception {
        Journal journal = open();
        List<Envelope> appended = appendNotes(journal, "swap", 20);

        swapStored(journal, appended.get(9), appended.get(10));
        VerifyResult result = journal.verify();

        assertEquals(9, result.firstBrokenIndex().getAsLong(), result.toString());
    }

    // ---- tails

    @Test
    void tailDeliversExistingAndThenNewEnvelopesInOrder() throws Exception {
        Journal journal = open();
        List<Envelope> appended = new ArrayList<>(appendNotes(journal, "before", 10));
        List<Envelope> seen = new CopyOnWriteArrayList<>();
        try (Tail tail = journal.tail(0, seen::add)) {
            appended.addAll(appendNotes(journal, "after", 10));
            await().until(() -> seen.size() == 20);
            assertEquals(appended, seen);
            assertEquals(20, tail.position());
        }
    }

    @Test
    void tailFromTheMiddleStartsThere() throws Exception {
        Journal journal = open();
        List<Envelope> appended = appendNotes(journal, "mid", 30);
        List<Envelope> seen = new CopyOnWriteArrayList<>();
        try (Tail tail = journal.tail(25, seen::add)) {
            await().until(() -> seen.size() == 5);
            assertEquals(appended.subList(25, 30), seen);
            assertEquals(30, tail.position());
        }
    }

    @Test
    void tailFromAFutureIndexWaitsForIt() throws Exception {
        Journal journal = open();
        appendNotes(journal, "early", 3);
        List<Envelope> seen = new CopyOnWriteArrayList<>();
        try (Tail tail = journal.tail(6, seen::add)) {
            List<Envelope> later = appendNotes(journal, "later", 5);
            await().until(() -> seen.size() == 2);
            assertEquals(later.subList(3, 5), seen);
            assertEquals(8, tail.position());
        }
    }

    @Test
    void anAppendInThisProcessWakesTheTailWithoutWaitingForAPoll() throws Exception {
        // Once idle, the tail parks for ten minutes at a time: only the append's wake-up can deliver in time.
        Journal journal = track(open(TestEvents.registry(), Clock.systemUTC(), TailBackoff.parkFor(Duration.ofMinutes(10))));
        List<Envelope> seen = new CopyOnWriteArrayList<>();
        try (Tail tail = journal.tail(0, seen::add)) {
            for (int round = 0; round < 3; round++) {
                int expected = round + 1;
                await().atMost(Duration.ofSeconds(30)).until(() -> tailIsParked(tail));
                journal.append("wake", TestEvents.note("wake", round));
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == expected);
            }
        }
    }

    private static boolean tailIsParked(Tail tail) {
        return ((TailThread) tail).threadState() == Thread.State.TIMED_WAITING;
    }

    @Test
    void aTailNeverSkipsOrDuplicatesWhileThreadsAppend() throws Exception {
        Journal journal = open();
        List<Long> seen = new CopyOnWriteArrayList<>();
        int threads = 3;
        int each = 400;
        try (Tail tail = journal.tail(0, e -> seen.add(e.index()))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<Envelope>>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String tag = "c" + t;
                    results.add(pool.submit(() -> appendNotes(journal, tag, each)));
                }
                for (Future<List<Envelope>> result : results) {
                    result.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            await().until(() -> seen.size() >= threads * each);
            assertEquals(range(0, threads * each), List.copyOf(seen));
            assertTrue(tail.failure().isEmpty());
        }
    }

    @Test
    void tailThreadsAreDaemonsNamedRkjJournalTail() throws Exception {
        Journal journal = open();
        try (Tail first = journal.tail(0, e -> {}); Tail second = journal.tail(0, e -> {})) {
            List<Thread> threads = Threads.liveTailThreads();
            assertEquals(2, threads.size(), threads.toString());
            for (Thread thread : threads) {
                assertTrue(thread.isDaemon(), thread + " is a daemon");
                assertTrue(thread.getName().matches("rkj-journal-tail-\\d+"), thread.getName());
            }
            assertNotEquals(threads.get(0).getName(), threads.get(1).getName());
            assertEquals(0, first.position() + second.position(), "nothing to deliver yet");
        }
    }

    @Test
    void closingATailStopsItsThreadAndFreezesItsPosition() throws Exception {
        Journal journal = open();
        appendNotes(journal, "x", 4);
        List<Envelope> seen = new CopyOnWriteArrayList<>();
        Tail tail = journal.tail(0, seen::add);
        await().until(() -> seen.size() == 4);

        tail.close();

        assertEquals(List.of(), Threads.liveTailThreads());
        appendNotes(journal, "y", 3);
        assertEquals(4, tail.position());
        assertEquals(4, seen.size());
        tail.close(); // idempotent
    }

    @Test
    void closingTheJournalStopsItsTails() throws Exception {
        Journal journal = open();
        Tail one = journal.tail(0, e -> {});
        Tail two = journal.tail(5, e -> {});
        assertEquals(2, Threads.liveTailThreads().size());

        journal.close();

        assertEquals(List.of(), Threads.liveTailThreads());
        assertEquals(0, one.position());
        assertEquals(5, two.position());
    }

    @Test
    void aHandlerThatThrowsStopsTheTailAtThatEvent() throws Exception {
        Journal journal = open();
        appendNotes(journal, "boom", 5);
        List<Long> seen = new CopyOnWriteArrayList<>();
        IllegalStateException boom = new IllegalStateException("handler failed on 3");
        try (Tail tail = journal.tail(0, e -> {
            if (e.index() == 3) {
                throw boom;
            }
            seen.add(e.index());
        })) {
            await().until(() -> tail.failure().isPresent());
            assertEquals(boom, tail.failure().get());
            assertEquals(3, tail.position());
            assertEquals(List.of(0L, 1L, 2L), seen);
            await().until(() -> Threads.liveTailThreads().isEmpty());
        }
    }

    @Test
    void aTailThatStopsByItselfTellsItsFailureListenersOnceAndLateOnesAtOnce() throws Exception {
        Journal journal = open();
        appendNotes(journal, "fail", 3);
        IllegalStateException boom = new IllegalStateException("handler failed on 1");
        List<Throwable> heard = new CopyOnWriteArrayList<>();
        try (Tail tail = journal.tail(0, e -> {
            if (e.index() == 1) {
                throw boom;
            }
        })) {
            tail.whenFailed(heard::add);
            await().until(() -> tail.failure().isPresent());
            await().until(() -> heard.size() == 1);
            tail.whenFailed(heard::add);
            assertEquals(List.of(boom, boom), heard, "once each: as it stopped, and at once for a late listener");
        }
        List<Throwable> closedOnly = new CopyOnWriteArrayList<>();
        try (Tail quiet = journal.tail(0, e -> {})) {
            quiet.whenFailed(closedOnly::add);
        }
        assertEquals(List.of(), closedOnly, "closing is not a failure");
    }

    @Test
    void aHandlerMayCloseItsOwnTail() throws Exception {
        Journal journal = open();
        appendNotes(journal, "self", 5);
        AtomicReference<Tail> self = new AtomicReference<>();
        List<Long> seen = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        Tail tail = journal.tail(0, e -> {
            awaitLatch(started);
            seen.add(e.index());
            if (e.index() == 1) {
                self.get().close();
            }
        });
        self.set(tail);
        started.countDown();
        await().until(() -> Threads.liveTailThreads().isEmpty());
        assertEquals(List.of(0L, 1L), seen);
        assertEquals(2, tail.position());
        assertTrue(tail.failure().isEmpty());
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- closing

    @Test
    void callsOnAClosedJournalFailClearly() throws Exception {
        Journal journal = open();
        journal.append("pod", new Note("x"));
        journal.close();
        journal.close(); // idempotent

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> journal.append("pod", new Note("y")));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> journal.replay(0, x -> {}));
        assertThrows(IllegalStateException.class, () -> journal.tail(0, x -> {}));
        assertThrows(IllegalStateException.class, journal::nextIndex);
        assertThrows(IllegalStateException.class, journal::verify);
    }

    protected static void assertOneLine(String message) {
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
    }
}
