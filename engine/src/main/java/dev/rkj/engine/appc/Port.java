package dev.rkj.engine.appc;

/**
 * A port or port range an app listens on (aci.md "ports"): {@code port} to {@code port + count - 1}.
 * The protocol is free-form per the spec (typically tcp or udp); the executor may refuse others.
 */
public record Port(AcName name, String protocol, int port, int count, boolean socketActivated) {
    public static final int MAX_PORT = 65535;

    public Port {
        if (name == null) {
            throw new IllegalArgumentException("a port needs a name");
        }
        if (protocol == null || protocol.isEmpty()) {
            throw new IllegalArgumentException("port " + name + " needs a protocol, e.g. tcp or udp");
        }
        String problem = portProblem(port);
        if (problem == null) {
            problem = countProblem(port, count);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** A single TCP port. */
    public static Port tcp(String name, int port) {
        return new Port(AcName.parse(name), "tcp", port, 1, false);
    }

    static String portProblem(long port) {
        return port >= 1 && port <= MAX_PORT ? null : "port " + port + " is out of range: use 1 to " + MAX_PORT;
    }

    static String countProblem(long port, long count) {
        if (count < 1) {
            return "count " + count + " must be at least 1";
        }
        if (port + count - 1 > MAX_PORT) {
            return "the range " + port + ".." + (port + count - 1) + " ends above " + MAX_PORT;
        }
        return null;
    }

    /** The last port of the range. */
    public int lastPort() {
        return port + count - 1;
    }
}
