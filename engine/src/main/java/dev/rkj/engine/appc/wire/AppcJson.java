package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The dedicated Jackson setup for appc manifests. Keys are matched case-insensitively, as the
 * reference implementation (Go's encoding/json) did, so {@code supplementaryGids} or
 * {@code workingdirectory} are read; unknown keys are ignored (the spec keeps minor versions
 * compatible); duplicate keys and trailing content are errors. Output uses the spec's spelling,
 * the spec's key order and a 4-space indent.
 */
public final class AppcJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    private static final ObjectReader READER = MAPPER.reader();
    private static final ObjectWriter PRETTY = MAPPER.writer(prettyPrinter());
    private static final ObjectWriter COMPACT = MAPPER.writer();

    private AppcJson() {
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        DefaultIndenter indenter = new DefaultIndenter("    ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        return printer;
    }

    /** Parses JSON text into a tree; syntax errors carry line and column. */
    public static JsonNode readTree(byte[] json) throws IOException {
        return READER.readTree(json);
    }

    /**
     * Binds a tree to a DTO class. Run {@link WireShape#check} first: on a checked tree this
     * cannot fail on types.
     */
    public static <T> T bind(JsonNode tree, Class<T> type) throws IOException {
        return READER.forType(type).readValue(tree);
    }

    /** Pretty-printed canonical JSON of a DTO or tree. */
    public static byte[] writePretty(Object value) {
        try {
            return PRETTY.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Compact JSON text of a tree, e.g. an unknown isolator's value. */
    public static String writeCompact(JsonNode node) {
        try {
            return COMPACT.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }
}
