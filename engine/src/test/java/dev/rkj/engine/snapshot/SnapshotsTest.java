package dev.rkj.engine.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.store.ImageEvent;
import dev.rkj.engine.store.ImageIndex;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.eventlog.InMemoryJournal;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fold(all events) == fold(tail, snapshot), and a snapshot that cannot be trusted is ignored, never fatal. */
class SnapshotsTest {
    private static final PodOwner A = new PodOwner("engine-a", 100);
    private static final PodOwner B = new PodOwner("engine-b", 200);

    @TempDir
    Path dataDir;

    @Test
    void snapshotPlusTailFoldsToTheSameStateAsTheWholeJournalForRandomHistories() throws Exception {
        for (int seed = 0; seed < 60; seed++) {
            Random random = new Random(seed);
            Path dir = Files.createDirectory(dataDir.resolve("seed-" + seed));
            Snapshots snapshots = Snapshots.in(dir);
            try (InMemoryJournal journal = new InMemoryJournal(EngineEvents.registry())) {
                appendRandomHistory(journal, random, 1 + random.nextInt(12), random.nextInt(4));
                long end = journal.nextIndex();
                long at = random.nextInt((int) end + 1);
                writeSnapshotAt(journal, snapshots, at);

                Snapshots.Base loaded = snapshots.load(journal);
                assertEquals(at, loaded.index(), "seed " + seed + ": the snapshot at " + at + " is used");
                assertEquals(List.of(), loaded.warnings());
                loaded.caughtUp(journal);
                Snapshots.Base whole = Snapshots.Base.empty(List.of()).caughtUp(journal);

                assertEquals(whole.pods().all(), loaded.pods().all(), "seed " + seed + ": pods, snapshot at " + at + " of " + end);
                assertEquals(whole.pods().nextIndex(), loaded.pods().nextIndex());
                assertEquals(whole.images().saved(), loaded.images().saved(), "seed " + seed + ": images");
                assertEquals(whole.images().list(), loaded.images().list());
            }
        }
    }

    @Test
    void aCorruptSnapshotIsIgnoredWithAWarningAndAnOlderOneIsUsed() throws Exception {
        Snapshots snapshots = Snapshots.in(dataDir);
        try (InMemoryJournal journal = new InMemoryJournal(EngineEvents.registry())) {
            appendRandomHistory(journal, new Random(7), 4, 1);
            writeSnapshotAt(journal, snapshots, 5);
            Path newest = writeSnapshotAt(journal, snapshots, journal.nextIndex());
            Files.writeString(newest, Files.readString(newest).substring(0, 100));

            Snapshots.Base loaded = snapshots.load(journal);

            assertEquals(5, loaded.index(), "the older, readable snapshot");
            assertEquals(1, loaded.warnings().size(), loaded.warnings().toString());
            assertTrue(loaded.warnings().get(0).contains(newest.toString()) && loaded.warnings().get(0).contains("cannot be read"),
                    loaded.warnings().get(0));
            assertEquals(Snapshots.Base.empty(List.of()).caughtUp(journal).pods().all(), loaded.caughtUp(journal).pods().all());
        }
    }

    @Test
    void aSnapshotOfAnotherVersionOrShapeIsIgnored() throws Exception {
        Snapshots snapshots = Snapshots.in(dataDir);
        try (InMemoryJournal journal = new InMemoryJournal(EngineEvents.registry())) {
            appendRandomHistory(journal, new Random(3), 3, 1);
            Path file = writeSnapshotAt(journal, snapshots, journal.nextIndex());
            String text = Files.readString(file);
            Files.writeString(file, text.replace("\"shape\":\"" + Shape.CURRENT + "\"", "\"shape\":\"0123\""));

            Snapshots.Base loaded = snapshots.load(journal);

            assertEquals(0, loaded.index());
            assertTrue(loaded.warnings().get(0).contains("another version of rkj"), loaded.warnings().toString());

            Files.writeString(file, text.replace("\"version\":" + Snapshots.VERSION, "\"version\":99"));
            assertEquals(0, snapshots.load(journal).index());
        }
    }

    @Test
    void aSnapshotOfAnotherJournalIsIgnored() throws Exception {
        Snapshots snapshots = Snapshots.in(dataDir);
        try (InMemoryJournal journal = new InMemoryJournal(EngineEvents.registry());
             InMemoryJournal other = new InMemoryJournal(EngineEvents.registry())) {
            appendRandomHistory(journal, new Random(1), 3, 1);
            appendRandomHistory(other, new Random(2), 6, 1);
            writeSnapshotAt(journal, snapshots, journal.nextIndex());

            Snapshots.Base loaded = snapshots.load(other);

            assertEquals(0, loaded.index());
            assertTrue(loaded.warnings().get(0).contains("not the one it was taken after")
                    || loaded.warnings().get(0).contains("holds only"), loaded.warnings().toString());
        }
    }

    @Test
    void refreshWritesAtTheEndAndKeepsOnlyTheNewest() throws Exception {
        Snapshots snapshots = Snapshots.in(dataDir);
        try (InMemoryJournal journal = new InMemoryJournal(EngineEvents.registry())) {
            appendRandomHistory(journal, new Random(5), 3, 1);
            Snapshots.Base first = snapshots.refresh(journal);
            assertEquals(journal.nextIndex(), first.index());
            appendRandomHistory(journal, new Random(6), 2, 0);

            Snapshots.Base second = snapshots.refresh(journal);

            assertEquals(journal.nextIndex(), second.index());
            assertTrue(snapshots.fileAt(second.index()).isPresent());
            assertTrue(snapshots.fileAt(first.index()).isEmpty(), "the older one is removed");
            assertEquals(second.index(), snapshots.load(journal).index());
        }
    }

    /** Folds the first {@code at} envelopes and writes them as a snapshot. */
    static Path writeSnapshotAt(Journal journal, Snapshots snapshots, long at) throws Exception {
        PodProjection pods = new PodProjection();
        ImageIndex images = new ImageIndex();
        journal.replay(0, env -> {
            if (env.index() < at) {
                pods.apply(env.aggregateId(), env.event(), env.time(), env.index());
                images.apply(env);
            }
        });
        return snapshots.write(journal, pods, images);
    }

    /**
     * Appends, interleaved at random, the histories of {@code podCount} pods (each a random prefix
     * of a random path through the lifecycle) and of {@code imageCount} images.
     */
    static void appendRandomHistory(Journal journal, Random random, int podCount, int imageCount) throws Exception {
        List<List<Object[]>> streams = new ArrayList<>();
        for (int i = 0; i < podCount; i++) {
            streams.add(podHistory(new UUID(random.nextLong(), random.nextLong()).toString(), random));
        }
        for (int i = 0; i < imageCount; i++) {
            streams.add(imageHistory(random, i));
        }
        int[] next = new int[streams.size()];
        while (true) {
            List<Integer> open = new ArrayList<>();
            for (int i = 0; i < streams.size(); i++) {
                if (next[i] < streams.get(i).size()) {
                    open.add(i);
                }
            }
            if (open.isEmpty()) {
                return;
            }
            int s = open.get(random.nextInt(open.size()));
            Object[] e = streams.get(s).get(next[s]++);
            journal.append((String) e[0], (Record) e[1]);
        }
    }

    private static List<Object[]> podHistory(String pod, Random random) {
        String image = "sha512-" + Integer.toHexString(random.nextInt(16)).repeat(128);
        List<PodEvent> path = new ArrayList<>(List.of(
                new PodEvent.PodCreated(pod, PodSpec.of("example.com/app" + random.nextInt(3) + ":1.0"), A),
                new PodEvent.ImageResolved(pod, image, "example.com/app", ImageSource.FETCHED)));
        switch (random.nextInt(4)) {
            case 0 -> path.add(new PodEvent.StageFailed(pod, Stage.VERIFY, "no trusted signature", false));
            default -> {
                path.add(new PodEvent.ImageVerified(pod, image, true, "signed by 0x12"));
                path.add(new PodEvent.ImageRendered(pod, image, image));
                path.add(new PodEvent.PodPrepared(pod, "sha512-" + "cd".repeat(64)));
                path.add(new PodEvent.LaunchRequested(pod, A));
                path.add(new PodEvent.PodStarted(pod, 1000 + random.nextInt(1000), Map.of("app", 4243L), B));
                if (random.nextBoolean()) {
                    path.add(new PodEvent.PodStopRequested(pod, random.nextBoolean()));
                }
                if (random.nextInt(5) == 0) {
                    path.add(new PodEvent.PodLost(pod, "stage1 lock free, no status written"));
                } else {
                    path.add(new PodEvent.AppExited(pod, "app", random.nextInt(3), null, false));
                    path.add(new PodEvent.PodExited(pod, random.nextInt(3), "all apps exited"));
                }
                path.add(new PodEvent.PodMarkedGarbage(pod, "exited more than 30m ago"));
                path.add(new PodEvent.DeleteRequested(pod, B));
                path.add(new PodEvent.PodDeleted(pod));
            }
        }
        int length = 1 + random.nextInt(path.size());
        List<Object[]> events = new ArrayList<>();
        for (PodEvent e : path.subList(0, length)) {
            events.add(new Object[] {pod, e});
        }
        return events;
    }

    private static List<Object[]> imageHistory(Random random, int n) {
        String id = "sha512-" + Integer.toHexString(10 + n).repeat(128);
        String name = "example.com/img" + n;
        JsonNode manifest;
        try {
            manifest = Json.mapper().readTree(TestImages.imageManifestJson(name, Map.of("version", "1." + n)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Object[]> events = new ArrayList<>();
        events.add(new Object[] {id, new ImageEvent.ImageStored(id, name, Map.of("version", "1." + n), manifest, 100, 1024,
                "xz", "/src/" + name, random.nextBoolean() ? null : "/src/" + name + ".asc")});
        events.add(new Object[] {id, new ImageEvent.TreeRendered(id, id)});
        if (random.nextBoolean()) {
            events.add(new Object[] {id, new ImageEvent.ImageRemoved(id)});
        }
        return events;
    }
}
