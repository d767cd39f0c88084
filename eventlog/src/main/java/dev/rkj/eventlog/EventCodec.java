package dev.rkj.eventlog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;

/** Event records to and from JSON payloads, with {@link Json#mapper()}. */
final class EventCodec {
    private static final ClassValue<ObjectWriter> WRITERS = new ClassValue<>() {
        @Override
        protected ObjectWriter computeValue(Class<?> type) {
            return Json.mapper().writerFor(type);
        }
    };
    private static final ClassValue<ObjectReader> READERS = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return Json.mapper().readerFor(type);
        }
    };

    private EventCodec() {}

    /** A known wire type whose stored payload does not fit the registered record. */
    static final class UndecodableEvent extends Exception {
        UndecodableEvent(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static byte[] encode(Record event) {
        try {
            return WRITERS.get(event.getClass()).writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(event.getClass().getName() + " cannot be written as JSON ("
                    + Messages.oneLine(e.getOriginalMessage()) + "): give it fields Jackson can write", e);
        }
    }

    static Object decode(EventRegistry.Resolved resolved, byte[] payload, String json) throws UndecodableEvent {
        WireType type = resolved.type();
        Class<?> recordType = resolved.recordType();
        if (recordType == null) {
            return new UnknownEvent(type, json);
        }
        try {
            return READERS.get(recordType).readValue(payload);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new UndecodableEvent("its " + type + " payload does not fit " + recordType.getName() + " ("
                    + Messages.oneLine(reason) + "): the record changed without a new @WireName version;"
                    + " restore the old shape, or register the old version and bump the new one", e);
        }
    }
}
