package dev.rkj.api.http;

import dev.rkj.engine.appc.LinuxCapability;
import dev.rkj.engine.appc.Quantity;
import dev.rkj.engine.host.StoreImages;
import dev.rkj.engine.pod.Networking;
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
        PodSpec.NetMode net;
        Networking networking;
        try {
            String value = body.getString("net", Networking.DEFAULT_NETWORK);
            net = Networking.modeOf(value);
            networking = Networking.fromFlags(value, strings(body, "ports", List.of()), strings(body, "dns", List.of()),
                    strings(body, "dnsSearch", List.of()), strings(body, "dnsOptions", List.of()),
                    strings(body, "hostsEntries", List.of()));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(netField(e.getMessage()), e.getMessage());
        }
        Set<PodSpec.InsecureOption> insecure;
        try {
            insecure = PodSpec.InsecureOption.parseList(String.join(",", strings(body, "insecureOptions", List.of("none"))));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField("insecureOptions", e.getMessage());
        }
        JsonArray appsJson = body.getJsonArray("apps");
        if ((appsJson == null) == (body.getString("image") == null)) {
            throw Problem.invalidField("image", "give either image (a pod of one app) or apps (one object per app),"
                    + " not both and not neither");
        }
        List<PodSpec.AppSpec> apps = new ArrayList<>();
        if (appsJson == null) {
            apps.add(app(body, ""));
        } else {
            for (String field : List.of("exec", "args", "env", "memory", "cpu", "capsRetain", "capsRemove", "name",
                    "user", "group", "workingDir", "seccomp", "readOnlyRootfs", "mounts")) {
                if (body.containsKey(field)) {
                    throw Problem.invalidField(field, field + " belongs in each of apps when apps is given");
                }
            }
            for (int i = 0; i < appsJson.size(); i++) {
                apps.add(app(appsJson.getJsonObject(i), "apps[" + i + "]."));
            }
        }
        List<PodSpec.Volume> volumes = new ArrayList<>();
        JsonArray volumesJson = body.getJsonArray("volumes", new JsonArray());
        for (int i = 0; i < volumesJson.size(); i++) {
            JsonObject v = volumesJson.getJsonObject(i);
            String kind = v.getString("kind");
            try {
                volumes.add(new PodSpec.Volume(v.getString("name"),
                        "host".equals(kind) ? PodSpec.VolumeKind.HOST : PodSpec.VolumeKind.EMPTY, v.getString("source"),
                        v.getBoolean("readOnly", false), v.getBoolean("recursive"), v.getString("mode"), v.getLong("uid"),
                        v.getLong("gid")));
            } catch (IllegalArgumentException e) {
                throw Problem.invalidField("volumes[" + i + "]", e.getMessage());
            }
        }
        Long pids = body.getLong("pidsLimit");
        try {
            PodSpec spec = new PodSpec(apps, body.getString("hostname"), net, body.getBoolean("interactive", false),
                    insecure, pids, volumes, body.getBoolean("mdsRegister", false), body.getBoolean("privateUsers", false),
                    networking);
            return new PodRequest(spec, body.getBoolean("start", true));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(fieldNamedIn(e.getMessage()), e.getMessage());
        }
    }

    /** One app's fields of {@code json}; {@code prefix} locates them in a refusal ({@code apps[1].}). */
    private static PodSpec.AppSpec app(JsonObject json, String prefix) {
        String image = json.getString("image");
        StoreImages.localFileProblem(image).ifPresent(problem -> {
            throw Problem.invalidField(prefix + "image", problem);
        });
        Map<String, String> env = new LinkedHashMap<>();
        JsonObject envJson = json.getJsonObject("env", new JsonObject());
        for (String name : envJson.fieldNames()) {
            env.put(name, envJson.getString(name));
        }
        Long memory = quantity(json, prefix, "memory", false);
        Long cpu = quantity(json, prefix, "cpu", true);
        Set<String> retain = capabilities(json, prefix, "capsRetain");
        Set<String> remove = capabilities(json, prefix, "capsRemove");
        if (!retain.isEmpty() && !remove.isEmpty()) {
            throw Problem.invalidField(prefix + "capsRemove", "give either capsRetain (the exact set the app keeps) or"
                    + " capsRemove (what to take from the default set), not both");
        }
        List<PodSpec.Mount> mounts = new ArrayList<>();
        JsonArray mountsJson = json.getJsonArray("mounts", new JsonArray());
        try {
            for (int i = 0; i < mountsJson.size(); i++) {
                JsonObject m = mountsJson.getJsonObject(i);
                mounts.add(new PodSpec.Mount(m.getString("volume"), m.getString("path")));
            }
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(prefix + "mounts", e.getMessage());
        }
        PodSpec.Seccomp seccomp;
        try {
            seccomp = json.getString("seccomp") == null ? null : PodSpec.Seccomp.parse(json.getString("seccomp"));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(prefix + "seccomp", e.getMessage());
        }
        try {
            return new PodSpec.AppSpec(image, json.getString("name"), json.getString("exec"),
                    strings(json, "args", List.of()), env, json.getString("user"), json.getString("group"),
                    json.getString("workingDir"), memory, cpu, retain, remove, seccomp,
                    json.getBoolean("readOnlyRootfs", false), mounts);
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(prefix + fieldNamedIn(e.getMessage()), e.getMessage());
        }
    }

    /** The body field a networking message is about (its flag's name). */
    private static String netField(String message) {
        for (String[] flag : new String[][] {{"--port", "ports"}, {"--dns-search", "dnsSearch"}, {"--dns-opt", "dnsOptions"},
                {"--dns", "dns"}, {"--hosts-entry", "hostsEntries"}}) {
            if (message.startsWith(flag[0])) {
                return flag[1];
            }
        }
        return "net";
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

    private static Long quantity(JsonObject body, String prefix, String field, boolean millis) {
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
            throw Problem.invalidField(prefix + field, field + " " + text + " is not a valid quantity (" + e.getMessage()
                    + "): use e.g. " + (millis ? "500m or 2" : "64M, 512Mi or 1G"));
        }
    }

    private static Set<String> capabilities(JsonObject body, String prefix, String field) {
        List<String> list = strings(body, field, List.of());
        if (list.isEmpty()) {
            return Set.of();
        }
        Set<String> names = new LinkedHashSet<>();
        try {
            LinuxCapability.parseList(field, String.join(",", list)).forEach(c -> names.add(c.name()));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(prefix + field, e.getMessage());
        }
        return names;
    }

    /** PodSpec's own checks name what they refuse in words; the field is the one its message starts with. */
    static String fieldNamedIn(String message) {
        String m = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
        for (String field : List.of("private-users", "exec", "hostname", "env", "args", "image", "memory", "cpu", "pids", "capabilit",
                "volume", "working directory", "user", "group", "app name", "apps")) {
            if (m.contains(field)) {
                return switch (field) {
                    case "private-users" -> "privateUsers";
                    case "pids" -> "pidsLimit";
                    case "capabilit" -> "capsRetain";
                    case "volume" -> "volumes";
                    case "working directory" -> "workingDir";
                    case "app name" -> "name";
                    default -> field;
                };
            }
        }
        return "body";
    }
}
