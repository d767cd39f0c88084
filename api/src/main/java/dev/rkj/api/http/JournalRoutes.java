package dev.rkj.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Json;
import dev.rkj.eventlog.VerifyResult;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * {@code /v1/journal}: pages of the journal in index order, filtered as {@code rkj journal show}
 * filters, and its verification. The index is the cursor: {@code next} is where the next page
 * starts, whatever the filter skipped.
 */
final class JournalRoutes {
    static final int DEFAULT_LIMIT = 100;

    private final ApiContext api;

    JournalRoutes(ApiContext api) {
        this.api = api;
    }

    void mount(RouterBuilder builder) {
        builder.getRoute("readJournal").addHandler(this::page);
        builder.getRoute("verifyJournal").addHandler(this::verify);
    }

    /** Ends a replay early; carries no stack. */
    private static final class PageFull extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PageFull() {
            super(null, null, false, false);
        }
    }

    private void page(RoutingContext ctx) {
        String aggregate = ApiContext.query(ctx, "aggregate");
        String type = ApiContext.query(ctx, "type");
        Long fromParam = ApiContext.queryLong(ctx, "from");
        Long to = ApiContext.queryLong(ctx, "to");
        Long limitParam = ApiContext.queryLong(ctx, "limit");
        long from = fromParam == null ? 0 : fromParam;
        int limit = limitParam == null ? DEFAULT_LIMIT : limitParam.intValue();
        if (to != null && to < from) {
            throw Problem.invalidField("to", "to " + to + " is before from " + from + ": give to >= from");
        }
        api.blocking(() -> {
            long end = api.journal().nextIndex();
            long first = api.journal().firstIndex(); // a pruned journal starts later than 0
            if (fromParam != null && from < first) {
                throw Problem.gone("journal-pruned", "from " + from + " was pruned: the journal starts at index " + first
                        + "; ask from " + first + " or later", "from", first);
            }
            long start = Math.max(from, first);
            ArrayNode events = Json.mapper().createArrayNode();
            long[] next = {start};
            if (start < end) {
                try {
                    api.journal().replay(start, e -> {
                        if (to != null && e.index() > to || events.size() >= limit) {
                            throw new PageFull();
                        }
                        next[0] = e.index() + 1;
                        if (selected(e, aggregate, type)) {
                            events.add(JsonViews.envelope(e));
                        }
                    });
                } catch (PageFull full) {
                    // the page is full, or past `to`: next already says where to go on
                }
            }
            ObjectNode page = Json.mapper().createObjectNode();
            page.set("events", events);
            page.put("next", next[0]);
            page.put("end", end);
            return page;
        }).onSuccess(page -> ApiContext.json(ctx, 200, page)).onFailure(ctx::fail);
    }

    /** As {@code rkj journal show --aggregate --type}: an id prefix; a wire type with or without its version. */
    static boolean selected(Envelope e, String aggregate, String type) {
        if (aggregate != null && !e.aggregateId().startsWith(aggregate)) {
            return false;
        }
        if (type != null) {
            String wire = e.type().toString();
            return type.contains("/") ? wire.equals(type) : e.type().name().equals(type);
        }
        return true;
    }

    private void verify(RoutingContext ctx) {
        api.blocking(() -> {
            VerifyResult result = api.journal().verify();
            ObjectNode n = Json.mapper().createObjectNode();
            n.put("ok", result.ok());
            n.put("checked", result.checked());
            result.firstBrokenIndex().ifPresent(i -> n.put("first_broken_index", i));
            if (!result.ok()) {
                n.put("problem", result.problem());
            }
            return n;
        }).onSuccess(n -> ApiContext.json(ctx, 200, n)).onFailure(ctx::fail);
    }
}
