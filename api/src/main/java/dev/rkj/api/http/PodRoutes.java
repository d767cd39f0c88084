package dev.rkj.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.Durations;
import dev.rkj.engine.Engine;
import dev.rkj.engine.Grantor;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.stage.GcReport;
import dev.rkj.eventlog.Json;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * {@code /v1/pods}: the pod commands of the CLI over HTTP, calling the same {@link Engine} methods
 * with the same {@link dev.rkj.engine.pod.PodSpec}. Handlers return as soon as what was asked is
 * recorded (a created pod's launch is followed with GET, or later with the event stream).
 */
final class PodRoutes {
    /** How long a request waits for the engine to record something that happens at once (as the CLI). */
    static final Duration PROMPT = Duration.ofMinutes(2);

    private final ApiContext api;

    PodRoutes(ApiContext api) {
        this.api = api;
    }

    void mount(RouterBuilder builder) {
        builder.getRoute("createPod").addHandler(this::create);
        builder.getRoute("listPods").addHandler(this::list);
        builder.getRoute("getPod").addHandler(this::get);
        builder.getRoute("startPod").addHandler(this::start);
        builder.getRoute("stopPod").addHandler(this::stop);
        builder.getRoute("removePod").addHandler(this::remove);
        builder.getRoute("gcPods").addHandler(this::gc);
    }

    private Engine engine() {
        return api.engine();
    }

    private void create(RoutingContext ctx) {
        PodRequest request = PodRequest.from(ApiContext.body(ctx));
        Grantor grantor = Caller.of(ctx).grantor();
        api.blocking(() -> {
                    for (var app : request.spec().apps()) {
                        refuseAnImageNotInTheStore(app.imageRef());
                    }
                    try {
                        dev.rkj.engine.net.NetworkConfigs.of(engine().dataDir()).requireKnown(request.spec().networking());
                    } catch (IllegalArgumentException e) {
                        throw Problem.invalidField("net", e.getMessage());
                    }
                    return null;
                })
                .compose(v -> api.blockingThen(() -> engine().createPod(request.spec(), grantor, request.start())))
                .recover(PodRoutes::refusedSpec)
                .compose(id -> api.blocking(() -> engine().pod(id)))
                .onSuccess(p -> {
                    ctx.response().putHeader("Location", "/v1/pods/" + p.podId());
                    ApiContext.json(ctx, 201, view(p));
                })
                .onFailure(ctx::fail);
    }

    /**
     * An image named by ID or name must be in the store before a pod is made of it (as {@code rkj
     * run}): a typo is one 4xx and leaves no aborted pod behind.
     */
    private void refuseAnImageNotInTheStore(String ref) throws Exception {
        if (dev.rkj.engine.host.StoreImages.isFileReference(ref)) {
            refuseAFileThatIsNoAci(ref);
            return;
        }
        try {
            api.images().resolve(ref);
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField("image", e.getMessage());
        } catch (dev.rkj.engine.store.ImageNotFoundException e) {
            throw new Problem(404, "no-such-image", "Not found", e.getMessage() + ": fetch it first (POST /v1/images)",
                    "image");
        }
    }

    /**
     * A file whose first bytes are no tar nor a compression an ACI may use (a config file, a
     * device) is refused before a pod is made of it; its fetch would only abort that pod. Read on a
     * worker: the path is the client's.
     */
    private static void refuseAFileThatIsNoAci(String ref) {
        byte[] head;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(ref))) {
            head = in.readNBytes(dev.rkj.engine.image.Compression.magicPeek());
        } catch (java.io.IOException | RuntimeException e) {
            throw Problem.invalidField("image", "image file " + ref + " cannot be read (" + e.getMessage() + ")");
        }
        dev.rkj.engine.image.Compression.notAnAci(head).ifPresent(why -> {
            throw Problem.invalidField("image", "image file " + ref + " is not an ACI: " + why
                    + " (rkj image build DIR IMAGE.aci makes one)");
        });
    }

    /** The engine's last checks of a spec (limits this host cannot enforce) are the client's to fix. */
    private static <T> Future<T> refusedSpec(Throwable t) {
        if (t instanceof IllegalArgumentException) {
            return Future.failedFuture(Problem.invalidField(PodRequest.fieldNamedIn(t.getMessage()), t.getMessage()));
        }
        return Future.failedFuture(t);
    }

    private void list(RoutingContext ctx) {
        String state = ApiContext.query(ctx, "state");
        String image = ApiContext.query(ctx, "image");
        String app = ApiContext.query(ctx, "app");
        Predicate<PodState> selected = p -> true;
        if (state != null) {
            PodStatus status;
            try {
                status = PodStatus.fromDisplayName(state);
            } catch (IllegalArgumentException e) {
                throw Problem.invalidField("state", e.getMessage());
            }
            selected = selected.and(p -> p.status() == status);
        }
        if (image != null) {
            selected = selected.and(p -> p.images().stream()
                    .anyMatch(i -> i.id().startsWith(image) || i.name().equals(image)));
        }
        if (app != null) {
            selected = selected.and(p -> p.apps().containsKey(app));
        }
        Predicate<PodState> filter = selected;
        api.blocking(() -> {
            long index = engine().projection().nextIndex();
            ObjectNode body = Json.mapper().createObjectNode();
            body.put("index", index);
            ArrayNode pods = body.putArray("pods");
            for (PodState p : engine().list()) {
                if (filter.test(p)) {
                    pods.add(view(p));
                }
            }
            return body;
        }).onSuccess(body -> ApiContext.json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        String id = ApiContext.path(ctx, "id");
        api.blocking(() -> {
            long index = engine().projection().nextIndex();
            PodState p = engine().pod(id);
            if (p.status() == PodStatus.DELETED) {
                throw Problem.notFound("no-such-pod", "pod " + p.podId() + " was removed (its history stays in the"
                        + " journal: GET /v1/journal?aggregate=" + p.podId() + ")");
            }
            return view(p).put("index", index);
        }).onSuccess(body -> ApiContext.json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private void start(RoutingContext ctx) {
        String id = ApiContext.path(ctx, "id");
        api.blockingThen(() -> engine().runPrepared(id, Caller.of(ctx).grantor()))
                .onSuccess(p -> ApiContext.json(ctx, 200, view(p)))
                .onFailure(ctx::fail);
    }

    /** SIGTERM, then SIGKILL once the timeout has passed with the pod still running (as {@code rkj stop}). */
    private void stop(RoutingContext ctx) {
        JsonObject body = ApiContext.body(ctx);
        Duration grace = duration("timeout", body.getString("timeout", "10s"));
        boolean kill = body.getBoolean("force", false) || grace.isZero();
        String id = ApiContext.path(ctx, "id");
        Grantor grantor = Caller.of(ctx).grantor();
        api.blockingThen(() -> engine().stop(id, kill, grantor))
                .compose(p -> kill ? settled(p.podId(), PROMPT)
                        : settled(p.podId(), grace).recover(t -> t instanceof TimeoutException
                                ? api.blockingThen(() -> engine().stop(p.podId(), true, grantor))
                                        .compose(q -> settled(q.podId(), PROMPT))
                                : Future.failedFuture(t)))
                .onSuccess(p -> ApiContext.json(ctx, 200, view(p)))
                .onFailure(ctx::fail);
    }

    private Future<PodState> settled(String podId, Duration limit) {
        return engine().awaitStatus(podId, s -> s.status().isFinished(), limit);
    }

    private void remove(RoutingContext ctx) {
        String id = ApiContext.path(ctx, "id");
        api.blockingThen(() -> engine().remove(engine().pod(id).podId(), Caller.of(ctx).grantor()))
                .onSuccess(v -> ApiContext.noContent(ctx))
                .onFailure(ctx::fail);
    }

    private void gc(RoutingContext ctx) {
        JsonObject body = ApiContext.body(ctx);
        Duration grace = duration("gracePeriod", body.getString("gracePeriod", "30m"));
        Duration expire = duration("expirePrepared", body.getString("expirePrepared", "24h"));
        boolean markOnly = body.getBoolean("markOnly", false);
        api.blockingThen(() -> engine().gc(grace, expire, markOnly, Caller.of(ctx).grantor()))
                .onSuccess(report -> ApiContext.json(ctx, 200, gcView(report)))
                .onFailure(ctx::fail);
    }

    private static ObjectNode gcView(GcReport report) {
        ObjectNode n = Json.mapper().createObjectNode();
        ArrayNode marked = n.putArray("marked");
        report.marked().forEach(marked::add);
        ArrayNode deleted = n.putArray("deleted");
        report.deleted().forEach(deleted::add);
        ObjectNode failed = n.putObject("failed");
        report.failed().forEach(failed::put);
        return n;
    }

    /** As {@code rkj status --format=json}, plus why it failed or was lost, which a client cannot see otherwise. */
    private static ObjectNode view(PodState p) {
        ObjectNode n = JsonViews.pod(p);
        if (p.failure() != null) {
            n.putObject("failure").put("stage", p.failure().stage().name().toLowerCase(java.util.Locale.ROOT))
                    .put("reason", p.failure().reason()).put("retryable", p.failure().retryable());
        }
        if (p.lostReason() != null) {
            n.put("lost", p.lostReason());
        }
        return n;
    }

    static Duration duration(String field, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(field, field + ": " + e.getMessage());
        }
    }

}
