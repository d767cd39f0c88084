package dev.rkj.engine.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.read.EventFeed;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.JournalPruned;
import dev.rkj.eventlog.Retention;
import dev.rkj.eventlog.VerifyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning old day files keeps every pod and image (from the snapshot at the new first index) and a verifiable chain. */
class JournalRetentionTest {
    @TempDir
    Path dataDir;

    /** A clock the test moves by hand. */
    static final class HandClock extends Clock {
        Instant now;

        HandClock(Instant now) {
            this.now = now;
        }

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
    void pruningByAgeKeepsEveryPodAndImageAndTheChainVerifiesFromTheAnchor() throws Exception {
        Instant today = Instant.parse("2026-12-05T12:00:00Z");
        HandClock clock = new HandClock(today.minus(Duration.ofDays(6)));
        Path dir = dataDir.resolve("journal");
        Snapshots snapshots = Snapshots.in(dataDir);
        Random random = new Random(11);
        try (ChronicleJournal journal = ChronicleJournal.open(dir, EngineEvents.registry(), clock)) {
            for (int day = 0; day <= 6; day++) {
                clock.now = today.minus(Duration.ofDays(6 - day));
                SnapshotsTest.appendRandomHistory(journal, random, 3, day % 3 == 0 ? 1 : 0);
            }
        }
        assertEquals(7, dayFiles(dir));
        try (ChronicleJournal journal = ChronicleJournal.open(dir, EngineEvents.registry(), clock)) {
            Snapshots.Base whole = Snapshots.Base.empty(List.of()).caughtUp(journal);
            long end = journal.nextIndex();

            JournalRetention.Pruned pruned = JournalRetention.prune(journal, snapshots,
                    new Retention(Optional.of(Duration.ofDays(2)), OptionalLong.empty()), today);

            assertEquals(4, pruned.files(), "the days wholly older than two days");
            assertEquals(3, dayFiles(dir));
            assertTrue(pruned.firstIndex() > 0 && pruned.firstIndex() < end, "first index " + pruned.firstIndex());
            assertEquals(pruned.firstIndex(), journal.firstIndex());
            VerifyResult verified = journal.verify();
            assertTrue(verified.ok(), verified.problem());
            assertEquals(end - pruned.firstIndex(), verified.checked());
            JournalPruned gone = assertThrows(JournalPruned.class, () -> journal.replay(0, env -> { }));
            assertEquals(pruned.firstIndex(), gone.firstIndex());

            Snapshots.Base loaded = snapshots.load(journal).caughtUp(journal);
            assertEquals(whole.pods().all(), loaded.pods().all(), "every pod, those of pruned days too");
            assertEquals(whole.images().saved(), loaded.images().saved());

            assertThrows(JournalPruned.class, () -> new EventFeed(journal, pruned.firstIndex() - 2, EventFeed.Filter.ALL, snapshots));
            EventFeed feed = new EventFeed(journal, pruned.firstIndex() - 1, EventFeed.Filter.ALL, snapshots);
            List<EventFeed.Item> items = feed.poll(100_000);
            assertEquals(end - pruned.firstIndex(), items.size());
            for (EventFeed.Item item : items) {
                item.pod().ifPresent(p -> assertEquals(p.revision() > 0, true));
            }

            snapshots.refresh(journal);
            assertTrue(snapshots.fileAt(pruned.firstIndex()).isPresent(), "the anchor's snapshot stays");
        }
        try (ChronicleJournal reopened = ChronicleJournal.openReadOnly(dir, EngineEvents.registry())) {
            assertTrue(reopened.verify().ok(), reopened.verify().problem());
            assertEquals(Snapshots.Base.empty(List.of()).index(), 0);
            assertTrue(snapshots.load(reopened).index() >= reopened.firstIndex());
        }
    }

    @Test
    void pruningBySizeLeavesTheNewestFileAndNothingWhenItFits() throws Exception {
        Instant today = Instant.parse("2026-12-05T12:00:00Z");
        HandClock clock = new HandClock(today.minus(Duration.ofDays(3)));
        Path dir = dataDir.resolve("journal");
        Snapshots snapshots = Snapshots.in(dataDir);
        try (ChronicleJournal journal = ChronicleJournal.open(dir, EngineEvents.registry(), clock)) {
            for (int day = 0; day <= 3; day++) {
                clock.now = today.minus(Duration.ofDays(3 - day));
                SnapshotsTest.appendRandomHistory(journal, new Random(day), 2, 0);
            }
            JournalRetention.Pruned none = JournalRetention.prune(journal, snapshots,
                    new Retention(Optional.empty(), OptionalLong.of(Long.MAX_VALUE)), today);
            assertEquals(0, none.files());
            assertEquals(0, journal.firstIndex());

            JournalRetention.Pruned all = JournalRetention.prune(journal, snapshots,
                    new Retention(Optional.empty(), OptionalLong.of(0)), today);
            assertEquals(3, all.files());
            assertEquals(1, dayFiles(dir));
            assertTrue(journal.verify().ok(), journal.verify().problem());
        }
    }

    private static long dayFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".cq4")).count();
        }
    }
}
