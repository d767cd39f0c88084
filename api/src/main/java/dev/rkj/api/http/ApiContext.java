package dev.rkj.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.Engine;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.eventlog.Journal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.concurrent.Callable;

/**
 * What the API's handlers share: the warm engine, its image store and journal (the same objects the
 * CLI opens), the daemon's metrics, and the helpers that keep blocking work off the event loop and
 * answer in JSON.
 */
record ApiContext(Vertx vertx, Engine engine, ImageStore images, Journal journal, DaemonMetrics metrics,
                  dev.rkj.engine.trust.TrustStore trust) {
    /** Runs {@code work} on a worker thread (it may touch files, the journal, the store). */
    <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    /** Runs {@code start} on a worker thread, then follows the future it returns (an engine call that appends). */
    <T> Future<T> blockingThen(Callable<Future<T>> start) {
        return vertx.executeBlocking(start, false).compose(f -> f);
    }

    static void json(RoutingContext ctx, int status, JsonNode body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    static void noContent(RoutingContext ctx) {
        ctx.response().setStatusCode(204).end();
    }

    static ValidatedRequest validated(RoutingContext ctx) {
        return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    }

    static String path(RoutingContext ctx, String name) {
        return validated(ctx).getPathParameters().get(name).getString();
    }

    /** A query parameter as a string, or null when absent. */
    static String query(RoutingContext ctx, String name) {
        RequestParameter p = validated(ctx).getQuery().get(name);
        return p == null || p.isNull() ? null : p.get().toString();
    }

    /** An integer query parameter, or null when absent; one beyond a long is the client's to fix, not a wrapped number. */
    static Long queryLong(RoutingContext ctx, String name) {
        RequestParameter p = validated(ctx).getQuery().get(name);
        if (p == null || p.isNull()) {
            return null;
        }
        java.math.BigDecimal value = new java.math.BigDecimal(p.get().toString());
        try {
            return value.longValueExact();
        } catch (ArithmeticException e) {
            throw Problem.invalidField(name, name + " " + p.get() + " is not a journal-sized integer: give one from "
                    + Long.MIN_VALUE + " to " + Long.MAX_VALUE);
        }
    }

    /** The validated JSON body; an empty object when the operation's body is optional and none came. */
    static JsonObject body(RoutingContext ctx) {
        RequestParameter body = validated(ctx).getBody();
        return body == null || body.isNull() ? new JsonObject() : body.getJsonObject();
    }
}
