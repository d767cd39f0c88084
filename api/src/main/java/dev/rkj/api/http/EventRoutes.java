package dev.rkj.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.read.EventFeed;
import dev.rkj.engine.snapshot.Snapshots;
import dev.rkj.eventlog.JournalPruned;
import dev.rkj.eventlog.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code GET /v1/events}: the journal as a stream of newline-delimited JSON, each event with the
 * state its pod or image was left in ({@link EventFeed}). It opens at once with
 * {@code {"type":"subscribed","index":N}} (N: the last index the cursor covers), replays what came
 * after {@code after}, then follows live; while nothing the filter keeps comes, a heartbeat
 * {@code {"type":"heartbeat","index":N}} every {@link #HEARTBEAT_MILLIS} ms carries the cursor on.
 * A subscriber that comes back with the last index it saw gets every later event exactly once, in
 * journal order, across disconnects and daemon restarts.
 *
 * <p>Over a WebSocket (a GET with {@code Upgrade: websocket}) each event and control message is one
 * text message; a subscription that cannot open is closed with status 1008 and the reason.
 *
 * <p>With {@code Accept: text/event-stream} the same stream is Server-Sent Events: each event's
 * {@code id} is its index, so a browser's EventSource resumes by itself ({@code Last-Event-ID}
 * stands for {@code after}); the control lines are the events {@code subscribed}, {@code heartbeat}
 * and {@code closed}.
 *
 * <p>The subscriber reads at its own pace: the feed is pulled when the connection can take more,
 * so a slow one never holds an append or buffers more than one batch here. One whose connection
 * takes nothing for {@link #STALL_MILLIS} ms is closed with
 * {@code {"type":"closed","reason":...,"index":N}}, N its last delivered index, to resume from.
 */
final class EventRoutes {
    static final int BATCH = 256;
    static final long IDLE_POLL_MILLIS = 20;
    static final long HEARTBEAT_MILLIS = 5_000;
    static final long STALL_MILLIS = 60_000;

    private final ApiContext api;

    EventRoutes(ApiContext api) {
        this.api = api;
    }

    void mount(RouterBuilder builder) {
        builder.getRoute("streamEvents").addHandler(this::subscribe);
    }

    private void subscribe(RoutingContext ctx) {
        boolean sse = String.valueOf(ctx.request().getHeader("Accept")).contains("text/event-stream");
        Long after = ApiContext.queryLong(ctx, "after");
        String lastEventId = ctx.request().getHeader("Last-Event-ID");
        if (after == null && lastEventId != null) {
            try {
                after = Long.parseLong(lastEventId.strip());
            } catch (NumberFormatException e) {
                throw Problem.invalidField("Last-Event-ID", "Last-Event-ID \"" + lastEventId
                        + "\" is not a journal index: give the id of the last event received");
            }
        }
        Long cursor = after;
        String aggregate = ApiContext.query(ctx, "aggregate");
        String types = ApiContext.query(ctx, "type");
        EventFeed.Filter filter = new EventFeed.Filter(Optional.ofNullable(aggregate),
                types == null ? Set.of() : Set.copyOf(Arrays.asList(types.split(","))));
        Callable<EventFeed> open = () -> {
            long last = api.journal().nextIndex() - 1;
            if (cursor != null && cursor < -1) {
                throw Problem.invalidField("after", "after " + cursor + " is not a journal index: give 0 or more, or -1 for every event");
            }
            if (cursor != null && cursor > last) {
                throw Problem.invalidField("after", "after " + cursor + " is beyond the journal's last index (" + last
                        + "): give an index a subscription delivered, or -1 for every event");
            }
            try {
                return new EventFeed(api.journal(), cursor == null ? last : cursor, filter,
                        Snapshots.in(api.engine().dataDir()));
            } catch (JournalPruned pruned) {
                throw Problem.gone("cursor-pruned", "after " + cursor + " is older than the journal keeps: the events"
                        + " before " + pruned.firstIndex() + " were pruned; resubscribe with after="
                        + (pruned.firstIndex() - 1) + " (and refetch the state you hold)", "after", pruned.firstIndex());
            }
        };
        if (ctx.request().canUpgradeToWebSocket()) { // as ApiServer's body handler decides
            refuseABadHandshake(ctx);
            ctx.request().toWebSocket().onSuccess(ws -> api.blocking(open)
                    .onSuccess(feed -> new Subscription(ctx.vertx(), feed, Sink.of(ws)).start())
                    .onFailure(e -> ws.close((short) 1008, closeReason(e))))
                    .onFailure(ctx::fail);
            return;
        }
        api.blocking(open).onSuccess(feed -> new Subscription(ctx.vertx(), feed, Sink.of(ctx.response(), sse)).start())
                .onFailure(ctx::fail);
    }

    /**
     * A handshake the WebSocket codec would refuse with a bare 400 of its own: refused here as a
     * problem instead (RFC 6455: a version other than 13 is a 426 naming the one spoken).
     */
    private static void refuseABadHandshake(RoutingContext ctx) {
        if (!"websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade").strip())) {
            throw Problem.invalidField("Upgrade", "Upgrade \"" + ctx.request().getHeader("Upgrade")
                    + "\" is not a WebSocket upgrade: send Upgrade: websocket");
        }
        String version = ctx.request().getHeader("Sec-WebSocket-Version");
        if (!"13".equals(version == null ? null : version.strip())) {
            ctx.response().putHeader("Sec-WebSocket-Version", "13");
            throw new Problem(426, "websocket-version", "Upgrade required", "Sec-WebSocket-Version "
                    + (version == null ? "is missing" : "\"" + version + "\" is not spoken here") + ": send 13",
                    "Sec-WebSocket-Version");
        }
        String key = ctx.request().getHeader("Sec-WebSocket-Key");
        if (key == null || !key.strip().matches("[A-Za-z0-9+/]{22}==")) {
            throw Problem.invalidField("Sec-WebSocket-Key", "Sec-WebSocket-Key " + (key == null ? "is missing"
                    : "is not 16 bytes in base64") + ": send a fresh random 16-byte value, base64-encoded");
        }
    }

    /** A close frame's reason holds at most 123 bytes. */
    private static String closeReason(Throwable e) {
        if (e instanceof Problem p && p.oldestIndex() != null) {
            return "cursor pruned: the oldest index kept is " + p.oldestIndex();
        }
        String why = e instanceof Problem p ? p.getMessage() : "cannot subscribe";
        return why.length() > 120 ? why.substring(0, 117) + "..." : why;
    }

    /**
     * Where a subscription writes: the chunked HTTP response (NDJSON lines or SSE events) or a
     * WebSocket (one text message an event).
     */
    private interface Sink {
        void start();

        /** An event's JSON ({@code index} its journal index) or a control message ({@code index} -1). */
        void write(ObjectNode n, long index);

        WriteStream<Buffer> stream();

        void onClose(Runnable closed);

        void end();

        static Sink of(HttpServerResponse response, boolean sse) {
            return new Sink() {
                public void start() {
                    response.setChunked(true).putHeader("Content-Type", sse ? "text/event-stream" : "application/x-ndjson")
                            .putHeader("Cache-Control", "no-store");
                }

                /** An event's id is its index; a control line is an event of its type. */
                public void write(ObjectNode n, long index) {
                    String json = n.toString();
                    response.write(!sse ? json + "\n"
                            : index >= 0 ? "id: " + index + "\ndata: " + json + "\n\n"
                            : "event: " + n.get("type").asText() + "\ndata: " + json + "\n\n");
                }

                public WriteStream<Buffer> stream() {
                    return response;
                }

                public void onClose(Runnable closed) {
                    response.closeHandler(v -> closed.run());
                }

                public void end() {
                    response.end();
                }
            };
        }

        static Sink of(ServerWebSocket ws) {
            return new Sink() {
                public void start() {
                }

                public void write(ObjectNode n, long index) {
                    ws.writeTextMessage(n.toString());
                }

                public WriteStream<Buffer> stream() {
                    return ws;
                }

                public void onClose(Runnable closed) {
                    if (ws.isClosed()) { // gone while the subscription opened
                        closed.run();
                    } else {
                        ws.closeHandler(v -> closed.run());
                    }
                }

                public void end() {
                    ws.close();
                }
            };
        }
    }



    /** One subscriber's stream: pulls the feed on a worker when the connection can take more. */
    private final class Subscription {
        private final Vertx vertx;
        private final EventFeed feed;
        private final Sink sink;
        private long delivered;
        private long lastWrite = System.currentTimeMillis();
        private long fullSince = -1;
        private boolean closed;
        private volatile long cursor; // feed.lastScanned(), for the lag metric (read by a scrape's thread)
        private Runnable counted;

        Subscription(Vertx vertx, EventFeed feed, Sink sink) {
            this.vertx = vertx;
            this.sink = sink;
            this.feed = feed;
            this.delivered = feed.lastScanned();
        }

        void start() {
            sink.start();
            cursor = feed.lastScanned();
            counted = api.metrics().subscriber(() -> cursor);
            sink.onClose(() -> {
                closed = true;
                uncount();
            });
            control("subscribed", "index", feed.lastScanned());
            pull();
        }

        private void pull() {
            if (closed) {
                return;
            }
            if (sink.stream().writeQueueFull()) {
                if (fullSince < 0) {
                    fullSince = System.currentTimeMillis();
                    sink.stream().drainHandler(v -> {
                        fullSince = -1;
                        pull();
                    });
                    vertx.setTimer(STALL_MILLIS, t -> stalled());
                }
                return;
            }
            api.blocking(() -> feed.poll(BATCH)).onComplete(polled -> {
                if (closed) {
                    return;
                }
                if (polled.failed()) {
                    end("the journal cannot be read: " + polled.cause().getMessage());
                    return;
                }
                List<EventFeed.Item> items = polled.result();
                for (EventFeed.Item item : items) {
                    write(JsonViews.event(item), item.envelope().index());
                    delivered = item.envelope().index();
                }
                cursor = feed.lastScanned();
                api.blocking(feed::caughtUp).onComplete(caughtUp -> {
                    if (!caughtUp.succeeded() || !caughtUp.result()) {
                        pull();
                        return;
                    }
                    if (System.currentTimeMillis() - lastWrite >= HEARTBEAT_MILLIS) {
                        control("heartbeat", "index", feed.lastScanned());
                    }
                    vertx.setTimer(IDLE_POLL_MILLIS, t -> pull());
                });
            });
        }

        private void stalled() {
            if (!closed && fullSince >= 0 && System.currentTimeMillis() - fullSince >= STALL_MILLIS) {
                end("the subscriber took nothing for " + STALL_MILLIS / 1000 + " s: resume with after=" + delivered);
            }
        }

        private void end(String reason) {
            ObjectNode n = Json.mapper().createObjectNode();
            n.put("type", "closed");
            n.put("reason", reason);
            n.put("index", delivered);
            write(n, -1);
            closed = true;
            uncount();
            sink.end();
        }

        private void uncount() {
            counted.run();
        }

        private void control(String type, String field, long index) {
            ObjectNode n = Json.mapper().createObjectNode();
            n.put("type", type);
            n.put(field, index);
            write(n, -1);
        }

        private void write(ObjectNode n, long index) {
            sink.write(n, index);
            lastWrite = System.currentTimeMillis();
        }
    }
}
