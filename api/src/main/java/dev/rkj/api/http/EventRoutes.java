package dev.rkj.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.read.EventFeed;
import dev.rkj.eventlog.Json;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /v1/events}: the journal as a stream of newline-delimited JSON, each event with the
 * state its pod or image was left in ({@link EventFeed}). It opens at once with
 * {@code {"type":"subscribed","index":N}} (N: the last index the cursor covers), replays what came
 * after {@code after}, then follows live; while nothing the filter keeps comes, a heartbeat
 * {@code {"type":"heartbeat","index":N}} every {@link #HEARTBEAT_MILLIS} ms carries the cursor on.
 * A subscriber that comes back with the last index it saw gets every later event exactly once, in
 * journal order, across disconnects and daemon restarts.
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
        api.blocking(() -> {
            long last = api.journal().nextIndex() - 1;
            if (cursor != null && cursor < -1) {
                throw Problem.invalidField("after", "after " + cursor + " is not a journal index: give 0 or more, or -1 for every event");
            }
            if (cursor != null && cursor > last) {
                throw Problem.invalidField("after", "after " + cursor + " is beyond the journal's last index (" + last
                        + "): give an index a subscription delivered, or -1 for every event");
            }
            return new EventFeed(api.journal(), cursor == null ? last : cursor, filter);
        }).onSuccess(feed -> new Subscription(ctx, feed, sse).start()).onFailure(ctx::fail);
    }

    /** One subscriber's stream: pulls the feed on a worker when the connection can take more. */
    private final class Subscription {
        private final RoutingContext ctx;
        private final HttpServerResponse response;
        private final EventFeed feed;
        private final boolean sse;
        private long delivered;
        private long lastWrite = System.currentTimeMillis();
        private long fullSince = -1;
        private boolean closed;

        Subscription(RoutingContext ctx, EventFeed feed, boolean sse) {
            this.ctx = ctx;
            this.sse = sse;
            this.response = ctx.response();
            this.feed = feed;
            this.delivered = feed.lastScanned();
        }

        void start() {
            response.setChunked(true).putHeader("Content-Type", sse ? "text/event-stream" : "application/x-ndjson")
                    .putHeader("Cache-Control", "no-store");
            response.closeHandler(v -> closed = true);
            control("subscribed", "index", feed.lastScanned());
            pull();
        }

        private void pull() {
            if (closed) {
                return;
            }
            if (response.writeQueueFull()) {
                if (fullSince < 0) {
                    fullSince = System.currentTimeMillis();
                    response.drainHandler(v -> {
                        fullSince = -1;
                        pull();
                    });
                    ctx.vertx().setTimer(STALL_MILLIS, t -> stalled());
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
                api.blocking(feed::caughtUp).onComplete(caughtUp -> {
                    if (!caughtUp.succeeded() || !caughtUp.result()) {
                        pull();
                        return;
                    }
                    if (System.currentTimeMillis() - lastWrite >= HEARTBEAT_MILLIS) {
                        control("heartbeat", "index", feed.lastScanned());
                    }
                    ctx.vertx().setTimer(IDLE_POLL_MILLIS, t -> pull());
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
            response.end();
        }

        private void control(String type, String field, long index) {
            ObjectNode n = Json.mapper().createObjectNode();
            n.put("type", type);
            n.put(field, index);
            write(n, -1);
        }

        /** One line of NDJSON, or one SSE event: an event's id is its index; a control line is an event of its type. */
        private void write(ObjectNode n, long index) {
            String json = n.toString();
            response.write(!sse ? json + "\n"
                    : index >= 0 ? "id: " + index + "\ndata: " + json + "\n\n"
                    : "event: " + n.get("type").asText() + "\ndata: " + json + "\n\n");
            lastWrite = System.currentTimeMillis();
        }
    }
}
