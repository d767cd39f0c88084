package dev.rkj.api.http;

import dev.rkj.engine.appc.LinuxCapability;
import dev.rkj.engine.appc.Quantity;
import dev.rkj.engine.host.StoreImages;
import dev.rkj.engine.pod.PodSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /v1/pods}, already checked against its schema (types, sizes, unknown
 * fields), read into the same {@link PodSpec} {@code rkj run} makes from its flags. What the schema
 * cannot say (a quantity's grammar, a capability's name, a file that is not there) is checked here
 * with the engine's own parsers, and refused as a {@link Problem} naming the field.
 *
 * @param start run the pod once prepared ({@code rkj run}); false prepares it only ({@code rkj prepare})
 */
record PodRequest(PodSpec spec, boolean start) {
    static PodRequest from(JsonObject body) {
        String image = body.getString("image");
        StoreImages.localFileProblem(image).ifPresent(problem -> {
            throw Problem.invalidField("image", problem);
        });
        PodSpec.NetMode net;
        try {
            net = PodSpec.NetMode.parse(body.getString("net", "none"));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField("net", e.getMessage());
        }
        Set<PodSpec.InsecureOption> insecure;
        try {
            insecure = PodSpec.InsecureOption.parseList(String.join(",", strings(body, "insecureOptions", List.of("none"))));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField("insecureOptions", e.getMessage());
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonObject envJson = body.getJsonObject("env", new JsonObject());
        for (String name : envJson.fieldNames()) {
            env.put(name, envJson.getString(name));
        }
        Long memory = quantity(body, "memory", false);
        Long cpu = quantity(body, "cpu", true);
        Set<String> retain = capabilities(body, "capsRetain");
        Set<String> remove = capabilities(body, "capsRemove");
        if (!retain.isEmpty() && !remove.isEmpty()) {
            throw Problem.invalidField("capsRemove", "give either capsRetain (the exact set the app keeps) or"
                    + " capsRemove (what to take from the default set), not both");
        }
        Long pids = body.getLong("pidsLimit");
        try {
            PodSpec spec = new PodSpec(image, body.getString("exec"), strings(body, "args", List.of()), env,
                    body.getString("hostname"), net, memory, cpu, body.getBoolean("interactive", false), insecure, retain, remove, pids);
            return new PodRequest(spec, body.getBoolean("start", true));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(fieldNamedIn(e.getMessage()), e.getMessage());
        }
    }

    private static List<String> strings(JsonObject body, String field, List<String> absent) {
        JsonArray array = body.getJsonArray(field);
        if (array == null) {
            return absent;
        }
        List<String> list = new ArrayList<>(array.size());
        array.forEach(v -> list.add((String) v));
        return List.copyOf(list);
    }

    private static Long quantity(JsonObject body, String field, boolean millis) {
        String text = body.getString(field);
        if (text == null) {
            return null;
        }
        try {
            Quantity q = Quantity.parse(text);
            long value = millis ? q.toMillisExact() : q.toLongExact();
            if (value <= 0) {
                throw new IllegalArgumentException("must be more than 0");
            }
            return value;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw Problem.invalidField(field, field + " " + text + " is not a valid quantity (" + e.getMessage()
                    + "): use e.g. " + (millis ? "500m or 2" : "64M, 512Mi or 1G"));
        }
    }

    private static Set<String> capabilities(JsonObject body, String field) {
        List<String> list = strings(body, field, List.of());
        if (list.isEmpty()) {
            return Set.of();
        }
        Set<String> names = new LinkedHashSet<>();
        try {
            LinuxCapability.parseList(field, String.join(",", list)).forEach(c -> names.add(c.name()));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(field, e.getMessage());
        }
        return names;
    }

    /** PodSpec's own checks name what they refuse in words; the field is the one its message starts with. */
    static String fieldNamedIn(String message) {
        String m = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
        for (String field : List.of("exec", "hostname", "env", "args", "image", "memory", "cpu", "pids", "capabilit")) {
            if (m.contains(field)) {
                return switch (field) {
                    case "pids" -> "pidsLimit";
                    case "capabilit" -> "capsRetain";
                    default -> field;
                };
            }
        }
        return "body";
    }
}
