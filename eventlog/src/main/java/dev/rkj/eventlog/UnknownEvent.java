package dev.rkj.eventlog;

import java.util.Objects;

/**
 * An event whose wire type this build does not know (a newer or retired type): kept as its raw
 * JSON so it can be shown, passed on or ignored, never a crash.
 *
 * @param type the wire type as stored
 * @param json the payload exactly as stored
 */
public record UnknownEvent(WireType type, String json) {
    public UnknownEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(json, "json");
    }
}
