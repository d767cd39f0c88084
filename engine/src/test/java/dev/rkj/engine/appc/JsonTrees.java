package dev.rkj.engine.appc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares manifest JSON the way {@link ManifestCodec} promises: up to optional fields at their
 * default value and empty lists or objects, which canonical output leaves out.
 */
final class JsonTrees {
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final Map<String, JsonNode> DEFAULTS = Map.of(
            "readOnly", BooleanNode.FALSE, "socketActivated", BooleanNode.FALSE, "count", IntNode.valueOf(1),
            "workingDirectory", TextNode.valueOf("/"), "readOnlyRootFS", BooleanNode.FALSE,
            "recursive", BooleanNode.TRUE, "mode", TextNode.valueOf("0755"), "uid", IntNode.valueOf(0),
            "gid", IntNode.valueOf(0), "errno", TextNode.valueOf(""));

    private JsonTrees() {
    }

    static JsonNode tree(byte[] json) {
        try {
            return PLAIN.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of {@code node} without default-valued fields and empty containers. */
    static JsonNode withoutDefaults(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = PLAIN.createObjectNode();
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
            for (Map.Entry<String, JsonNode> e : fields) {
                JsonNode value = withoutDefaults(e.getValue());
                boolean isDefault = value.equals(DEFAULTS.get(e.getKey()));
                boolean isEmpty = value.isContainerNode() && value.isEmpty();
                if (!isDefault && !isEmpty) {
                    out.set(e.getKey(), value);
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = PLAIN.createArrayNode();
            node.forEach(item -> out.add(withoutDefaults(item)));
            return out;
        }
        return node;
    }
}
