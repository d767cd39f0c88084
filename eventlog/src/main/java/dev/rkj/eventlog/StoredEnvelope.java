package dev.rkj.eventlog;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;

/**
 * An envelope as stored: the raw bytes, before the payload is decoded. Both journals keep these,
 * so hashing, verifying and decoding are the same code for both. Arrays are never mutated.
 */
record StoredEnvelope(long index, long epochSecond, int nano, byte[] aggregate, byte[] typeName,
                      int typeVersion, byte[] payload, byte[] previousHash, byte[] hash) {

    static StoredEnvelope of(long index, Instant time, PreparedEvent event, byte[] previousHash, byte[] hash) {
        return new StoredEnvelope(index, time.getEpochSecond(), time.getNano(), event.aggregate(),
                event.typeName(), event.type().version(), event.payload(), previousHash, hash);
    }

    /** The stored wire type; {@link IllegalArgumentException} if the stored name or version is not valid. */
    WireType type() {
        return new WireType(new String(typeName, UTF_8), typeVersion);
    }

    Instant time() {
        return Instant.ofEpochSecond(epochSecond, nano);
    }

    /**
     * Decodes the payload with {@code registry}: the registered record, or an {@link UnknownEvent}.
     *
     * @throws EventCodec.UndecodableEvent if a known type's payload does not fit its record
     */
    Envelope toEnvelope(EventRegistry registry) throws EventCodec.UndecodableEvent {
        EventRegistry.Resolved resolved = registry.resolve(typeName, typeVersion);
        String json = new String(payload, UTF_8);
        Object event = EventCodec.decode(resolved, payload, json);
        return new Envelope(index, time(), new String(aggregate, UTF_8), resolved.type(), json, event, previousHash, hash);
    }
}
