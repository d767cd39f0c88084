package dev.rkj.api.http;

import dev.rkj.engine.Grantor;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.fetch.FetchException;
import dev.rkj.engine.fetch.FetchesInFlight;
import dev.rkj.engine.fetch.PullPolicy;
import dev.rkj.engine.fetch.RemoteImages;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.store.GcResult;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.eventlog.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /v1/images}: the image store, as {@code rkj fetch} and {@code rkj image ...} use it. */
final class ImageRoutes {
    private final ApiContext api;

    ImageRoutes(ApiContext api) {
        this.api = api;
    }

    void mount(RouterBuilder builder) {
        builder.getRoute("fetchImage").addHandler(this::fetch);
        builder.getRoute("listFetches").addHandler(this::fetches);
        builder.getRoute("listImages").addHandler(this::list);
        builder.getRoute("getImage").addHandler(this::get);
        builder.getRoute("getImageManifest").addHandler(this::manifest);
        builder.getRoute("removeImage").addHandler(this::remove);
        builder.getRoute("gcImages").addHandler(this::gc);
    }

    /**
     * Stores a local ACI file, as {@code rkj fetch FILE}: only if its signature is a trusted key's
     * (422 {@code unverified-image} otherwise, nothing stored), unless the caller skips that check
     * explicitly ({@code insecureOptions: ["image"]}), as on the CLI.
     */
    private void fetch(RoutingContext ctx) {
        JsonObject body = ApiContext.body(ctx);
        String text = body.getString("path");
        Set<PodSpec.InsecureOption> insecure;
        try {
            List<String> words = new ArrayList<>();
            body.getJsonArray("insecureOptions", new JsonArray().add("none")).forEach(w -> words.add((String) w));
            insecure = PodSpec.InsecureOption.parseList(String.join(",", words));
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField("insecureOptions", e.getMessage());
        }
        String image = body.getString("image");
        if ((text == null) == (image == null)) {
            throw Problem.invalidField("path", "give either path (an ACI file on the daemon's host) or image (a URL or"
                    + " an image name), not both or neither");
        }
        if (image != null) {
            fetchRemote(ctx, image, body.getString("pullPolicy", "new"), insecure);
            return;
        }
        if (text.contains("://")) {
            throw Problem.invalidField("path", "cannot fetch " + text + ": path is a file on the daemon's host;"
                    + " give a URL as image");
        }
        Path file = Path.of(text);
        if (!file.isAbsolute() || file.normalize() != null && !file.normalize().equals(file)) {
            throw Problem.invalidField("path", "path " + text + " is not absolute and normal: give the ACI file's"
                    + " full path on the daemon's host, e.g. /srv/images/app.aci");
        }
        dev.rkj.engine.store.SignaturePolicy policy = dev.rkj.engine.store.SignaturePolicy.of(
                insecure.contains(PodSpec.InsecureOption.IMAGE), api.trust());
        Grantor asker = Caller.of(ctx).grantor();
        api.blocking(() -> {
            if (!Files.isRegularFile(file)) {
                throw Problem.invalidField("path", "cannot fetch " + text + ": no such file on the daemon's host");
            }
            return api.images().fetch(file, asker, policy);
        }).onSuccess(stored -> {
            ctx.response().putHeader("Location", "/v1/images/" + stored.id());
            ApiContext.json(ctx, 201, JsonViews.image(stored));
        }).onFailure(ctx::fail);
    }

    /** A URL or a name, downloaded per the pull policy; its progress shows in {@code GET /v1/fetches}. */
    private void fetchRemote(RoutingContext ctx, String image, String policyWord, Set<PodSpec.InsecureOption> insecure) {
        PullPolicy policy = PullPolicy.parse(policyWord); // the document allows only its three words
        Grantor asker = Caller.of(ctx).grantor();
        api.blocking(() -> {
            try (RemoteImages remote = RemoteImages.open(api.images())) {
                return remote.fetch(image, new RemoteImages.Options(policy, insecure.contains(PodSpec.InsecureOption.HTTP),
                        insecure.contains(PodSpec.InsecureOption.TLS), asker, FetchesInFlight.PROCESS,
                        dev.rkj.engine.store.SignaturePolicy.of(insecure.contains(PodSpec.InsecureOption.IMAGE),
                                api.trust()))).image();
            } catch (FetchException e) {
                throw e.isTransient() ? new Problem(502, "fetch-failed", "Fetch failed", e.getMessage(), "image")
                        : Problem.invalidField("image", e.getMessage());
            } catch (IllegalArgumentException e) {
                throw Problem.invalidField("image", e.getMessage());
            }
        }).onSuccess(stored -> {
            ctx.response().putHeader("Location", "/v1/images/" + stored.id());
            ApiContext.json(ctx, 201, JsonViews.image(stored));
        }).onFailure(ctx::fail);
    }

    private void fetches(RoutingContext ctx) {
        ApiContext.json(ctx, 200, Json.mapper().valueToTree(FetchesInFlight.PROCESS.list()));
    }

    private void list(RoutingContext ctx) {
        api.blocking(() -> {
            ArrayNode list = Json.mapper().createArrayNode();
            for (ImageRecord image : api.images().list()) {
                list.add(JsonViews.image(image));
            }
            return list;
        }).onSuccess(list -> ApiContext.json(ctx, 200, list)).onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        String id = ApiContext.path(ctx, "id");
        api.blocking(() -> JsonViews.image(api.images().resolve(id)))
                .onSuccess(image -> ApiContext.json(ctx, 200, image)).onFailure(ctx::fail);
    }

    private void manifest(RoutingContext ctx) {
        String id = ApiContext.path(ctx, "id");
        api.blocking(() -> JsonViews.tree(api.images().resolve(id).manifestJson()))
                .onSuccess(m -> ApiContext.json(ctx, 200, m)).onFailure(ctx::fail);
    }

    private void remove(RoutingContext ctx) {
        String id = ApiContext.path(ctx, "id");
        Grantor asker = Caller.of(ctx).grantor();
        api.blocking(() -> {
            api.images().remove(api.images().resolve(id).id(), asker);
            return null;
        }).onSuccess(v -> ApiContext.noContent(ctx)).onFailure(ctx::fail);
    }

    private void gc(RoutingContext ctx) {
        api.blocking(() -> api.images().gc()).onSuccess(result -> ApiContext.json(ctx, 200, gcView(result)))
                .onFailure(ctx::fail);
    }

    private static ObjectNode gcView(GcResult result) {
        ObjectNode n = Json.mapper().createObjectNode();
        ArrayNode trees = n.putArray("trees");
        result.trees().forEach(id -> trees.add(id.toString()));
        ArrayNode blobs = n.putArray("blobs");
        result.blobs().forEach(id -> blobs.add(id.toString()));
        ArrayNode temps = n.putArray("temps");
        result.temps().forEach(p -> temps.add(p.toString()));
        return n;
    }
}
