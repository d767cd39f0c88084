package dev.rkj.engine.net;

import dev.rkj.engine.pod.Networking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a CNI pod's {@code /etc/resolv.conf} says (rkt's rules): {@code --dns=host} copies the
 * host's; {@code --dns}, {@code --dns-search} and {@code --dns-opt} write one; otherwise the first
 * network's DNS result, if it gave one; otherwise the image's file stays (null).
 */
public final class NameService {
    private NameService() {}

    /**
     * The pod's resolv.conf, or null to keep the image's.
     *
     * @param hostResolvConf the host's {@code /etc/resolv.conf}
     * @throws IOException if the host's file cannot be read for {@code --dns=host}
     */
    public static String resolvConf(Networking n, PodNetworks.Joined joined, Path hostResolvConf) throws IOException {
        if (n.dns().equals(List.of("host"))) {
            return Files.readString(hostResolvConf, StandardCharsets.UTF_8);
        }
        boolean asked = !n.dns().isEmpty() || !n.dnsSearch().isEmpty() || !n.dnsOptions().isEmpty();
        List<String> servers = n.dns().isEmpty() ? joined.nameservers() : n.dns();
        List<String> search = n.dnsSearch().isEmpty() ? joined.search() : n.dnsSearch();
        List<String> options = n.dnsOptions().isEmpty() ? joined.options() : n.dnsOptions();
        if (!asked && servers.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder("# written by rkj\n");
        servers.forEach(s -> out.append("nameserver ").append(s).append('\n'));
        if (!search.isEmpty()) {
            out.append("search ").append(String.join(" ", search)).append('\n');
        }
        if (!options.isEmpty()) {
            out.append("options ").append(String.join(" ", options)).append('\n');
        }
        return out.toString();
    }
}
