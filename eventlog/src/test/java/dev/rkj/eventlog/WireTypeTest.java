package dev.rkj.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WireTypeTest {
    @Test
    void printsAndParsesNameSlashVersion() {
        WireType type = new WireType("pod.created", 1);
        assertEquals("pod.created/1", type.toString());
        assertEquals(type, WireType.parse("pod.created/1"));
        assertEquals(new WireType("image.fetch-failed_x", 12), WireType.parse("image.fetch-failed_x/12"));
    }

    @Test
    void parseRejectsTextWithoutAVersionNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WireType.parse("pod.created"));
        assertTrue(e.getMessage().contains("'pod.created'") && e.getMessage().contains("name/version"), e.getMessage());
    }

    @Test
    void parseRejectsAVersionThatIsNotANumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WireType.parse("pod.created/one"));
        assertTrue(e.getMessage().contains("'one'"), e.getMessage());
    }

    @Test
    void parseRejectsVersionZeroAndBadNames() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WireType.parse("pod.created/0"))
                .getMessage().contains("versions start at 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WireType.parse("/1"))
                .getMessage().contains("not valid"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WireType.parse("pod created/1"))
                .getMessage().contains("'pod created'"));
        assertThrows(IllegalArgumentException.class, () -> WireType.parse(null));
    }

    @Test
    void ofReadsTheWireNameAnnotation() {
        assertEquals(new WireType("test.pod-started", 2), WireType.of(TestEvents.PodStarted.class));
        assertEquals(new WireType("test.note", 1), WireType.of(TestEvents.Note.class));
    }

    @Test
    void ofRejectsAClassWithoutWireNameSayingWhatToAdd() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WireType.of(TestEvents.Unnamed.class));
        assertTrue(e.getMessage().contains(TestEvents.Unnamed.class.getName()) && e.getMessage().contains("@WireName"),
                e.getMessage());
    }

    @WireName(value = "bad name", version = 1)
    record BadlyNamed() {}

    @Test
    void ofRejectsAnInvalidAnnotationNamingTheClass() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WireType.of(BadlyNamed.class));
        assertTrue(e.getMessage().contains(BadlyNamed.class.getName()), e.getMessage());
    }
}
