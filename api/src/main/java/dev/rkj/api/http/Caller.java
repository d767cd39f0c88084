package dev.rkj.api.http;

import dev.rkj.engine.Grantor;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.Objects;

/**
 * Who sent a request to the daemon, as the journal records it on what the request writes: over the
 * unix socket, the peer process's user as the kernel reports it ({@code SO_PEERCRED}, taken when
 * the connection was made, so a client cannot claim another user); over TCP, the name of the bearer
 * token it sent ({@link BearerToken}).
 *
 * <p>The one owner of "who asked" for every face of the daemon: route handlers read it with
 * {@link #of(RoutingContext)}; code that holds only a connection (a WebSocket, a thin-CLI
 * session) with {@link #of(HttpConnection)}.
 *
 * @param uid      the peer's user id; null over TCP, or if the kernel could not say (no epoll transport)
 * @param userName the user's name on this host ({@code /etc/passwd}), or null if it has none
 * @param pid      the peer's process id (in the daemon's PID namespace), or null if not known
 * @param token    the bearer token's name over TCP, null over the socket
 */
public record Caller(Long uid, String userName, Long pid, String token) {
    /** Where {@link #of(RoutingContext)} finds the caller once authentication has put it there. */
    static final String KEY = "rkj.caller";
    private static final AttributeKey<Caller> PEER = AttributeKey.valueOf("rkj.peer");

    public Caller {
        if (uid != null && uid < 0) {
            throw new IllegalArgumentException("caller uid " + uid + " is negative");
        }
    }

    /** A client over TCP that sent the token named {@code token}. */
    static Caller tokenHolder(String token) {
        return new Caller(null, null, null, Objects.requireNonNull(token, "token"));
    }

    /**
     * Who sent this request: the token holder if it came over TCP ({@link BearerToken} put it on
     * the context), else the peer of its unix socket connection.
     */
    public static Caller of(RoutingContext ctx) {
        Caller caller = ctx.get(KEY);
        return caller != null ? caller : of(ctx.request().connection());
    }

    /**
     * The process at the other end of a unix socket connection, as the kernel saw it when it
     * connected ({@code SO_PEERCRED}; read once per connection). Needs Netty's epoll transport
     * ({@link DaemonVertx}); without it, or over TCP, the uid is null.
     */
    public static Caller of(HttpConnection connection) {
        if (!(connection instanceof HttpServerConnection server)) {
            return new Caller(null, null, null, null);
        }
        Channel channel = server.channelHandlerContext().channel();
        Caller known = channel.attr(PEER).get();
        if (known != null) {
            return known;
        }
        Caller peer = peerOf(channel);
        channel.attr(PEER).setIfAbsent(peer);
        return peer;
    }

    private static Caller peerOf(Channel channel) {
        if (channel instanceof EpollDomainSocketChannel unix) {
            try {
                PeerCredentials credentials = unix.peerCredentials();
                long uid = Integer.toUnsignedLong(credentials.uid());
                return new Caller(uid, UserNames.of(uid), credentials.pid() > 0 ? (long) credentials.pid() : null, null);
            } catch (IOException e) {
                return new Caller(null, null, null, null); // the peer is gone: nothing it asks is served
            }
        }
        return new Caller(null, null, null, null);
    }

    /** How the request came, for the journal: {@code rkj daemon API over the unix socket (pid 42)}. */
    public String via() {
        if (token != null) {
            return "rkj daemon API over TCP, token " + token;
        }
        return "rkj daemon API over the unix socket" + (pid == null ? "" : " (pid " + pid + ")");
    }

    /** The caller as the journal records who asked. */
    public Grantor grantor() {
        return new Grantor(uid, userName, null, via());
    }

    /** For a reader: {@code uid 0 (root)}, {@code token ci}, or {@code an unknown peer}. */
    public String describe() {
        if (token != null) {
            return "token " + token;
        }
        return uid == null ? "an unknown peer" : "uid " + uid + (userName == null ? "" : " (" + userName + ")");
    }
}
