package dev.rkj.engine.appc;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A port exposed on the host (pods.md "ports"): the app port named {@code name} (or {@code podPort})
 * forwarded from {@code hostPort}, on {@code hostIp} (dotted-quad IPv4) or all addresses.
 */
public record ExposedPort(AcName name, int hostPort, Optional<String> hostIp, Optional<Port> podPort) {
    private static final Pattern DOTTED_QUAD =
            Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");

    public ExposedPort {
        if (name == null || hostIp == null || podPort == null) {
            throw new IllegalArgumentException("an exposed port needs a name (use Optional.empty() for absent parts)");
        }
        String problem = Port.portProblem(hostPort);
        if (problem == null && hostIp.isPresent()) {
            problem = hostIpProblem(hostIp.get());
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    public static ExposedPort of(String name, int hostPort) {
        return new ExposedPort(AcName.parse(name), hostPort, Optional.empty(), Optional.empty());
    }

    static String hostIpProblem(String ip) {
        var m = DOTTED_QUAD.matcher(ip);
        boolean ok = m.matches();
        for (int i = 1; ok && i <= 4; i++) {
            ok = Integer.parseInt(m.group(i)) <= 255;
        }
        return ok ? null : Quote.of(ip) + " is not an IPv4 address in dotted-quad notation, e.g. 203.0.113.23";
    }
}
