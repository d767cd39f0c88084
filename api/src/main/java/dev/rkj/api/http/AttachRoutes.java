package dev.rkj.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.LinuxKernel;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/pods/{id}/attach}: an interactive pod's terminal over a WebSocket, bridged to the
 * pod's attach socket ({@code <podDir>/attach}; its protocol is at the top of rkj-stage1.c).
 *
 * <pre>
 *   client ── WebSocket, binary messages [channel][payload] ──▶ daemon ── unix socket ──▶ pod's PID 1
 *     0 STDIN   bytes typed                                      'd' LEN BYTES (split at 65535)
 *     2 RESIZE  rows, cols: uint16 big-endian each               'w' 0x0004 ROWS COLS
 *   client ◀── 1 OUTPUT  the terminal's bytes                  ◀── raw bytes (the kept 64 KiB first)
 *   client ◀── 3 END     JSON {type:exited, status} | {type:closed, reason}, then a close frame
 * </pre>
 *
 * Other channels from a client are ignored (as stage1 ignores frame types it does not know); a text
 * message closes with 1003. Closing the WebSocket detaches (stage1 reads EOF; the app runs on).
 * When the app is done, stage1 closes the socket; the bridge waits for the pod's exit to be
 * recorded and sends its status (close 1000).
 *
 * <p>Pod to client: stage1 writes to its client blocking, so the bridge never pauses its side of the
 * unix socket (a Vert.x NetSocket on the same event loop as the WebSocket: every handler of a bridge
 * runs on that one thread). When the WebSocket takes nothing (its write queue is full), what comes
 * is queued in the connection up to {@link #BACKLOG_LIMIT} bytes; past that the client is closed
 * (1008) and so detached: the pod never stalls on a client that does not read (stage1 then keeps
 * the latest 64 KiB for the next one). Client to pod: when the pod takes no more input, the
 * WebSocket is paused until it does.
 *
 * <p>One client at a time, as stage1 allows: a second attach through this daemon is a 409; a client
 * attached by other means ({@code rkj run --interactive}) makes stage1 refuse us with its one line,
 * which ends the WebSocket with 3 {type:closed} and close code 4409.
 */
final class AttachRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AttachRoutes.class);
    static final byte STDIN = 0;
    static final byte OUTPUT = 1;
    static final byte RESIZE = 2;
    static final byte END = 3;
    /** How much output may wait for a client that reads nothing before it is closed. */
    static final long BACKLOG_LIMIT = 1 << 20;
    /** What stage1 sends a client it refuses, as {@code busy[]} in attach.c. */
    static final byte[] BUSY = "rkj: pod already attached\n".getBytes(StandardCharsets.US_ASCII);
    /** The close code of a refused attach: application-defined (4000-4999), as 409. */
    static final short CLOSE_ATTACHED_ELSEWHERE = 4409;
    private static final int MAX_FRAME = 0xffff;

    private final ApiContext api;
    private final Kernel kernel = LinuxKernel.get();
    private final NetClient client;
    /** The pods with a bridge open through this daemon: touched from any event loop. */
    private final Set<String> attached = ConcurrentHashMap.newKeySet();

    AttachRoutes(ApiContext api) {
        this.api = api;
        this.client = api.vertx().createNetClient();
    }

    void mount(RouterBuilder builder) {
        builder.getRoute("attachPod").addHandler(this::attach);
    }

    /** A pod to attach to: its id and an O_PATH descriptor of its directory (the socket path may be too long for sun_path). */
    private record Target(String podId, int dirFd) {}

    private void attach(RoutingContext ctx) {
        if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
            throw new Problem(400, "websocket-required", "Bad request", "attach is a WebSocket: send the GET with"
                    + " Upgrade: websocket (binary messages, a channel byte first: see /v1/openapi.json)", null);
        }
        String id = ApiContext.path(ctx, "id");
        api.blocking(() -> api.engine().pod(id))
                .compose(this::running)
                .compose(pod -> api.blocking(() -> target(pod)))
                .compose(target -> {
                    if (!attached.add(target.podId())) {
                        closeFd(target.dirFd());
                        return Future.failedFuture(Problem.conflict("already-attached", "pod " + target.podId()
                                + " has a client attached through this daemon: one at a time (close the other"
                                + " WebSocket first)"));
                    }
                    // connected from this (the request's) context: the socket's handlers run on the WebSocket's thread
                    return client.connect(SocketAddress.domainSocketAddress("/proc/self/fd/" + target.dirFd() + "/" + PodDir.ATTACH))
                            .eventually(() -> {
                                closeFd(target.dirFd());
                                return Future.succeededFuture();
                            })
                            .recover(e -> {
                                attached.remove(target.podId());
                                return Future.failedFuture(Problem.conflict("not-attachable", "pod " + target.podId()
                                        + "'s terminal cannot be reached (its app may just have ended): " + e.getMessage()));
                            })
                            .map(socket -> new Bridge(target.podId(), socket.pause()));
                })
                .onSuccess(bridge -> ctx.request().toWebSocket()
                        .onSuccess(bridge::start)
                        .onFailure(e -> {
                            bridge.release();
                            ctx.fail(e);
                        }))
                .onFailure(ctx::fail);
    }

    /**
     * The pod, once it runs: one being prepared or launched is waited for (so a client may attach
     * right after creating it); one that is not interactive, or will not run, is a 409 naming why.
     */
    private Future<PodState> running(PodState pod) {
        if (pod.status() == PodStatus.DELETED) {
            return Future.failedFuture(Problem.notFound("no-such-pod", "pod " + pod.podId() + " was removed"));
        }
        if (pod.spec() != null && !pod.spec().interactive()) {
            return Future.failedFuture(Problem.conflict("not-interactive", "pod " + pod.podId() + " was not run"
                    + " interactive: it has no terminal to attach to (its output is at GET /v1/pods/" + pod.podId()
                    + "/logs; run it with \"interactive\": true to attach)"));
        }
        boolean coming = pod.status() == PodStatus.EMBRYO || pod.status() == PodStatus.PREPARING
                || pod.status() == PodStatus.PREPARED && pod.launchRequestedBy() != null;
        Future<PodState> now = coming
                ? api.engine().awaitStatus(pod.podId(), s -> s.status() == PodStatus.RUNNING || s.status().isFinished(),
                        PodRoutes.PROMPT)
                : Future.succeededFuture(pod);
        return now.compose(p -> p.status() == PodStatus.RUNNING && p.spec() != null && p.spec().interactive()
                ? Future.succeededFuture(p)
                : Future.failedFuture(Problem.conflict("not-running", "pod " + p.podId() + " is "
                        + p.status().displayName() + ": only a running interactive pod has a terminal to attach to"
                        + " (its output is at GET /v1/pods/" + p.podId() + "/logs)")));
    }

    private Target target(PodState pod) throws KernelException {
        PodDir dir = PodDir.of(api.engine().dataDir().resolve(Stage1Host.PODS), pod.podId());
        return new Target(pod.podId(), kernel.open(dir.path(), Kernel.O_PATH | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC, 0));
    }

    private void closeFd(int fd) {
        try {
            kernel.close(fd);
        } catch (KernelException e) {
            LOG.debug("closing the pod directory descriptor {}: {}", fd, e.toString());
        }
    }

    /** One client's bridge; all its handlers run on one event loop. */
    private final class Bridge {
        private final String podId;
        private final NetSocket socket;
        private ServerWebSocket ws;
        /** The first bytes from stage1, while they may still be its refusal; null once they cannot. */
        private Buffer head = Buffer.buffer();
        private long backlog;
        private boolean ended;

        Bridge(String podId, NetSocket socket) {
            this.podId = podId;
            this.socket = socket;
        }

        void start(ServerWebSocket ws) {
            this.ws = ws;
            ws.binaryMessageHandler(this::input);
            ws.textMessageHandler(t -> close(null, (short) 1003, "send binary messages: a channel byte (0 stdin, 2 resize), then the payload"));
            ws.closeHandler(v -> detach());
            ws.exceptionHandler(e -> LOG.debug("attach to pod {}: {}", podId, e.toString()));
            ws.drainHandler(v -> backlog = 0);
            socket.handler(this::output);
            socket.closeHandler(v -> stage1Closed()); // after EOF (the app is done, or we were refused) or a reset
            socket.exceptionHandler(e -> LOG.debug("attach socket of pod {}: {}", podId, e.toString()));
            socket.drainHandler(v -> ws.resume());
            socket.resume();
        }

        /** The upgrade failed: nothing was bridged. */
        void release() {
            ended = true;
            socket.close();
            attached.remove(podId);
        }

        private void input(Buffer message) {
            if (ended || message.length() == 0) {
                return;
            }
            byte channel = message.getByte(0);
            if (channel == STDIN) {
                for (int at = 1; at < message.length(); at += MAX_FRAME) {
                    Buffer data = message.getBuffer(at, Math.min(message.length(), at + MAX_FRAME));
                    socket.write(Buffer.buffer(3 + data.length()).appendByte((byte) 'd')
                            .appendUnsignedShort(data.length()).appendBuffer(data));
                }
            } else if (channel == RESIZE) {
                if (message.length() != 5) {
                    close(null, (short) 1007, "a resize is 4 bytes after the channel: rows, cols as uint16 big-endian");
                    return;
                }
                socket.write(Buffer.buffer(7).appendByte((byte) 'w').appendUnsignedShort(4).appendBuffer(message.getBuffer(1, 5)));
            } // other channels: for clients newer than us
            if (socket.writeQueueFull()) {
                ws.pause(); // the pod takes no more input for now: the socket's drain resumes
            }
        }

        private void output(Buffer bytes) {
            if (ended) {
                return;
            }
            if (head != null) {
                head.appendBuffer(bytes);
                if (isPrefixOfBusy(head)) {
                    return; // may be stage1 refusing us: its end tells
                }
                bytes = head;
                head = null;
            }
            if (ws.writeQueueFull()) {
                backlog += bytes.length();
                if (backlog > BACKLOG_LIMIT) {
                    close(message("closed", "reason", "the client read nothing while " + BACKLOG_LIMIT
                            + " bytes of output waited: detached (attach again to go on; the pod keeps its latest output)"),
                            (short) 1008, "the client does not read: detached");
                    return;
                }
            }
            ws.writeBinaryMessage(Buffer.buffer(1 + bytes.length()).appendByte(OUTPUT).appendBuffer(bytes));
        }

        private boolean isPrefixOfBusy(Buffer b) {
            if (b.length() > BUSY.length) {
                return false;
            }
            for (int i = 0; i < b.length(); i++) {
                if (b.getByte(i) != BUSY[i]) {
                    return false;
                }
            }
            return true;
        }

        /** stage1 closed the socket: it refused us, or the app is done (then its exit status follows). */
        private void stage1Closed() {
            if (ended) {
                return;
            }
            if (head != null && head.length() == BUSY.length) {
                close(message("closed", "reason", "pod " + podId + " has a client attached already (rkj run"
                        + " --interactive?): one at a time"), CLOSE_ATTACHED_ELSEWHERE, "attached elsewhere");
                return;
            }
            if (head != null && head.length() > 0) {
                Buffer rest = head;
                head = null;
                ws.writeBinaryMessage(Buffer.buffer(1 + rest.length()).appendByte(OUTPUT).appendBuffer(rest));
            }
            head = null;
            attached.remove(podId); // the socket is gone: nothing holds the pod's one client slot
            api.engine().awaitStatus(podId, s -> s.status().isFinished(), PodRoutes.PROMPT).onComplete(end -> {
                if (ended) {
                    return;
                }
                if (end.failed()) {
                    close(message("closed", "reason", "the pod's terminal closed, and its end could not be told: "
                            + end.cause().getMessage()), (short) 1011, "the pod's end could not be told");
                    return;
                }
                PodState p = end.result();
                ObjectNode m = Json.mapper().createObjectNode().put("type", "exited");
                if (p.exitCode() != null) {
                    m.put("status", p.exitCode());
                } else {
                    m.putNull("status");
                    m.put("reason", p.lostReason() != null ? p.lostReason() : "pod ended as " + p.status().displayName());
                }
                close(m, (short) 1000, p.exitCode() != null ? "exited with status " + p.exitCode() : "pod ended");
            });
        }

        /** The client closed the WebSocket: detach, the pod runs on. */
        private void detach() {
            if (!ended) {
                ended = true;
                socket.close();
                attached.remove(podId);
            }
        }

        /** Ends the bridge: the END message (if any), the close frame, the unix socket. */
        private void close(ObjectNode end, short code, String reason) {
            if (ended) {
                return;
            }
            ended = true;
            if (end != null) {
                ws.writeBinaryMessage(Buffer.buffer().appendByte(END).appendString(end.toString()));
            }
            ws.close(code, reason);
            socket.close();
            attached.remove(podId);
        }

        private ObjectNode message(String type, String field, String value) {
            return Json.mapper().createObjectNode().put("type", type).put(field, value);
        }
    }
}
