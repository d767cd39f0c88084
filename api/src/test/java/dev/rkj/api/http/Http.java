package dev.rkj.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.eventlog.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real HTTP client of the daemon over its unix socket (Vert.x's client), blocking for tests. */
final class Http implements AutoCloseable {
    record Reply(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + body;
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = vertx.createHttpClient(new HttpClientOptions());
    private final SocketAddress socket;

    Http(Path socket) {
        this.socket = SocketAddress.domainSocketAddress(socket.toString());
    }

    Reply get(String uri) {
        return send(HttpMethod.GET, uri, null, null);
    }

    Reply post(String uri, String json) {
        return send(HttpMethod.POST, uri, json, "application/json");
    }

    Reply delete(String uri) {
        return send(HttpMethod.DELETE, uri, null, null);
    }

    Reply send(HttpMethod method, String uri, String body, String contentType) {
        return send(method, uri, body, contentType, 180);
    }

    /** As {@link #send(HttpMethod, String, String, String)}, failing after {@code seconds} without an answer. */
    Reply send(HttpMethod method, String uri, String body, String contentType, int seconds) {
        RequestOptions options = new RequestOptions().setServer(socket).setHost("rkj").setMethod(method).setURI(uri);
        if (contentType != null) {
            options.putHeader("Content-Type", contentType);
        }
        try {
            return client.request(options)
                    .compose(req -> (body == null ? req.send() : req.send(Buffer.buffer(body)))
                            .compose(res -> res.body().map(b -> new Reply(res.statusCode(),
                                    res.getHeader("Content-Type"), b.toString()))))
                    .toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(method + " " + (uri.length() > 200 ? uri.substring(0, 200) + "..." : uri)
                    + " [" + contentType + "] " + (body == null ? "" : body.substring(0, Math.min(200, body.length())))
                    + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
