package dev.rkj.eventlog;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Maps wire types to event record classes, both ways. Immutable; {@link #with} makes a bigger one.
 *
 * <p>A journal decodes a stored event with the class registered for its wire type; a type with
 * no class here is replayed as an {@link UnknownEvent}.
 */
public final class EventRegistry {
    private final Map<WireType, Class<?>> byType;
    private final Map<Class<?>, WireType> byClass;
    /** Wire types as stored (name bytes, version), resolved once each: a replay meets a few types millions of times. */
    private final Map<StoredType, Resolved> stored = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int STORED_TYPES_KEPT = 4096;

    private EventRegistry(Map<WireType, Class<?>> byType, Map<Class<?>, WireType> byClass) {
        this.byType = Collections.unmodifiableMap(byType);
        this.byClass = Collections.unmodifiableMap(byClass);
    }

    /**
     * A registry of these record types, each carrying {@link WireName}.
     *
     * @throws IllegalArgumentException if one is not a record, has no {@code @WireName}, or two
     *                                  classes claim the same wire type
     */
    public static EventRegistry of(Class<?>... recordTypes) {
        return new EventRegistry(Map.of(), Map.of()).with(recordTypes);
    }

    /** A new registry with these record types added to this one's (same rules as {@link #of}). */
    public EventRegistry with(Class<?>... recordTypes) {
        Objects.requireNonNull(recordTypes, "recordTypes");
        Map<WireType, Class<?>> types = new LinkedHashMap<>(byType);
        Map<Class<?>, WireType> classes = new LinkedHashMap<>(byClass);
        for (Class<?> recordType : recordTypes) {
            Objects.requireNonNull(recordType, "a record type is null");
            if (!recordType.isRecord()) {
                throw new IllegalArgumentException(recordType.getName() + " is not a record: events are immutable"
                        + " records with a @WireName");
            }
            WireType type = WireType.of(recordType);
            Class<?> existing = types.putIfAbsent(type, recordType);
            if (existing != null && existing != recordType) {
                throw new IllegalArgumentException("wire type " + type + " is claimed by both " + existing.getName()
                        + " and " + recordType.getName() + ": give each its own @WireName or version");
            }
            classes.put(recordType, type);
        }
        return new EventRegistry(types, classes);
    }

    /** The record class registered for this wire type, if any. */
    public Optional<Class<?>> typeOf(WireType type) {
        return Optional.ofNullable(byType.get(type));
    }

    /**
     * The wire type of a registered record class.
     *
     * @throws IllegalArgumentException if the class is not registered
     */
    public WireType wireTypeOf(Class<?> recordType) {
        WireType type = byClass.get(recordType);
        if (type == null) {
            throw new IllegalArgumentException(recordType.getName() + " is not a registered event type: add it to"
                    + " the EventRegistry the journal was opened with (EventRegistry.of(...).with(...))");
        }
        return type;
    }

    /** A stored wire type, resolved: its {@link WireType} and the record class registered for it (null if none). */
    record Resolved(WireType type, Class<?> recordType) {}

    /** The key of {@link #resolve}: a stored name's bytes (never mutated) and version, compared by content. */
    private record StoredType(byte[] name, int version, int hash) {
        StoredType(byte[] name, int version) {
            this(name, version, java.util.Arrays.hashCode(name) * 31 + version);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StoredType t && t.version == version && java.util.Arrays.equals(t.name, name);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * The wire type stored as {@code name} (UTF-8) and {@code version}, with its registered class:
     * what {@link WireType#WireType} and {@link #typeOf} give, without a string or a check per
     * envelope after the first of each type.
     *
     * @throws IllegalArgumentException if the stored name or version is not a valid wire type
     */
    Resolved resolve(byte[] name, int version) {
        StoredType key = new StoredType(name, version);
        Resolved found = stored.get(key);
        if (found == null) {
            WireType type = new WireType(new String(name, java.nio.charset.StandardCharsets.UTF_8), version);
            found = new Resolved(type, byType.get(type));
            if (stored.size() < STORED_TYPES_KEPT) { // a damaged journal's garbage names are not kept
                stored.putIfAbsent(key, found);
            }
        }
        return found;
    }

    /** Every registered wire type. */
    public Set<WireType> wireTypes() {
        return byType.keySet();
    }

    /**
     * The payload of {@code event} as the journal stores it: JSON of the registered record. For
     * tools and the wire-format tests; appending does the same.
     *
     * @throws IllegalArgumentException if the event's class is not registered
     */
    public String encode(Record event) {
        wireTypeOf(event.getClass());
        return new String(EventCodec.encode(event), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Decodes a stored payload of wire type {@code type} exactly as a replay does: the registered
     * record (an old version stays its {@link Superseded} record), or an {@link UnknownEvent}.
     *
     * @throws IllegalArgumentException naming the type if the payload does not fit its record
     */
    public Object decode(WireType type, String json) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(json, "json");
        try {
            return EventCodec.decode(new Resolved(type, byType.get(type)),
                    json.getBytes(java.nio.charset.StandardCharsets.UTF_8), json);
        } catch (EventCodec.UndecodableEvent e) {
            throw new IllegalArgumentException("event " + type + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "EventRegistry" + byType.keySet();
    }
}
