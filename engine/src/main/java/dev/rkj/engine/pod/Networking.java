package dev.rkj.engine.pod;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pod's network request beyond its {@link PodSpec.NetMode}: the CNI networks it joins
 * ({@code --net=a,b:IP=...}), the ports it forwards from the host ({@code --port}) and its name
 * service ({@code --dns}, {@code --dns-search}, {@code --dns-opt}, {@code --hosts-entry}). Part of
 * {@code pod.created/6}, so its shape is wire format.
 *
 * @param networks     the CNI networks, in interface order ({@code eth0} first); empty: {@code default}
 * @param ports        the app ports forwarded from the host
 * @param dns          name servers for the pod's {@code /etc/resolv.conf}, or {@code host} alone for
 *                     the host's file; empty: the first network's, else the image's
 * @param dnsSearch    search domains
 * @param dnsOptions   resolver options ({@code ndots:2})
 * @param hostsEntries {@code IP=HOSTNAME} lines added to the pod's {@code /etc/hosts}
 */
public record Networking(List<NetworkRequest> networks, List<PortForward> ports, List<String> dns,
                         List<String> dnsSearch, List<String> dnsOptions, List<String> hostsEntries) {
    /** The network a pod joins unless told otherwise (rkt's). */
    public static final String DEFAULT_NETWORK = "default";
    /** A network name: what {@code net.d} files and {@code --net} may use. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern HOSTS_ENTRY = Pattern.compile("[0-9a-fA-F.:]+=[A-Za-z0-9][A-Za-z0-9.-]{0,252}");
    private static final Pattern DNS_WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:_-]{0,252}");

    /** The default network with nothing else. */
    public static final Networking DEFAULT = new Networking(null, null, null, null, null, null);

    public Networking {
        networks = networks == null || networks.isEmpty() ? List.of(new NetworkRequest(DEFAULT_NETWORK, null))
                : List.copyOf(networks);
        Set<String> seen = new HashSet<>();
        for (NetworkRequest n : networks) {
            if (!seen.add(n.name())) {
                throw new IllegalArgumentException("--net names network " + n.name() + " twice: join each once");
            }
        }
        ports = ports == null ? List.of() : List.copyOf(ports);
        Set<String> forwarded = new HashSet<>();
        for (PortForward p : ports) {
            if (!forwarded.add(p.hostIp() + ":" + p.hostPort())) {
                throw new IllegalArgumentException("--port forwards host port " + p.hostPort() + " twice");
            }
        }
        dns = words(dns, "--dns");
        if (dns.contains("host") && dns.size() > 1) {
            throw new IllegalArgumentException("--dns=host takes the host's resolv.conf: give no other server with it");
        }
        dnsSearch = words(dnsSearch, "--dns-search");
        dnsOptions = words(dnsOptions, "--dns-opt");
        hostsEntries = hostsEntries == null ? List.of() : List.copyOf(hostsEntries);
        for (String e : hostsEntries) {
            if (!HOSTS_ENTRY.matcher(e).matches()) {
                throw new IllegalArgumentException("--hosts-entry \"" + e + "\" is not IP=HOSTNAME (e.g. 10.0.0.5=db)");
            }
        }
    }

    /**
     * The mode of a {@code --net} value: {@code host}, {@code none}, or {@link PodSpec.NetMode#DEFAULT}
     * for CNI networks (any other value: their names).
     */
    public static PodSpec.NetMode modeOf(String net) {
        return net.equals("host") || net.equals("none") ? PodSpec.NetMode.parse(net) : PodSpec.NetMode.DEFAULT;
    }

    /**
     * The networking the flags ask for ({@code --net}, {@code --port}, {@code --dns},
     * {@code --dns-search}, {@code --dns-opt}, {@code --hosts-entry}); null when {@code net} is
     * {@code host} or {@code none} and no other flag is given (the pod spec refuses the others then).
     *
     * @throws IllegalArgumentException naming the flag and what is wrong
     */
    public static Networking fromFlags(String net, List<String> ports, List<String> dns, List<String> dnsSearch,
                                       List<String> dnsOptions, List<String> hostsEntries) {
        boolean cni = modeOf(net) == PodSpec.NetMode.DEFAULT;
        boolean more = !ports.isEmpty() || !dns.isEmpty() || !dnsSearch.isEmpty() || !dnsOptions.isEmpty()
                || !hostsEntries.isEmpty();
        if (!cni && !more) {
            return null;
        }
        List<PortForward> forwards = new ArrayList<>();
        ports.forEach(p -> forwards.add(PortForward.parse(p)));
        return new Networking(cni ? parseNetworks(net) : null, forwards, dns, dnsSearch, dnsOptions, hostsEntries);
    }

    /**
     * The networks of a {@code --net} value: {@code a,b} or {@code a:IP=172.16.28.7;K=V,b}, each
     * name with its CNI arguments after a colon.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static List<NetworkRequest> parseNetworks(String value) {
        List<NetworkRequest> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            int colon = part.indexOf(':');
            String name = colon < 0 ? part : part.substring(0, colon);
            out.add(new NetworkRequest(name.strip(), colon < 0 ? null : part.substring(colon + 1)));
        }
        return out;
    }

    /** Whether {@code name} can name a network. */
    public static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The pod's {@code /etc/hosts} lines from {@link #hostsEntries}: {@code IP\tHOSTNAME}. */
    public List<String> hostsLines() {
        return hostsEntries.stream().map(e -> e.replaceFirst("=", "\t")).toList();
    }

    private static List<String> words(List<String> values, String flag) {
        if (values == null) {
            return List.of();
        }
        for (String v : values) {
            if (v == null || !DNS_WORD.matcher(v).matches()) {
                throw new IllegalArgumentException(flag + " \"" + v + "\" is not a name, address or option");
            }
        }
        return List.copyOf(values);
    }

    /**
     * One CNI network the pod joins.
     *
     * @param name the network's name
     * @param args the CNI arguments ({@code IP=172.16.28.7;K=V}, CNI_ARGS), or null
     */
    public record NetworkRequest(String name, String args) {
        public NetworkRequest {
            if (!isName(name) || "host".equals(name) || "none".equals(name)) {
                throw new IllegalArgumentException("--net: \"" + name + "\" is not a network name (default,"
                        + " default-restricted, or the name of a file in net.d; host and none stand alone)");
            }
            if (args != null && (args.isEmpty() || !args.matches("[A-Za-z0-9_]+=[^;,\\s]+(;[A-Za-z0-9_]+=[^;,\\s]+)*"))) {
                throw new IllegalArgumentException("--net=" + name + ": arguments \"" + args
                        + "\" are not KEY=VALUE;KEY=VALUE (e.g. IP=172.16.28.7)");
            }
        }
    }

    /**
     * An app port forwarded from the host ({@code --port NAME:[HOSTIP:]HOSTPORT}).
     *
     * @param name     the port's name in the app's image manifest
     * @param hostIp   the host address it listens on, or null for all
     * @param hostPort the host port
     */
    public record PortForward(String name, String hostIp, int hostPort) {
        public PortForward {
            if (name == null || !name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
                throw new IllegalArgumentException("--port: \"" + name + "\" is not a port name of the app (e.g. http)");
            }
            if (hostPort < 1 || hostPort > 65535) {
                throw new IllegalArgumentException("--port " + name + ": host port " + hostPort + " is not 1 to 65535");
            }
            if (hostIp != null && !hostIp.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
                throw new IllegalArgumentException("--port " + name + ": \"" + hostIp + "\" is not an IP address");
            }
        }

        /**
         * A {@code --port} value: {@code NAME:HOSTPORT} or {@code NAME:HOSTIP:HOSTPORT}.
         *
         * @throws IllegalArgumentException naming what is wrong
         */
        public static PortForward parse(String value) {
            int first = value.indexOf(':');
            int last = value.lastIndexOf(':');
            if (first < 0) {
                throw new IllegalArgumentException("--port \"" + value + "\" is not NAME:[HOSTIP:]HOSTPORT (e.g. http:8080)");
            }
            String ip = first == last ? null : value.substring(first + 1, last);
            try {
                return new PortForward(value.substring(0, first).toLowerCase(Locale.ROOT), ip,
                        Integer.parseInt(value.substring(last + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--port \"" + value + "\": the host port is not a number");
            }
        }
    }
}
