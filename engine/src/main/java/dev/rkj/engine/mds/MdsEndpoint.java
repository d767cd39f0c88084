package dev.rkj.engine.mds;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the metadata service listens, and so what a registered pod is told: its unix socket (the
 * pods of private networks reach it through their stage1's relay) and its TCP port on the host's
 * loopback (the pods of {@code --net=host}). The relay listens on the same port in the pod, so
 * every pod's {@code AC_METADATA_URL} is {@code http://127.0.0.1:<port>/<token>}.
 *
 * @param socket the service's unix socket, absolute
 * @param port   its loopback TCP port, 1..65535
 */
public record MdsEndpoint(Path socket, int port) {
    /** The default socket. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/rkj/mds.sock");
    /** The default port (rkt's metadata service port). */
    public static final int DEFAULT_PORT = 18112;
    /** The only address the service's TCP listener binds. */
    public static final String LOOPBACK = "127.0.0.1";

    public MdsEndpoint {
        Objects.requireNonNull(socket, "socket");
        if (!socket.isAbsolute() || socket.getParent() == null) {
            throw new IllegalArgumentException("the metadata service socket " + socket
                    + " must be an absolute path, e.g. " + DEFAULT_SOCKET);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the metadata service port " + port + " is not 1..65535");
        }
    }

    /** {@link #DEFAULT_SOCKET} and {@link #DEFAULT_PORT}. */
    public static MdsEndpoint defaults() {
        return new MdsEndpoint(DEFAULT_SOCKET, DEFAULT_PORT);
    }

    /** {@code AC_METADATA_URL} for a pod registered with {@code token}. */
    public String url(String token) {
        return "http://" + LOOPBACK + ":" + port + "/" + token;
    }
}
