package dev.rkj.api.http;

import java.nio.file.Path;

/** Where the daemon listens: its unix socket (the default), or TCP, which needs a bearer token. */
public sealed interface Listen {
    /** The default socket. */
    Path DEFAULT_SOCKET = Path.of("/run/rkj/api.sock");

    /**
     * A unix socket, mode 0660, owned by root and {@code group} (null: root's group); or, if
     * {@code fromSystemd}, the one systemd made and passed (its mode, group and file are systemd's).
     */
    record UnixSocket(Path path, String group, boolean fromSystemd) implements Listen {
        public UnixSocket(Path path, String group) {
            this(path, group, false);
        }

        @Override
        public String toString() {
            return "unix:" + path + (fromSystemd ? " (from systemd)" : "");
        }
    }

    /** TCP on {@code host:port}; every request must carry {@code Authorization: Bearer <token>}. */
    record Tcp(String host, int port, BearerToken token) implements Listen {
        public Tcp {
            if (token == null) {
                throw new IllegalArgumentException("TCP needs a bearer token: give --token-file");
            }
        }

        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }
}
