package dev.rkj.engine.pod;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link PodStatus}: rkt's names and the predicates the CLI, recovery and GC rely on. */
class PodStatusTest {

    @Test
    void displayNamesAreRktsInLifecycleOrder() {
        List<String> names = new ArrayList<>();
        for (PodStatus s : PodStatus.values()) {
            names.add(s.displayName());
        }
        assertEquals(List.of("embryo", "preparing", "prepared", "aborted prepare", "running", "exited", "garbage", "deleted"),
                names);
    }

    @Test
    void displayNamesParseBackAndUnknownOnesAreNamed() {
        for (PodStatus s : PodStatus.values()) {
            assertEquals(s, PodStatus.fromDisplayName(s.displayName()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PodStatus.fromDisplayName("ABORTED_PREPARE"));
        assertEquals("unknown pod status \"ABORTED_PREPARE\": use one of embryo, preparing, prepared, aborted prepare,"
                + " running, exited, garbage, deleted", e.getMessage());
    }

    /** Columns: canStart canStop isBeingPrepared isActive isFinished isFinal canBeMarkedGarbage canBeRemoved canBeGarbageCollected canBeDeleted isListed. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "EMBRYO          | 0 0 1 1 0 0 0 0 0 0 1",
            "PREPARING       | 0 0 1 1 0 0 0 0 0 0 1",
            "PREPARED        | 1 0 0 0 0 0 1 1 1 0 1",
            "ABORTED_PREPARE | 0 0 0 0 1 0 1 1 1 0 1",
            "RUNNING         | 0 1 0 1 0 0 0 0 0 0 1",
            "EXITED          | 0 0 0 0 1 0 1 1 1 0 1",
            "GARBAGE         | 0 0 0 0 1 0 0 1 1 1 1",
            "DELETED         | 0 0 0 0 1 1 0 0 0 0 0"})
    void predicatesHoldForExactlyTheRightStatuses(PodStatus status, String expected) {
        String actual = String.join(" ", bit(status.canStart()), bit(status.canStop()), bit(status.isBeingPrepared()),
                bit(status.isActive()), bit(status.isFinished()), bit(status.isFinal()), bit(status.canBeMarkedGarbage()),
                bit(status.canBeRemoved()), bit(status.canBeGarbageCollected()), bit(status.canBeDeleted()),
                bit(status.isListed()));
        assertEquals(expected.trim(), actual);
    }

    @Test
    void statusesAtTheSameStepAreNotAheadOfEachOther() {
        assertEquals(false, PodStatus.PREPARED.isBehind(PodStatus.ABORTED_PREPARE));
        assertEquals(false, PodStatus.ABORTED_PREPARE.isBehind(PodStatus.PREPARED));
        assertEquals(true, PodStatus.PREPARING.isBehind(PodStatus.ABORTED_PREPARE));
        assertEquals(false, PodStatus.DELETED.isBehind(PodStatus.GARBAGE));
    }

    @Test
    void everyMoveIsAllowedFromSomeStatusExceptCreate() {
        for (PodMove move : PodMove.values()) {
            boolean somewhere = false;
            for (PodStatus s : PodStatus.values()) {
                somewhere |= move.allowedFrom(s);
            }
            assertEquals(move != PodMove.CREATE, somewhere, move.name());
        }
    }

    private static String bit(boolean b) {
        return b ? "1" : "0";
    }
}
