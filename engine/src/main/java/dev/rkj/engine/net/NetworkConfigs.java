package dev.rkj.engine.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The networks a pod may join: rkj's built-in {@code default} and {@code default-restricted}, and
 * the {@code *.conflist} and {@code *.conf} files of the configuration directories
 * ({@code /etc/rkj/net.d}, then {@code <data dir>/net.d}), found by the {@code name} inside them. A
 * file may not redefine a built-in network; when two files name the same network, the first
 * directory's wins, then the first file name in sort order.
 */
public final class NetworkConfigs {
    /** The bridge of the {@code default} network. */
    public static final String DEFAULT_BRIDGE = "rkj0";
    /** The {@code default} network's subnet (rkt's). */
    public static final String DEFAULT_SUBNET = "172.16.28.0/24";
    /** The bridge of the {@code default-restricted} network. */
    public static final String RESTRICTED_BRIDGE = "rkj1";
    /** The {@code default-restricted} network's subnet (rkt's). */
    public static final String RESTRICTED_SUBNET = "172.17.0.0/16";
    /** The system-wide configuration directory. */
    public static final Path ETC_NET_D = Path.of("/etc/rkj/net.d");
    /** The configuration directory under a data directory. */
    public static final String NET_D = "net.d";

    /** rkt's default: a bridge with a gateway, masquerade out, and the ports the pod forwards. */
    static final String DEFAULT = """
            {"cniVersion": "1.0.0", "name": "default", "plugins": [
              {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": true, "hairpinMode": true,
               "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
              {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}]}
            """.formatted(DEFAULT_BRIDGE, DEFAULT_SUBNET);

    /** rkt's default-restricted: the host and the other pods on it only, no route out, no masquerade. */
    static final String DEFAULT_RESTRICTED = """
            {"cniVersion": "1.0.0", "name": "default-restricted", "plugins": [
              {"type": "bridge", "bridge": "%s", "isGateway": false, "ipMasq": false,
               "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s"}]]}},
              {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}]}
            """.formatted(RESTRICTED_BRIDGE, RESTRICTED_SUBNET);

    private final List<Path> dirs;

    /** @param dirs the configuration directories, first first; absent ones are skipped */
    public NetworkConfigs(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    /** The directories of a data directory: {@code /etc/rkj/net.d} and {@code <dataDir>/net.d}. */
    public static NetworkConfigs of(Path dataDir) {
        return new NetworkConfigs(List.of(ETC_NET_D, dataDir.resolve(NET_D)));
    }

    /**
     * The network named {@code name}.
     *
     * @throws CniException when there is none (naming where to put one) or its file is not valid
     */
    public NetworkConfig find(String name) throws CniException {
        Optional<NetworkConfig> builtIn = builtIn(name);
        if (builtIn.isPresent()) {
            return builtIn.get();
        }
        for (NetworkConfig c : files().values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new CniException("no network named " + name + ": put a " + name + ".conflist with \"name\": \"" + name
                + "\" in " + dirs.stream().map(Path::toString).reduce((a, b) -> a + " or " + b).orElse("net.d"));
    }

    /**
     * Refuses a request naming a network that is not there, before a pod is made of it.
     *
     * @throws IllegalArgumentException naming the network and where to define it
     */
    public void requireKnown(dev.rkj.engine.pod.Networking networking) {
        if (networking == null) {
            return;
        }
        for (dev.rkj.engine.pod.Networking.NetworkRequest n : networking.networks()) {
            try {
                find(n.name());
            } catch (CniException e) {
                throw new IllegalArgumentException("--net=" + n.name() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Every network's name: the built-in ones, then the files'. */
    public List<String> names() throws CniException {
        List<String> names = new ArrayList<>(List.of("default", "default-restricted"));
        for (NetworkConfig c : files().values()) {
            if (!names.contains(c.name())) {
                names.add(c.name());
            }
        }
        return names;
    }

    private static Optional<NetworkConfig> builtIn(String name) throws CniException {
        return switch (name) {
            case "default" -> Optional.of(NetworkConfig.parse(DEFAULT.getBytes(StandardCharsets.UTF_8), "built-in"));
            case "default-restricted" ->
                    Optional.of(NetworkConfig.parse(DEFAULT_RESTRICTED.getBytes(StandardCharsets.UTF_8), "built-in"));
            default -> Optional.empty();
        };
    }

    /** The files' networks, by directory order then file name. */
    private TreeMap<String, NetworkConfig> files() throws CniException {
        TreeMap<String, NetworkConfig> found = new TreeMap<>();
        int d = 0;
        for (Path dir : dirs) {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.{conflist,conf}")) {
                s.forEach(files::add);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw new CniException("cannot list the network configurations in " + dir + ": " + e.getMessage(), e);
            }
            files.sort(null);
            for (Path f : files) {
                NetworkConfig c;
                try {
                    c = NetworkConfig.parse(Files.readAllBytes(f), f.toString());
                } catch (IOException e) {
                    throw e instanceof CniException ce ? ce
                            : new CniException("cannot read network configuration " + f + ": " + e.getMessage(), e);
                }
                if (builtIn(c.name()).isPresent()) {
                    throw new CniException("network configuration " + f + " names the built-in network " + c.name()
                            + ": give it another name");
                }
                found.put(String.format("%03d/%s", d, f.getFileName()), c);
            }
            d++;
        }
        return found;
    }
}
