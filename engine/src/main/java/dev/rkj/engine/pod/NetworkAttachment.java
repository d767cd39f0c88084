package dev.rkj.engine.pod;

import java.util.List;
import java.util.Objects;

/**
 * A CNI network the pod joined at its start, as {@code pod.started/4} records it.
 *
 * @param network the network's name ({@code default}, or a name from {@code net.d})
 * @param ifName  the pod's interface on it ({@code eth0}, {@code eth1}...)
 * @param ips     the pod's addresses on it, in CIDR form ({@code 172.16.28.5/24})
 */
public record NetworkAttachment(String network, String ifName, List<String> ips) {
    public NetworkAttachment {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(ifName, "ifName");
        ips = ips == null ? List.of() : List.copyOf(ips);
    }

    /** As rkt's {@code list} and {@code status} show it: {@code default:ip4=172.16.28.5}. */
    public String describe() {
        StringBuilder out = new StringBuilder(network);
        String sep = ":";
        for (String a : addresses()) {
            out.append(sep).append(a.contains(":") ? "ip6=" : "ip4=").append(a);
            sep = ",";
        }
        return out.toString();
    }

    /** {@link #describe()} of each, joined with spaces; empty for none. */
    public static String describe(List<NetworkAttachment> networks) {
        return String.join(" ", networks.stream().map(NetworkAttachment::describe).toList());
    }

    /** The addresses without their prefix lengths ({@code 172.16.28.5}). */
    public List<String> addresses() {
        return ips.stream().map(ip -> ip.contains("/") ? ip.substring(0, ip.indexOf('/')) : ip).toList();
    }
}
