package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks a JSON tree against the shape of a DTO class before Jackson binds it, so that every
 * wrong type is reported (Jackson stops at the first) with a path in the spec's spelling.
 *
 * <p>The DTO's public fields are the schema: {@code String}, {@code Long} (an integral number that
 * fits a long), {@code Boolean}, {@code JsonNode} (anything), {@code List<T>}, {@code Map<String,
 * String>} and nested DTO classes. Keys match fields case-insensitively, like
 * {@link AppcJson}; a key given twice in different cases is a problem. JSON {@code null} means
 * absent, except inside lists where it is a problem. The returned tree keeps only known keys and
 * has every wrongly typed value replaced by {@code null}, so binding it cannot fail.
 */
public final class WireShape {
    /** Receives one problem: the JSON path and what is wrong there. */
    public interface Sink {
        void problem(String jsonPath, String message);
    }

    private static final Pattern SIMPLE_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Map<Class<?>, Map<String, Field>> FIELDS = new ConcurrentHashMap<>();

    private WireShape() {
    }

    /** Checks {@code node} (found at {@code path}) against {@code dtoClass}; returns the cleaned tree. */
    public static JsonNode check(JsonNode node, Class<?> dtoClass, String path, Sink sink) {
        return value(node, dtoClass, path, sink);
    }

    /** {@code path} followed by the object key {@code key}: {@code $.a.b} or {@code $.a["b c"]}. */
    public static String child(String path, String key) {
        if (SIMPLE_KEY.matcher(key).matches()) {
            return path + "." + key;
        }
        return path + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    }

    private static JsonNode value(JsonNode node, Type type, String path, Sink sink) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NullNode.getInstance();
        }
        if (type == String.class) {
            return node.isTextual() ? node : wrong(node, "a string", path, sink);
        }
        if (type == Long.class) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return node;
            }
            return wrong(node, node.isIntegralNumber() ? "an integer of at most 19 digits" : "an integer", path, sink);
        }
        if (type == Boolean.class) {
            return node.isBoolean() ? node : wrong(node, "true or false", path, sink);
        }
        if (type == JsonNode.class) {
            return node;
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return list(node, p.getActualTypeArguments()[0], path, sink);
        }
        if (type instanceof ParameterizedType p && p.getRawType() == Map.class) {
            return stringMap(node, path, sink);
        }
        if (type instanceof Class<?> c && c.getPackage() == WireShape.class.getPackage()) {
            return object(node, c, path, sink);
        }
        throw new IllegalStateException("WireShape cannot check " + type + " at " + path);
    }

    private static JsonNode list(JsonNode node, Type element, String path, Sink sink) {
        if (!node.isArray()) {
            return wrong(node, "a list", path, sink);
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
        for (int i = 0; i < node.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode item = node.get(i);
            if (item.isNull()) {
                sink.problem(at, "must not be null");
                out.add(NullNode.getInstance());
            } else {
                out.add(value(item, element, at, sink));
            }
        }
        return out;
    }

    private static JsonNode stringMap(JsonNode node, String path, Sink sink) {
        if (!node.isObject()) {
            return wrong(node, "an object of string values", path, sink);
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getValue().isTextual()) {
                out.set(e.getKey(), e.getValue());
            } else {
                wrong(e.getValue(), "a string", child(path, e.getKey()), sink);
            }
        }
        return out;
    }

    private static JsonNode object(JsonNode node, Class<?> dto, String path, Sink sink) {
        if (!node.isObject()) {
            return wrong(node, "an object", path, sink);
        }
        Map<String, Field> fields = FIELDS.computeIfAbsent(dto, WireShape::fieldsOf);
        Map<String, String> seen = new HashMap<>();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            Field field = fields.get(lower);
            if (field == null) {
                continue; // unknown keys are ignored
            }
            String at = child(path, field.getName());
            String earlier = seen.putIfAbsent(lower, e.getKey());
            if (earlier != null) {
                sink.problem(at, "given twice, as \"" + earlier + "\" and \"" + e.getKey()
                        + "\" (keys are case-insensitive): keep one");
                continue;
            }
            out.set(field.getName(), value(e.getValue(), field.getGenericType(), at, sink));
        }
        return out;
    }

    private static Map<String, Field> fieldsOf(Class<?> dto) {
        Map<String, Field> fields = new LinkedHashMap<>();
        for (Field f : dto.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                fields.put(f.getName().toLowerCase(Locale.ROOT), f);
            }
        }
        return fields;
    }

    private static JsonNode wrong(JsonNode node, String expected, String path, Sink sink) {
        sink.problem(path, "must be " + expected + ", not " + describe(node));
        return NullNode.getInstance();
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "the number " + node.asText();
            case BOOLEAN -> node.asText();
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
