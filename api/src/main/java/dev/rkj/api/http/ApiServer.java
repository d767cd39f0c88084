package dev.rkj.api.http;

import dev.rkj.engine.Engine;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.eventlog.Journal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The REST API of {@code rkj daemon}: a router built from {@code openapi.json} (so every request is
 * validated against it before a handler sees it) over the engine, its image store and its journal,
 * served on a unix socket or, with a bearer token, on TCP.
 *
 * <p>Seams for what comes next: a route group is a class with {@code mount(RouterBuilder)} (events,
 * logs and attach join {@link PodRoutes} and friends); {@link #router()} takes plain Vert.x Web
 * routes too (metrics at {@code /metrics}, outside {@code /v1}).
 */
public final class ApiServer implements AutoCloseable {
    /** The largest request body accepted (413 beyond it). */
    public static final long BODY_LIMIT = 1 << 20;
    static final String CONTRACT = "dev/rkj/api/http/openapi.json";

    private final HttpServer server;
    private final Router router;
    private final Listen listen;
    private final SocketFiles socket;

    private ApiServer(HttpServer server, Router router, Listen listen, SocketFiles socket) {
        this.server = server;
        this.router = router;
        this.listen = listen;
        this.socket = socket;
    }

    /** The OpenAPI document, as shipped in the jar. */
    public static String contract() {
        try (InputStream in = ApiServer.class.getClassLoader().getResourceAsStream(CONTRACT)) {
            if (in == null) {
                throw new IllegalStateException(CONTRACT + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Builds the router and listens. Fails, with a message naming the address, if it is taken (for a
     * socket: if a daemon answers on it; a stale socket file is replaced).
     */
    public static Future<ApiServer> start(Engine engine, ImageStore images, Journal journal, Listen listen) {
        return start(engine, images, journal, listen, DaemonMetrics.create());
    }

    /**
     * {@link #start(Engine, ImageStore, Journal, Listen)}, reporting into {@code metrics} (served at
     * {@code /metrics}; several servers of one daemon share them).
     */
    public static Future<ApiServer> start(Engine engine, ImageStore images, Journal journal, Listen listen,
                                          DaemonMetrics metrics) {
        return start(engine, images, journal, listen, metrics, Dashboard.ephemeral());
    }

    /**
     * {@link #start(Engine, ImageStore, Journal, Listen, DaemonMetrics)}, with the web dashboard's logins and
     * sessions in {@code dashboard} (several servers of one daemon share it: the socket mints, TCP admits).
     */
    public static Future<ApiServer> start(Engine engine, ImageStore images, Journal journal, Listen listen,
                                          DaemonMetrics metrics, Dashboard dashboard) {
        return start(engine, images, journal, listen, metrics, dashboard,
                dev.rkj.engine.host.HostEngine.defaultTrust(images.directory().getParent()));
    }

    /**
     * {@link #start(Engine, ImageStore, Journal, Listen, DaemonMetrics, Dashboard)}, fetching images only when a
     * key of {@code trust} signed them.
     */
    public static Future<ApiServer> start(Engine engine, ImageStore images, Journal journal, Listen listen,
                                          DaemonMetrics metrics, Dashboard dashboard,
                                          dev.rkj.engine.trust.TrustStore trust) {
        Vertx vertx = engine.vertx();
        try {
            metrics.bind(engine, journal);
        } catch (IllegalStateException e) {
            return Future.failedFuture(e);
        }
        ApiContext api = new ApiContext(vertx, engine, images, journal, metrics, trust);
        String document = contract();
        return OpenAPIContract.from(vertx, forTheRouter(document)).compose(contract -> {
            RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
            if (listen instanceof Listen.Tcp tcp) { // first: Vert.x takes no authentication after a handler of ours
                builder.rootHandler(tcp.token().handler(dashboard));
            }
            BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
            builder.rootHandler(ctx -> { // a WebSocket upgrade has no body, and one read could not be upgraded
                if (ctx.request().canUpgradeToWebSocket()) { // a GET only: any other's body is read, or the connection desyncs
                    ctx.request().pause(); // unread until the route upgrades it
                    ctx.next();
                } else {
                    body.handle(ctx);
                }
            });
            builder.getRoute("getOpenApi").addHandler(ctx -> ctx.response()
                    .putHeader("Content-Type", "application/json").end(document));
            new PodRoutes(api).mount(builder);
            new ImageRoutes(api).mount(builder);
            new JournalRoutes(api).mount(builder);
            new EventRoutes(api).mount(builder);
            new LogRoutes(api).mount(builder);
            new AttachRoutes(api).mount(builder);
            Router router = builder.createRouter();
            router.get("/metrics").handler(metrics::scrape);
            dashboard.mount(router);
            router.route().failureHandler(Problems::handle);
            for (int status : new int[] {400, 401, 404, 405, 406, 413, 415}) {
                router.errorHandler(status, ctx -> Problems.send(ctx, Problems.of(ctx.failure(), status)));
            }
            router.errorHandler(500, Problems::handle);
            return listen(vertx, router, listen);
        });
    }

    /**
     * The document as the router reads it: the same, but for the response media types vertx-openapi
     * 5.0 refuses in a contract, {@code application/problem+json} of errors and
     * {@code application/x-ndjson} of the event stream and of logs (it validates requests only; responses are
     * ours, so nothing is lost).
     */
    static JsonObject forTheRouter(String document) {
        JsonObject contract = new JsonObject(document);
        contract.getJsonObject("components").getJsonObject("responses").getJsonObject("Problem").remove("content");
        contract.getJsonObject("paths").getJsonObject("/v1/events").getJsonObject("get").getJsonObject("responses")
                .getJsonObject("200").remove("content");
        contract.getJsonObject("paths").getJsonObject("/v1/pods/{id}/logs").getJsonObject("get").getJsonObject("responses")
                .getJsonObject("200").remove("content");
        return contract;
    }

    private static Future<ApiServer> listen(Vertx vertx, Router router, Listen listen) {
        // HTTP/1.1 only, no h2c upgrade: Vert.x's h2c answers a bad HTTP2-Settings header with a 400 that
        // neither ends nor closes (found by the fuzz test), and an answer that closes its connection
        // (Problems.send) would cut an upgraded HTTP/2 connection's other streams. None of ours needs h2c.
        HttpServerOptions options = new HttpServerOptions().setMaxInitialLineLength(8192).setMaxHeaderSize(16384)
                .setHttp2ClearTextEnabled(false);
        if (listen instanceof Listen.UnixSocket unix) {
            SocketFiles socket;
            try {
                socket = unix.fromSystemd() ? null : SocketFiles.prepare(unix.path()); // systemd's file: left as it is
            } catch (IllegalStateException e) {
                return Future.failedFuture(e);
            }
            return vertx.createHttpServer(options).requestHandler(router).invalidRequestHandler(Problems::invalidRequest)
                    .listen(SocketAddress.domainSocketAddress(unix.path().toString()))
                    .recover(e -> Future.failedFuture(new IllegalStateException("cannot listen on " + unix.path()
                            + ": " + e.getMessage(), e)))
                    .compose(server -> vertx.executeBlocking(() -> {
                        if (socket != null) {
                            socket.restrict(unix.group());
                        }
                        return new ApiServer(server, router, listen, socket);
                    }, false).recover(e -> server.close().transform(x -> Future.failedFuture(e))));
        }
        Listen.Tcp tcp = (Listen.Tcp) listen;
        return vertx.createHttpServer(options).requestHandler(router).invalidRequestHandler(Problems::invalidRequest)
                .listen(tcp.port(), tcp.host())
                .recover(e -> Future.failedFuture(new IllegalStateException("cannot listen on " + tcp + ": "
                        + e.getMessage(), e)))
                .map(server -> new ApiServer(server, router, listen, null));
    }

    /** The router: for routes outside the OpenAPI document (metrics). */
    public Router router() {
        return router;
    }

    public Listen listen() {
        return listen;
    }

    /** The TCP port it listens on (for {@code --listen HOST:0}); -1 on a socket. */
    public int port() {
        return listen instanceof Listen.Tcp ? server.actualPort() : -1;
    }

    /** Stops listening and removes its socket file; requests under way are cut. Pods are not touched. */
    public Future<Void> shutdown() {
        return server.close().eventually(() -> {
            if (socket != null) {
                socket.remove();
            }
            return Future.succeededFuture();
        });
    }

    @Override
    public void close() {
        shutdown().toCompletionStage().toCompletableFuture().join();
    }
}
