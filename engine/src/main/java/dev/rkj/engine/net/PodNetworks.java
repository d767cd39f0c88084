package dev.rkj.engine.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.pod.NetworkAttachment;
import dev.rkj.engine.pod.Networking;
import dev.rkj.engine.pod.Networking.NetworkRequest;
import dev.rkj.stage1.Netns;
import dev.rkj.stage1.PodDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A pod's CNI networks: {@link #join} makes the pod's network namespace
 * ({@code <pod>/net/netns}) and runs each network's plugins' ADD; {@link #check} runs CHECK
 * against the cached results; {@link #leave} runs DEL (plugins in reverse, networks in reverse) and
 * removes the namespace. Each network's configuration, interface, arguments and result are cached
 * in {@code <pod>/net/NN-<network>.json}, written before its ADD runs, so that {@link #leave} after
 * a crash at any point tears down what was set up. Calls for one pod are serialized (a lock in this
 * process, and a file lock for other processes sharing the data directory).
 */
public final class PodNetworks {
    private static final String LOCK = "lock";
    private static final ConcurrentMap<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final NetworkConfigs configs;
    private final CniPlugins plugins;
    private final Netns netns;

    public PodNetworks(NetworkConfigs configs, CniPlugins plugins, Netns netns) {
        this.configs = configs;
        this.plugins = plugins;
        this.netns = netns;
    }

    /**
     * An app port forwarded from the host, as the portmap plugin takes it.
     *
     * @param hostIp null for every host address
     */
    public record PortMapping(int hostPort, int containerPort, String protocol, String hostIp) {}

    /**
     * What joining gave the pod.
     *
     * @param netns       the namespace file stage1 joins
     * @param attachments each network's interface and addresses, in order
     * @param nameservers the first network's DNS servers (its result's {@code dns}), if it said
     * @param search      its search domains
     * @param options     its resolver options
     */
    public record Joined(Path netns, List<NetworkAttachment> attachments, List<String> nameservers, List<String> search,
                         List<String> options) {}

    /**
     * Makes the pod's network namespace and joins it to each network of {@code networking}; all or
     * nothing (what was set up is torn down again when one fails).
     *
     * @throws CniException naming the network and the plugin that failed
     */
    public Joined join(String podId, PodDir dir, Networking networking, List<PortMapping> ports) throws CniException {
        return locked(dir, () -> {
            List<NetworkConfig> found = new ArrayList<>();
            for (NetworkRequest r : networking.networks()) {
                found.add(configs.find(r.name()));
            }
            try {
                netns.create(dir.netns());
            } catch (IOException e) {
                throw new CniException("pod " + podId + ": " + e.getMessage(), e);
            }
            List<NetworkAttachment> attached = new ArrayList<>();
            JsonNode firstDns = null;
            try {
                for (int i = 0; i < found.size(); i++) {
                    NetworkRequest r = networking.networks().get(i);
                    Cached c = new Cached(i, r.name(), "eth" + i, r.args(), found.get(i).toJson(), portMappings(ports), null);
                    c.write(dir);
                    JsonNode result = add(podId, dir, c);
                    c.withResult(result).write(dir);
                    attached.add(attachment(r.name(), c.ifName(), result));
                    if (i == 0 && result != null) {
                        firstDns = result.path("dns");
                    }
                }
            } catch (CniException e) {
                try {
                    leaveLocked(podId, dir);
                } catch (CniException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            return new Joined(dir.netns(), attached, strings(firstDns, "nameservers"), strings(firstDns, "search"),
                    strings(firstDns, "options"));
        });
    }

    /**
     * Runs CHECK for each network the pod joined, with its cached result.
     *
     * @throws CniException naming the network and what its plugin found wrong
     */
    public void check(String podId, PodDir dir) throws CniException {
        locked(dir, () -> {
            for (Cached c : Cached.all(dir)) {
                if (c.result() == null) {
                    throw new CniException("pod " + podId + ": network " + c.network() + " was never set up (its ADD"
                            + " did not finish): stop the pod and run it again");
                }
                NetworkConfig conf = c.config();
                for (int p = 0; p < conf.plugins().size(); p++) {
                    plugins.run(call("CHECK", podId, dir, c), c.network(), input(c, conf, p, c.result()));
                }
            }
            return null;
        });
    }

    /**
     * Takes the pod off each network it joined (in reverse order, its plugins in reverse, each
     * with the cached result), then removes its network namespace. What is already gone counts as
     * done; a network whose DEL fails keeps its cache, so a later call tries again.
     *
     * @return the networks this call took the pod off, in the order it joined them, with the
     *         addresses their results had given it; none when an earlier call already had
     * @throws CniException naming the network whose teardown failed
     */
    public List<NetworkAttachment> leave(String podId, PodDir dir) throws CniException {
        if (!Files.isDirectory(dir.netDir())) {
            return List.of();
        }
        return locked(dir, () -> leaveLocked(podId, dir));
    }

    private List<NetworkAttachment> leaveLocked(String podId, PodDir dir) throws CniException {
        CniException failed = null;
        List<Cached> cached = new ArrayList<>(Cached.all(dir));
        java.util.Collections.reverse(cached);
        List<NetworkAttachment> removed = new ArrayList<>();
        for (Cached c : cached) {
            try {
                NetworkConfig conf = c.config();
                for (int p = conf.plugins().size() - 1; p >= 0; p--) {
                    plugins.run(call("DEL", podId, dir, c), c.network(), input(c, conf, p, c.result()));
                }
                Files.deleteIfExists(c.file(dir));
                removed.add(0, attachment(c.network(), c.ifName(), c.result()));
            } catch (IOException e) {
                CniException ce = e instanceof CniException x ? x
                        : new CniException("pod " + podId + ": network " + c.network() + ": " + e.getMessage(), e);
                if (failed == null) {
                    failed = ce;
                } else {
                    failed.addSuppressed(ce);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
        try {
            netns.remove(dir.netns());
        } catch (IOException e) {
            throw new CniException("pod " + podId + ": " + e.getMessage(), e);
        }
        return removed;
    }

    private JsonNode add(String podId, PodDir dir, Cached c) throws CniException {
        NetworkConfig conf = c.config();
        JsonNode prev = null;
        for (int p = 0; p < conf.plugins().size(); p++) {
            JsonNode result = plugins.run(call("ADD", podId, dir, c), c.network(), input(c, conf, p, prev));
            if (result != null) {
                prev = result;
            }
        }
        return prev;
    }

    private static CniPlugins.Call call(String command, String podId, PodDir dir, Cached c) {
        String args = c.args() == null ? "IgnoreUnknown=1" : "IgnoreUnknown=1;" + c.args();
        return new CniPlugins.Call(command, podId, dir.netns(), c.ifName(), args);
    }

    /** Plugin {@code p}'s stdin: its configuration, the previous result, and the runtime's port mappings. */
    private static ObjectNode input(Cached c, NetworkConfig conf, int p, JsonNode prev) {
        ObjectNode in = conf.pluginInput(p);
        if (prev != null) {
            in.set("prevResult", prev);
        }
        if (in.path("capabilities").path("portMappings").asBoolean(false) && !c.portMappings().isEmpty()) {
            in.putObject("runtimeConfig").set("portMappings", c.portMappings());
        }
        return in;
    }

    private static ArrayNode portMappings(List<PortMapping> ports) {
        ArrayNode list = NetworkConfig.JSON.createArrayNode();
        for (PortMapping m : ports) {
            ObjectNode o = list.addObject();
            o.put("hostPort", m.hostPort());
            o.put("containerPort", m.containerPort());
            o.put("protocol", m.protocol());
            if (m.hostIp() != null) {
                o.put("hostIP", m.hostIp());
            }
        }
        return list;
    }

    /** The pod's interface on the network and its addresses, from an ADD result. */
    static NetworkAttachment attachment(String network, String ifName, JsonNode result) {
        List<String> ips = new ArrayList<>();
        if (result != null) {
            int index = -1;
            JsonNode ifs = result.path("interfaces");
            for (int i = 0; i < ifs.size(); i++) {
                if (ifName.equals(ifs.get(i).path("name").asText()) && !ifs.get(i).path("sandbox").asText("").isEmpty()) {
                    index = i;
                }
            }
            for (JsonNode ip : result.path("ips")) {
                if (index < 0 || !ip.has("interface") || ip.get("interface").asInt() == index) {
                    ips.add(ip.path("address").asText());
                }
            }
        }
        return new NetworkAttachment(network, ifName, ips);
    }

    private static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        if (node != null) {
            node.path(field).forEach(v -> out.add(v.asText()));
        }
        return out;
    }

    private interface Locked<T> {
        T run() throws CniException;
    }

    private static <T> T locked(PodDir dir, Locked<T> body) throws CniException {
        Path net = dir.netDir();
        try {
            Files.createDirectories(net);
        } catch (IOException e) {
            throw new CniException("cannot make " + net + ": " + e.getMessage(), e);
        }
        synchronized (LOCKS.computeIfAbsent(net.toAbsolutePath(), p -> new Object())) {
            try (FileChannel ch = FileChannel.open(net.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return body.run();
            } catch (CniException e) {
                throw e;
            } catch (IOException e) {
                throw new CniException("cannot lock " + net.resolve(LOCK) + ": " + e.getMessage(), e);
            }
        }
    }

    /** One network's cache file: what its ADD was given, and its result once it returned. */
    private record Cached(int index, String network, String ifName, String args, ObjectNode conflist,
                          ArrayNode portMappings, JsonNode result) {
        Path file(PodDir dir) {
            return dir.netDir().resolve(String.format("%02d-%s.json", index, network));
        }

        NetworkConfig config() throws CniException {
            try {
                return NetworkConfig.parse(NetworkConfig.JSON.writeValueAsBytes(conflist), "the cached " + network);
            } catch (IOException e) {
                throw new CniException("network " + network + ": its cached configuration is not valid: " + e.getMessage(), e);
            }
        }

        Cached withResult(JsonNode r) {
            return new Cached(index, network, ifName, args, conflist, portMappings, r);
        }

        void write(PodDir dir) throws CniException {
            ObjectNode o = NetworkConfig.JSON.createObjectNode();
            o.put("index", index);
            o.put("network", network);
            o.put("ifName", ifName);
            o.put("args", args);
            o.set("config", conflist);
            o.set("portMappings", portMappings);
            o.set("result", result);
            Path target = file(dir);
            Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
            try {
                Files.write(tmp, NetworkConfig.JSON.writeValueAsBytes(o));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new CniException("cannot write " + target + ": " + e.getMessage(), e);
            }
        }

        static List<Cached> all(PodDir dir) throws CniException {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.netDir(), "[0-9][0-9]-*.json")) {
                s.forEach(files::add);
            } catch (NoSuchFileException e) {
                return List.of();
            } catch (IOException e) {
                throw new CniException("cannot list " + dir.netDir() + ": " + e.getMessage(), e);
            }
            files.sort(null);
            List<Cached> out = new ArrayList<>();
            for (Path f : files) {
                try {
                    JsonNode o = NetworkConfig.JSON.readTree(Files.readAllBytes(f));
                    JsonNode result = o.get("result");
                    out.add(new Cached(o.path("index").asInt(), o.path("network").asText(), o.path("ifName").asText(),
                            o.hasNonNull("args") ? o.get("args").asText() : null, (ObjectNode) o.get("config"),
                            o.get("portMappings") instanceof ArrayNode a ? a : NetworkConfig.JSON.createArrayNode(),
                            result == null || result.isNull() ? null : result));
                } catch (IOException | RuntimeException e) {
                    throw new CniException("cannot read the network cache " + f + ": " + e.getMessage(), e);
                }
            }
            return out;
        }
    }
}
