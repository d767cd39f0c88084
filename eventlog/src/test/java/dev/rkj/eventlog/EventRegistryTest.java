package dev.rkj.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.eventlog.TestEvents.Note;
import dev.rkj.eventlog.TestEvents.NoteWithCount;
import dev.rkj.eventlog.TestEvents.PodStarted;
import dev.rkj.eventlog.TestEvents.Retired;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventRegistryTest {
    @Test
    void mapsWireTypesToRecordsBothWays() {
        EventRegistry registry = EventRegistry.of(Note.class, PodStarted.class);
        assertEquals(Optional.of(Note.class), registry.typeOf(WireType.parse("test.note/1")));
        assertEquals(Optional.of(PodStarted.class), registry.typeOf(WireType.parse("test.pod-started/2")));
        assertEquals(Optional.empty(), registry.typeOf(WireType.parse("test.pod-started/1")), "versions differ");
        assertEquals(WireType.parse("test.note/1"), registry.wireTypeOf(Note.class));
    }

    @Test
    void withMakesABiggerRegistryAndLeavesTheOldOneAlone() {
        EventRegistry small = EventRegistry.of(Note.class);
        EventRegistry big = small.with(Retired.class, Note.class);
        assertEquals(Set.of(WireType.parse("test.note/1")), small.wireTypes());
        assertEquals(Set.of(WireType.parse("test.note/1"), WireType.parse("test.retired/1")), big.wireTypes());
        assertThrows(IllegalArgumentException.class, () -> small.wireTypeOf(Retired.class));
    }

    @Test
    void refusesTwoRecordsClaimingOneWireType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventRegistry.of(Note.class, NoteWithCount.class));
        assertTrue(e.getMessage().contains("test.note/1") && e.getMessage().contains(Note.class.getName())
                && e.getMessage().contains(NoteWithCount.class.getName()), e.getMessage());
    }

    @Test
    void refusesClassesThatAreNotWireNamedRecords() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventRegistry.of(String.class))
                .getMessage().contains("is not a record"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventRegistry.of(TestEvents.Unnamed.class))
                .getMessage().contains("@WireName"));
    }

    @Test
    void wireTypeOfAnUnregisteredClassSaysHowToRegisterIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventRegistry.of().wireTypeOf(Note.class));
        assertTrue(e.getMessage().contains(Note.class.getName()) && e.getMessage().contains("EventRegistry"),
                e.getMessage());
    }
}
