package dev.rkj.api.mds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.api.http.Problem;
import dev.rkj.api.http.SocketFiles;
import dev.rkj.engine.mds.MdsKey;
import dev.rkj.engine.mds.MdsRegistry;
import dev.rkj.eventlog.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * The metadata service: every endpoint of ace.md under {@code /<token>/acMetadata/v1}, for the pod
 * registered with that token only.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>path</th><th>method</th><th>answer</th></tr>
 *   <tr><td>pod/annotations</td><td>GET</td><td>application/json: the pod manifest's annotations</td></tr>
 *   <tr><td>pod/manifest</td><td>GET</td><td>application/json: the reified pod manifest</td></tr>
 *   <tr><td>pod/uuid</td><td>GET</td><td>text/plain; charset=us-ascii: the pod's UUID</td></tr>
 *   <tr><td>apps/NAME/annotations</td><td>GET</td><td>application/json: the image's annotations, then the
 *       pod manifest's for the app (which win)</td></tr>
 *   <tr><td>apps/NAME/image/manifest</td><td>GET</td><td>application/json: the image manifest, as stored</td></tr>
 *   <tr><td>apps/NAME/image/id</td><td>GET</td><td>text/plain; charset=us-ascii: the image ID</td></tr>
 *   <tr><td>pod/hmac/sign</td><td>POST</td><td>text/plain; charset=us-ascii: base64 HMAC-SHA512 of the form's
 *       {@code content} by this pod ({@link MdsKey})</td></tr>
 *   <tr><td>pod/hmac/verify</td><td>POST</td><td>200 if the form's {@code signature} is pod {@code uuid}'s of
 *       {@code content}, else 403</td></tr>
 * </table>
 *
 * <p>Every request carries {@code Metadata-Flavor: AppContainer} (as rkt's service required), else
 * 400. A token that is no registered pod's gets 403; an app the pod does not have, 404; another
 * method, 405. Errors are {@code application/problem+json} and never echo the token.
 */
public final class MetadataService {
    /** The header every request carries, and its value. */
    public static final String FLAVOR_HEADER = "Metadata-Flavor";
    public static final String FLAVOR = "AppContainer";
    static final String TEXT = "text/plain; charset=us-ascii";
    static final String JSON = "application/json";
    private static final String PROBLEM = "application/problem+json";
    private static final long MAX_BODY = 1 << 20;

    private final HttpServer unix;
    private final HttpServer tcp;
    private final SocketFiles socket;

    private MetadataService(HttpServer unix, HttpServer tcp, SocketFiles socket) {
        this.unix = unix;
        this.tcp = tcp;
        this.socket = socket;
    }

    /** Where the pods' data is: their registrations, the HMAC key, the image manifests. */
    public record Sources(MdsRegistry registry, MdsKey key, ImageManifests images) {
    }

    /** The stored manifest of an image, as JSON text. */
    @FunctionalInterface
    public interface ImageManifests {
        /** @throws Exception naming the image, if it is not stored (any more) */
        String json(String imageId) throws Exception;
    }

    /**
     * Serves on the unix socket {@code socketPath} (a stale file replaced; mode 0660, root's) and on
     * {@code 127.0.0.1:port} ({@code 0}: any free port, see {@link #port()}); all or nothing.
     */
    public static Future<MetadataService> start(Vertx vertx, Path socketPath, int port, Sources sources) {
        Router router = router(vertx, sources);
        HttpServerOptions options = new HttpServerOptions().setMaxInitialLineLength(8192).setMaxHeaderSize(16384)
                .setHttp2ClearTextEnabled(false);
        SocketFiles socket;
        try {
            socket = SocketFiles.prepare(socketPath, "a metadata service");
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
        return vertx.createHttpServer(options).requestHandler(router)
                .listen(SocketAddress.domainSocketAddress(socketPath.toString()))
                .recover(e -> Future.failedFuture(new IllegalStateException("cannot listen on " + socketPath + ": "
                        + e.getMessage(), e)))
                .compose(unix -> vertx.createHttpServer(options).requestHandler(router)
                        .listen(port, dev.rkj.engine.mds.MdsEndpoint.LOOPBACK)
                        .recover(e -> unix.close().transform(x -> {
                            socket.remove();
                            return Future.failedFuture(new IllegalStateException("cannot listen on "
                                    + dev.rkj.engine.mds.MdsEndpoint.LOOPBACK + ":" + port + ": " + e.getMessage()
                                    + " (is another metadata service running? give another --port)", e));
                        }))
                        .compose(tcp -> vertx.executeBlocking(() -> {
                            socket.restrict(null);
                            return new MetadataService(unix, tcp, socket);
                        }, false).recover(e -> new MetadataService(unix, tcp, socket).shutdown()
                                .transform(x -> Future.failedFuture(e)))));
    }

    /** The TCP port it listens on. */
    public int port() {
        return tcp.actualPort();
    }

    /** Stops listening and removes its socket file. */
    public Future<Void> shutdown() {
        return Future.join(unix.close(), tcp.close()).<Void>mapEmpty().eventually(() -> {
            socket.remove();
            return Future.succeededFuture();
        });
    }

    static Router router(Vertx vertx, Sources sources) {
        Router router = Router.router(vertx);
        Handlers h = new Handlers(vertx, sources);
        router.route("/:token/acMetadata/v1/*").handler(h::flavor);
        router.post("/:token/acMetadata/v1/pod/hmac/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
        get(router, "pod/annotations", h::podAnnotations);
        get(router, "pod/manifest", h::podManifest);
        get(router, "pod/uuid", h::podUuid);
        get(router, "apps/:app/annotations", h::appAnnotations);
        get(router, "apps/:app/image/manifest", h::imageManifest);
        get(router, "apps/:app/image/id", h::imageId);
        router.route("/:token/acMetadata/v1/pod/hmac/sign").method(HttpMethod.POST).handler(h::sign);
        router.route("/:token/acMetadata/v1/pod/hmac/verify").method(HttpMethod.POST).handler(h::verify);
        router.errorHandler(405, ctx -> send(ctx, new Problem(405, "method-not-allowed", "Method not allowed",
                ctx.request().method() + " is not allowed here: the pod's data is read with GET, hmac/sign and"
                        + " hmac/verify take POST", null)));
        router.errorHandler(404, ctx -> send(ctx, notFound()));
        router.errorHandler(500, ctx -> send(ctx, ctx.failure() instanceof Problem p ? p : new Problem(500,
                "internal", "Internal error", ctx.failure() == null ? "the metadata service failed"
                : ctx.failure().getMessage(), null)));
        return router;
    }

    private static void get(Router router, String path, io.vertx.core.Handler<RoutingContext> handler) {
        router.route("/:token/acMetadata/v1/" + path).method(HttpMethod.GET).handler(handler);
    }

    private static Problem notFound() {
        return Problem.notFound("no-such-endpoint", "no such metadata endpoint: see ace.md for"
                + " $AC_METADATA_URL/acMetadata/v1/pod/... and /apps/$AC_APP_NAME/...");
    }

    static void send(RoutingContext ctx, Problem problem) {
        HttpServerResponse response = ctx.response();
        if (response.ended()) {
            return;
        }
        response.setStatusCode(problem.status()).putHeader("Content-Type", PROBLEM)
                .end(problem.toJson(null).toString());
    }

    /** The handlers; every read of files or the image store runs off the event loop. */
    private static final class Handlers {
        private final Vertx vertx;
        private final Sources sources;

        Handlers(Vertx vertx, Sources sources) {
            this.vertx = vertx;
            this.sources = sources;
        }

        void flavor(RoutingContext ctx) {
            if (!FLAVOR.equals(ctx.request().getHeader(FLAVOR_HEADER))) {
                send(ctx, Problem.badRequest("metadata-flavor", "send the header " + FLAVOR_HEADER + ": " + FLAVOR
                        + " with every metadata request"));
                return;
            }
            ctx.next();
        }

        void podAnnotations(RoutingContext ctx) {
            answer(ctx, JSON, () -> {
                JsonNode annotations = manifest(pod(ctx)).path("annotations");
                return annotations.isArray() ? annotations.toString() : "[]";
            });
        }

        void podManifest(RoutingContext ctx) {
            answer(ctx, JSON, () -> manifestText(pod(ctx)));
        }

        void podUuid(RoutingContext ctx) {
            answer(ctx, TEXT, () -> pod(ctx));
        }

        void appAnnotations(RoutingContext ctx) {
            answer(ctx, JSON, () -> {
                JsonNode app = app(ctx);
                Map<String, String> merged = new LinkedHashMap<>();
                annotate(merged, Json.mapper().readTree(image(app)).path("annotations"));
                annotate(merged, app.path("annotations")); // the pod manifest's win (pods.md)
                ArrayNode out = Json.mapper().createArrayNode();
                merged.forEach((name, value) -> out.addObject().put("name", name).put("value", value));
                return out.toString();
            });
        }

        void imageManifest(RoutingContext ctx) {
            answer(ctx, JSON, () -> image(app(ctx)));
        }

        void imageId(RoutingContext ctx) {
            answer(ctx, TEXT, () -> imageIdOf(app(ctx)));
        }

        void sign(RoutingContext ctx) {
            answer(ctx, TEXT, () -> {
                String pod = pod(ctx);
                return sources.key().sign(UUID.fromString(pod), form(ctx, "content").getBytes(StandardCharsets.UTF_8));
            });
        }

        void verify(RoutingContext ctx) {
            answer(ctx, TEXT, () -> {
                pod(ctx); // only registered pods may ask
                String content = form(ctx, "content");
                String signature = form(ctx, "signature");
                String uuid = form(ctx, "uuid");
                UUID signer;
                try {
                    signer = UUID.fromString(uuid);
                } catch (IllegalArgumentException e) {
                    throw Problem.invalidField("uuid", "uuid `" + uuid + "` is not a pod UUID (canonical form)");
                }
                if (!sources.key().verify(signer, content.getBytes(StandardCharsets.UTF_8), signature)) {
                    throw new Problem(403, "bad-signature", "Forbidden", "the signature is not pod " + signer
                            + "'s signature of this content", null);
                }
                return "";
            });
        }

        /** Runs {@code body} off the event loop and answers with its text, or with its problem. */
        private void answer(RoutingContext ctx, String type, Callable<String> body) {
            vertx.executeBlocking(body, false).onComplete(ar -> {
                if (ar.succeeded()) {
                    ctx.response().putHeader("Content-Type", type).end(ar.result());
                } else if (ar.cause() instanceof Problem p) {
                    send(ctx, p);
                } else {
                    ctx.fail(500, ar.cause());
                }
            });
        }

        /** The UUID of the pod the request's token is of. */
        private String pod(RoutingContext ctx) throws IOException {
            return sources.registry().podOf(ctx.pathParam("token")).orElseThrow(() -> new Problem(403, "unknown-token",
                    "Forbidden", "this metadata URL is no registered pod's: use the AC_METADATA_URL the pod was given",
                    null));
        }

        private String manifestText(String pod) throws IOException {
            try {
                return Files.readString(sources.registry().podDir(pod).manifest(), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw Problem.notFound("no-pod-manifest", "pod " + pod + " has no pod manifest any more");
            }
        }

        private JsonNode manifest(String pod) throws IOException {
            return Json.mapper().readTree(manifestText(pod));
        }

        /** The pod manifest's entry of the request's app. */
        private JsonNode app(RoutingContext ctx) throws IOException {
            String pod = pod(ctx);
            String name = ctx.pathParam("app");
            for (JsonNode app : manifest(pod).path("apps")) {
                if (name.equals(app.path("name").asText(null))) {
                    return app;
                }
            }
            throw Problem.notFound("no-such-app", "pod " + pod + " has no app `" + name + "`: use $AC_APP_NAME");
        }

        private static String imageIdOf(JsonNode app) {
            String id = app.path("image").path("id").asText("");
            if (id.isEmpty()) {
                throw Problem.notFound("no-image-id", "app `" + app.path("name").asText() + "` has no image id in its"
                        + " pod manifest");
            }
            return id;
        }

        private String image(JsonNode app) {
            String id = imageIdOf(app);
            try {
                return sources.images().json(id);
            } catch (Exception e) {
                throw Problem.notFound("no-image", "the image " + id + " of app `" + app.path("name").asText()
                        + "` is not stored any more: " + e.getMessage());
            }
        }

        private static void annotate(Map<String, String> into, JsonNode annotations) {
            for (JsonNode a : annotations) {
                if (a instanceof ObjectNode && a.hasNonNull("name")) {
                    into.put(a.get("name").asText(), a.path("value").asText(""));
                }
            }
        }

        private static String form(RoutingContext ctx, String field) {
            String value = ctx.request().getFormAttribute(field);
            if (value == null || value.isEmpty()) {
                throw Problem.invalidField(field, "post a form (application/x-www-form-urlencoded) with `" + field
                        + "`, as ace.md's hmac endpoints take");
            }
            return value;
        }
    }
}
