package dev.rkj.engine.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.eventlog.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One CNI network configuration list ({@code .conflist}; a single {@code .conf} is read as a list of
 * one plugin): its name, CNI version and plugins, in the order ADD runs them.
 *
 * @param name       the network's name
 * @param cniVersion the spec version of the configuration
 * @param plugins    the plugin configurations, each with its {@code type}
 * @param source     where it came from ({@code built-in} or a file), for messages
 */
public record NetworkConfig(String name, String cniVersion, List<ObjectNode> plugins, String source) {
    static final ObjectMapper JSON = Json.mapper();

    public NetworkConfig {
        plugins = List.copyOf(plugins);
    }

    /**
     * Reads a configuration list, or a single plugin's configuration when {@code plugins} is absent.
     *
     * @throws CniException naming {@code source} and what is wrong
     */
    public static NetworkConfig parse(byte[] json, String source) throws CniException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new CniException("network configuration " + source + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (!(root instanceof ObjectNode obj) || !obj.path("name").isTextual()) {
            throw new CniException("network configuration " + source + " has no \"name\": give the network a name");
        }
        String name = obj.get("name").asText();
        String version = obj.path("cniVersion").asText("0.4.0");
        List<ObjectNode> plugins = new ArrayList<>();
        if (obj.has("plugins")) {
            if (!(obj.get("plugins") instanceof ArrayNode list) || list.isEmpty()) {
                throw new CniException("network configuration " + source + ": \"plugins\" is not a list of plugins");
            }
            for (JsonNode p : list) {
                plugins.add(plugin(p, source));
            }
        } else {
            ObjectNode single = obj.deepCopy();
            single.remove(List.of("name", "cniVersion"));
            plugins.add(plugin(single, source));
        }
        return new NetworkConfig(name, version, plugins, source);
    }

    private static ObjectNode plugin(JsonNode p, String source) throws CniException {
        if (!(p instanceof ObjectNode o) || !o.path("type").isTextual() || !o.get("type").asText().matches("[A-Za-z0-9._-]+")) {
            throw new CniException("network configuration " + source + ": a plugin has no \"type\" (the plugin's binary name)");
        }
        return o.deepCopy();
    }

    /** The configuration plugin {@code index} gets on stdin: the list's name and version added, per the spec. */
    ObjectNode pluginInput(int index) {
        ObjectNode in = plugins.get(index).deepCopy();
        in.put("cniVersion", cniVersion);
        in.put("name", name);
        return in;
    }

    /** The list as JSON (cached with a pod's result, so teardown uses what setup used). */
    ObjectNode toJson() {
        ObjectNode out = JSON.createObjectNode();
        out.put("cniVersion", cniVersion);
        out.put("name", name);
        ArrayNode list = out.putArray("plugins");
        plugins.forEach(list::add);
        return out;
    }
}
