package dev.rkj.engine.read;

import static dev.rkj.engine.read.ReadFixtures.APP;
import static dev.rkj.engine.read.ReadFixtures.POD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.eventlog.InMemoryJournal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventFeedTest {
    private static final String OTHER = "0a1b2c3d-0c4d-4e5f-8a9b-0c1d2e3f4a5b";

    private InMemoryJournal journal;

    @BeforeEach
    void twoPodsInterleaved() throws Exception {
        journal = ReadFixtures.journal();
        List<PodEvent> life = new ArrayList<>(ReadFixtures.preparation()); // POD: 0..4
        life.add(ReadFixtures.started()); // POD: 5
        ReadFixtures.append(journal, life);
        journal.append(OTHER, new PodEvent.PodCreated(OTHER, PodSpec.of("example.com/other:1"), ReadFixtures.RUNNER)); // 6
        journal.append(POD, new PodEvent.AppExited(POD, APP, 3, null, false)); // 7
        journal.append(POD, new PodEvent.PodExited(POD, 3, "all apps exited")); // 8
    }

    @Test
    void everyEnvelopeAfterTheCursorOnceInOrderWithItsStateAfterIt() throws Exception {
        EventFeed feed = new EventFeed(journal, -1, EventFeed.Filter.ALL);
        List<EventFeed.Item> all = drain(feed, 2);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), all.stream().map(i -> i.envelope().index()).toList());
        assertEquals(PodStatus.RUNNING, all.get(5).pod().orElseThrow().status());
        assertEquals(PodStatus.EMBRYO, all.get(6).pod().orElseThrow().status(), "the other pod's own state");
        assertEquals(PodStatus.EXITED, all.get(8).pod().orElseThrow().status());
        assertTrue(feed.caughtUp());
        assertEquals(8, feed.lastScanned());
    }

    @Test
    void resumingAfterAnIndexGivesTheRestWithTheSameStatesAsAnUnbrokenRead() throws Exception {
        List<EventFeed.Item> unbroken = drain(new EventFeed(journal, -1, EventFeed.Filter.ALL), 100);
        for (long after = -1; after <= 8; after++) {
            List<EventFeed.Item> resumed = drain(new EventFeed(journal, after, EventFeed.Filter.ALL), 3);
            assertEquals(unbroken.subList((int) after + 1, unbroken.size()).stream().map(EventFeed.Item::pod).toList(),
                    resumed.stream().map(EventFeed.Item::pod).toList(), "resumed after " + after);
        }
    }

    @Test
    void aFilteredCursorKeepsMovingOverWhatItDrops() throws Exception {
        EventFeed feed = new EventFeed(journal, 4, new EventFeed.Filter(Optional.of(OTHER), Set.of()));
        List<EventFeed.Item> items = feed.poll(10);
        assertEquals(List.of(6L), items.stream().map(i -> i.envelope().index()).toList());
        assertEquals(8, feed.lastScanned(), "the dropped envelopes move the cursor too");

        EventFeed byType = new EventFeed(journal, -1, new EventFeed.Filter(Optional.empty(), Set.of("pod.exited")));
        List<EventFeed.Item> exits = drain(byType, 4);
        assertEquals(1, exits.size());
        assertEquals(PodStatus.EXITED, exits.get(0).pod().orElseThrow().status(), "the state folds what the type filter drops");
    }

    @Test
    void aPollReadsAtMostWhatItIsAskedAndThenWhatIsAppendedLater() throws Exception {
        EventFeed feed = new EventFeed(journal, 8, EventFeed.Filter.ALL);
        assertTrue(feed.poll(5).isEmpty());
        assertTrue(feed.caughtUp());
        journal.append(OTHER, new PodEvent.PodCreated(OTHER, PodSpec.of("example.com/other:2"), ReadFixtures.RUNNER));
        assertFalse(feed.caughtUp());
        assertEquals(9, feed.poll(1).get(0).envelope().index());
        assertThrows(IllegalArgumentException.class, () -> feed.poll(0));
        assertThrows(IllegalArgumentException.class, () -> new EventFeed(journal, -2, EventFeed.Filter.ALL));
    }

    private static List<EventFeed.Item> drain(EventFeed feed, int batch) throws Exception {
        List<EventFeed.Item> items = new ArrayList<>();
        while (!feed.caughtUp()) {
            items.addAll(feed.poll(batch));
        }
        return items;
    }
}
