package dev.rkj.engine.pod;

import dev.rkj.engine.pod.PodEvent.PodCreated;
import dev.rkj.engine.pod.PodEvent.PodDeleted;
import dev.rkj.engine.pod.PodEvent.PodMarkedGarbage;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.rkj.engine.pod.PodFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PodProjection}: folding many pods' journal entries, and finding a pod by id prefix. */
class PodProjectionTest {
    private static final String A = "aaaa1111-0000-4000-8000-000000000001";
    private static final String B = "aaaa2222-0000-4000-8000-000000000002";
    private static final String C = "cccc3333-0000-4000-8000-000000000003";

    private final PodProjection projection = new PodProjection();
    private long index;

    private Optional<PodState> feed(PodEvent event) {
        long i = index++;
        return projection.apply(event.podId(), event, PodScenario.T0.plusSeconds(i), i);
    }

    private void create(String podId) {
        feed(new PodCreated(podId, SPEC, CREATOR));
    }

    private void delete(String podId) {
        feed(new PodMarkedGarbage(podId, "test"));
        feed(new PodDeleted(podId));
    }

    @Test
    void foldsEachPodsEventsIntoItsState() {
        for (PodEvent e : historyOf(PodStatus.RUNNING)) {
            feed(e);
        }
        create(OTHER_POD);
        PodState pod = projection.get(POD).orElseThrow();
        assertEquals(PodStatus.RUNNING, pod.status());
        assertEquals(historyOf(PodStatus.RUNNING).size(), pod.revision());
        assertEquals(PodStatus.EMBRYO, projection.get(OTHER_POD).orElseThrow().status());
        assertEquals(Optional.empty(), projection.get(A));
        assertEquals(index, projection.nextIndex());
    }

    @Test
    void applyReturnsTheNewStateOfThePod() {
        PodState s = feed(created()).orElseThrow();
        assertEquals(PodStatus.EMBRYO, s.status());
        assertEquals(Optional.of(PodScenario.T0), s.createdAt());
    }

    @Test
    void anEntryAppliedTwiceCountsOnce() {
        projection.apply(POD, created(), PodScenario.T0, 0);
        projection.apply(POD, resolved(), PodScenario.T0, 1);
        assertEquals(Optional.empty(), projection.apply(POD, resolved(), PodScenario.T0, 1));
        assertEquals(Optional.empty(), projection.apply(POD, created(), PodScenario.T0, 0));
        assertEquals(2, projection.get(POD).orElseThrow().revision());
        assertEquals(2, projection.nextIndex());
    }

    @Test
    void entriesThatAreNotPodEventsOnlyAdvanceTheIndex() {
        assertEquals(Optional.empty(), projection.apply("sha512-abc", "an image event", PodScenario.T0, 7));
        assertEquals(8, projection.nextIndex());
        assertEquals(List.of(), projection.all());
    }

    @Test
    void anEventStoredUnderAnotherAggregateIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> projection.apply(OTHER_POD, created(), PodScenario.T0, 3));
        assertEquals("journal entry 3 is stored under aggregate " + OTHER_POD + " but its event is for pod " + POD
                + ": " + created(), e.getMessage());
        assertEquals(0, projection.nextIndex());
    }

    @Test
    void listShowsLivePodsOldestFirstAndAllIncludesDeletedOnes() {
        create(C);
        create(A);
        create(B);
        delete(A);
        assertEquals(List.of(C, B), ids(projection.list()));
        assertEquals(List.of(C, A, B), ids(projection.all()));
    }

    @Test
    void aUniquePrefixFindsItsPodIgnoringCaseAndSpaces() throws PodLookupException {
        create(A);
        create(C);
        assertEquals(C, projection.resolvePrefix("c").podId());
        assertEquals(A, projection.resolvePrefix(" AAAA1 ").podId());
        assertEquals(A, projection.resolvePrefix(A).podId());
    }

    @Test
    void anAmbiguousPrefixListsTheCandidates() {
        create(B);
        create(A);
        create(C);
        AmbiguousPodIdException e = assertThrows(AmbiguousPodIdException.class, () -> projection.resolvePrefix("aaaa"));
        assertEquals(List.of(A, B), e.candidates());
        assertEquals("aaaa", e.prefix());
        assertEquals("\"aaaa\" matches 2 pods: " + A + ", " + B + " (give more characters of the id)", e.getMessage());
    }

    @Test
    void aPrefixNoPodHasSaysSo() {
        create(A);
        NoSuchPodException e = assertThrows(NoSuchPodException.class, () -> projection.resolvePrefix("ffff"));
        assertEquals("no pod id starts with \"ffff\" (see rkj list for the pods there are)", e.getMessage());
    }

    @Test
    void deletedPodsMatchByPrefixOnlyWhenAskedButAlwaysByFullId() throws PodLookupException {
        create(A);
        create(B);
        delete(B);
        assertEquals(A, projection.resolvePrefix("aaaa").podId());
        assertThrows(NoSuchPodException.class, () -> projection.resolvePrefix("aaaa2"));
        assertEquals(B, projection.resolvePrefix("aaaa2", true).podId());
        assertThrows(AmbiguousPodIdException.class, () -> projection.resolvePrefix("aaaa", true));
        PodState deleted = projection.resolvePrefix(B);
        assertEquals(PodStatus.DELETED, deleted.status());
    }

    @Test
    void anEmptyPrefixIsRefused() {
        create(A);
        NoSuchPodException e = assertThrows(NoSuchPodException.class, () -> projection.resolvePrefix("  "));
        assertTrue(e.getMessage().startsWith("empty pod id"), e.getMessage());
    }

    @Test
    void readersSeeImmutableSnapshots() {
        create(A);
        PodState before = projection.get(A).orElseThrow();
        feed(new PodEvent.ImageResolved(A, IMAGE, IMAGE_NAME, ImageSource.STORE));
        assertEquals(PodStatus.EMBRYO, before.status());
        assertEquals(PodStatus.PREPARING, projection.get(A).orElseThrow().status());
        Instant created = projection.get(A).orElseThrow().createdAt().orElseThrow();
        assertEquals(before.createdAt().orElseThrow(), created);
    }

    private static List<String> ids(List<PodState> states) {
        List<String> ids = new ArrayList<>();
        states.forEach(s -> ids.add(s.podId()));
        return ids;
    }
}
