package dev.rkj.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.read.LogRecord;
import dev.rkj.engine.read.LogRecords;
import dev.rkj.engine.read.NoLogException;
import dev.rkj.engine.read.PodLogs;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.kernel.LinuxKernel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/pods/{id}/logs}: what an app of a pod wrote, as {@code rkj logs} shows it (the
 * choice of app, {@code since}, {@code tail} and following are {@link PodLogs}'s). Newline-delimited
 * JSON records by default, the text itself with {@code Accept: text/plain}, one text message per
 * record over a WebSocket. With {@code follow} the stream goes on until the pod's stage1 ends, then
 * ends cleanly (a WebSocket closes with 1000).
 *
 * <p>The log is read on a worker, one batch at a time, and only when the connection can take
 * more: a slow client holds at most the batch in hand here (bounded by the log's size cap), never
 * more; the rest waits on disk. Nothing is dropped for a slow reader: the log is a file.
 */
final class LogRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(LogRoutes.class);
    /** How much text/plain or NDJSON is put in one chunk of the response. */
    static final int CHUNK = 64 * 1024;

    private final ApiContext api;

    LogRoutes(ApiContext api) {
        this.api = api;
    }

    void mount(RouterBuilder builder) {
        builder.getRoute("getPodLogs").addHandler(this::logs);
    }

    private void logs(RoutingContext ctx) {
        String id = ApiContext.path(ctx, "id");
        String app = ApiContext.query(ctx, "app");
        boolean follow = flag(ctx, "follow");
        boolean timestamps = flag(ctx, "timestamps");
        Long tail = ApiContext.queryLong(ctx, "tail");
        String sinceText = ApiContext.query(ctx, "since");
        Instant since;
        try {
            since = sinceText == null ? null : LogRecords.since(sinceText, Instant.now(), ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField("since", "since " + e.getMessage());
        }
        boolean webSocket = "websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"));
        String accept = String.valueOf(ctx.request().getHeader("Accept"));
        boolean text = !webSocket && accept.contains("text/plain") && !accept.contains("application/x-ndjson");
        api.blocking(() -> open(id, app, since, tail == null ? null : tail.intValue(), follow)).onSuccess(logs -> {
            if (webSocket) {
                ctx.request().toWebSocket()
                        .onSuccess(ws -> new Reading(logs, new WebSocketSink(ws, logs.app())).start())
                        .onFailure(e -> {
                            closeQuietly(logs);
                            ctx.fail(e);
                        });
                return;
            }
            new Reading(logs, new ResponseSink(ctx.response(), logs.app(), text, timestamps)).start();
        }).onFailure(ctx::fail);
    }

    private static boolean flag(RoutingContext ctx, String name) {
        RequestParameter p = ApiContext.validated(ctx).getQuery().get(name);
        return p != null && !p.isNull() && p.getBoolean();
    }

    /** The pod's log, on a worker: the failures that can be told before anything is sent become problems. */
    private PodLogs open(String id, String app, Instant since, Integer tail, boolean follow) throws Exception {
        PodState pod = api.engine().pod(id);
        if (pod.status() == PodStatus.DELETED) {
            throw Problem.notFound("no-such-pod", "pod " + pod.podId() + " was removed, and its logs with it");
        }
        PodDir dir = PodDir.of(api.engine().dataDir().resolve(Stage1Host.PODS), pod.podId());
        try {
            return PodLogs.open(LinuxKernel.get(), pod, dir, app, since, tail, follow);
        } catch (NoLogException e) {
            throw switch (e.reason()) {
                case NO_SUCH_APP -> new Problem(404, "no-such-app", "Not found", e.getMessage(), "app");
                case SEVERAL_APPS -> Problem.invalidField("app", e.getMessage() + ": give app=NAME");
                case NOT_RUN, NO_LOG -> Problem.notFound("no-log", e.getMessage());
            };
        }
    }

    private static void closeQuietly(PodLogs logs) {
        try {
            logs.close();
        } catch (IOException e) {
            LOG.debug("closing the log of app {}: {}", logs.app(), e.toString());
        }
    }

    /** A record as JSON: {time, stream, text, app}, and partial:true when the line goes on in the next record. */
    static ObjectNode json(LogRecord r, String app) {
        ObjectNode n = Json.mapper().createObjectNode();
        if (r.isRecord()) {
            n.put("time", r.time().toString());
        }
        n.put("stream", r.stream() == LogRecord.Stream.STDERR ? "stderr" : "stdout");
        n.put("text", r.text());
        n.put("app", app);
        if (r.partial()) {
            n.put("partial", true);
        }
        return n;
    }

    /** Where a reading writes. */
    private interface Sink {
        WriteStream<Buffer> stream();

        void start(Runnable onClose);

        /** Writes records from the head of {@code records} while the stream can take more. */
        void write(Deque<LogRecord> records);

        /** Everything was sent. */
        void end();

        /** The log cannot be read on: the client must not take what it got for the whole. */
        void fail(String reason);
    }

    private static final class ResponseSink implements Sink {
        private final HttpServerResponse response;
        private final String app;
        private final boolean text;
        private final boolean timestamps;
        private final boolean[] atLineStart = {true, true};

        ResponseSink(HttpServerResponse response, String app, boolean text, boolean timestamps) {
            this.response = response;
            this.app = app;
            this.text = text;
            this.timestamps = timestamps;
        }

        public WriteStream<Buffer> stream() {
            return response;
        }

        public void start(Runnable onClose) {
            response.setChunked(true)
                    .putHeader("Content-Type", text ? "text/plain; charset=utf-8" : "application/x-ndjson")
                    .putHeader("Cache-Control", "no-store");
            response.closeHandler(v -> onClose.run());
        }

        public void write(Deque<LogRecord> records) {
            while (!records.isEmpty() && !response.writeQueueFull()) {
                Buffer chunk = Buffer.buffer();
                while (!records.isEmpty() && chunk.length() < CHUNK) {
                    append(chunk, records.poll());
                }
                response.write(chunk);
            }
        }

        /** As {@code rkj logs} prints it, both streams in one: a part without its newline leaves its line open. */
        private void append(Buffer chunk, LogRecord r) {
            if (!text) {
                chunk.appendString(json(r, app).toString()).appendByte((byte) '\n');
                return;
            }
            int s = r.stream().ordinal();
            if (timestamps && atLineStart[s] && r.isRecord()) {
                chunk.appendString(LogRecords.stamp(r.time()) + " ", StandardCharsets.US_ASCII.name());
            }
            chunk.appendBytes(r.content());
            if (!r.partial()) {
                chunk.appendByte((byte) '\n');
            }
            atLineStart[s] = !r.partial();
        }

        public void end() {
            response.end();
        }

        public void fail(String reason) {
            LOG.warn("log of app {} cut: {}", app, reason);
            response.reset();
        }
    }

    private static final class WebSocketSink implements Sink {
        private final ServerWebSocket ws;
        private final String app;

        WebSocketSink(ServerWebSocket ws, String app) {
            this.ws = ws;
            this.app = app;
        }

        public WriteStream<Buffer> stream() {
            return ws;
        }

        public void start(Runnable onClose) {
            ws.closeHandler(v -> onClose.run());
        }

        public void write(Deque<LogRecord> records) {
            while (!records.isEmpty() && !ws.writeQueueFull()) {
                ws.writeTextMessage(json(records.poll(), app).toString());
            }
        }

        public void end() {
            ws.close();
        }

        public void fail(String reason) {
            byte[] b = reason.getBytes(StandardCharsets.UTF_8);
            ws.close((short) 1011, b.length <= 123 ? reason : new String(b, 0, 120, StandardCharsets.UTF_8) + "...");
        }
    }

    /**
     * One client's reading: a batch is read on a worker when the last one was taken by the
     * connection; with nothing new, the next look is {@link PodLogs#FOLLOW_POLL} later. The
     * {@link PodLogs} is touched by one worker at a time, each after the last.
     */
    private final class Reading {
        private final PodLogs logs;
        private final Sink sink;
        private final Deque<LogRecord> pending = new ArrayDeque<>();
        private boolean reading;
        private boolean closed;

        Reading(PodLogs logs, Sink sink) {
            this.logs = logs;
            this.sink = sink;
        }

        void start() {
            sink.start(() -> {
                closed = true;
                if (!reading) {
                    closeQuietly(logs);
                }
            });
            sink.stream().drainHandler(v -> pull());
            pull();
        }

        private void pull() {
            if (closed || reading) {
                return;
            }
            sink.write(pending);
            if (!pending.isEmpty()) {
                return; // the drain handler pulls again
            }
            if (logs.done()) {
                closed = true;
                closeQuietly(logs);
                sink.end();
                return;
            }
            reading = true;
            api.blocking(logs::next).onComplete(next -> {
                reading = false;
                if (closed) {
                    closeQuietly(logs);
                    return;
                }
                if (next.failed()) {
                    closed = true;
                    closeQuietly(logs);
                    sink.fail("cannot read the log of app " + logs.app() + ": " + next.cause().getMessage());
                    return;
                }
                List<LogRecord> records = next.result();
                pending.addAll(records);
                if (records.isEmpty() && !logs.done()) {
                    api.vertx().setTimer(PodLogs.FOLLOW_POLL.toMillis(), t -> pull());
                } else {
                    pull();
                }
            });
        }
    }
}
