package dev.rkj.eventlog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson configuration for event payloads: records, and {@code java.time} values as ISO
 * strings ({@code "2026-11-22T04:51:17.123Z"}, {@code "PT0.5S"}).
 *
 * <p>Unknown properties are an error: a payload that does not fit its record means the record
 * changed without a new {@link WireName#version()}.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .build();

    private Json() {}

    /** The shared, configured mapper (thread-safe). Do not reconfigure it; {@code copy()} it to customise. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
