package dev.rkj.eventlog;

import static java.nio.charset.StandardCharsets.UTF_8;

/** An event checked and serialized before the append lock is taken: everything but index, time and hashes. */
record PreparedEvent(String aggregateId, byte[] aggregate, Record event, WireType type, byte[] typeName,
                     byte[] payload, String payloadJson) {

    /**
     * Checks and serializes one event.
     *
     * @throws IllegalArgumentException if the aggregate id is empty, the event's class is not
     *                                  registered, or it cannot be written as JSON
     */
    static PreparedEvent of(EventRegistry registry, String aggregateId, Record event) {
        if (aggregateId == null || aggregateId.isEmpty()) {
            throw new IllegalArgumentException("aggregate id is missing: every event belongs to a pod, image or"
                    + " other aggregate; pass its id");
        }
        if (event == null) {
            throw new IllegalArgumentException("event is null: pass the record to append");
        }
        WireType type = registry.wireTypeOf(event.getClass());
        byte[] payload = EventCodec.encode(event);
        return new PreparedEvent(aggregateId, aggregateId.getBytes(UTF_8), event, type,
                type.name().getBytes(UTF_8), payload, new String(payload, UTF_8));
    }
}
