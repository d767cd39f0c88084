package dev.rkj.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.read.EventFeed;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * The JSON shapes of pods, images and journal events: one owner for what {@code rkj ...
 * --format=json} prints and what the API answers, so the two never drift apart. Times are ISO 8601
 * in UTC.
 */
public final class JsonViews {
    private static final DateTimeFormatter FULL_TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);

    private JsonViews() {}

    /** A pod as {@code rkj list --format=json} and {@code rkj status --format=json} show it. */
    public static ObjectNode pod(PodState p) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("name", p.podId());
        n.put("state", p.status().displayName());
        ArrayNode apps = n.putArray("app_names");
        p.apps().keySet().forEach(apps::add);
        if (p.image() != null) {
            n.put("image_id", p.image().id());
            n.put("image_name", p.image().name());
        }
        ArrayNode each = n.putArray("apps");
        for (PodState.AppView app : p.appViews()) {
            ObjectNode a = each.addObject();
            a.put("name", app.name());
            a.put("image", app.imageRef());
            if (app.image() != null) {
                a.put("image_id", app.image().id());
                a.put("image_name", app.image().name());
            }
            a.put("state", app.state());
            if (app.status() != null && app.status().hasExited()) {
                a.put("exit_code", app.status().exitCode());
                if (app.status().signal() != null) {
                    a.put("signal", app.status().signal());
                }
            }
        }
        p.createdAt().ifPresent(t -> n.put("created_at", t.toString()));
        p.startedAt().ifPresent(t -> n.put("started_at", t.toString()));
        if (p.exitCode() != null) {
            n.put("exit_code", p.exitCode());
        }
        if (!p.isolators().isEmpty()) {
            ArrayNode isolators = n.putArray("isolators");
            p.isolators().forEach(i -> {
                ObjectNode o = isolators.addObject();
                if (i.app() != null) {
                    o.put("app", i.app());
                }
                o.put("name", i.name());
                o.put("outcome", i.outcome().name().toLowerCase(java.util.Locale.ROOT));
                o.put("reason", i.reason());
            });
        }
        if (!p.warnings().isEmpty()) {
            p.warnings().forEach(n.putArray("warnings")::add);
        }
        if (!p.networks().isEmpty()) {
            ArrayNode networks = n.putArray("networks");
            p.networks().forEach(net -> {
                ObjectNode o = networks.addObject();
                o.put("name", net.network());
                o.put("ifName", net.ifName());
                net.ips().forEach(o.putArray("ips")::add);
            });
        }
        return n;
    }

    /** An image as {@code rkj image list --format=json} shows it. */
    public static ObjectNode image(ImageRecord image) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", image.id().toString());
        node.put("name", image.name());
        ObjectNode labels = node.putObject("labels");
        image.labels().asMap().forEach(labels::put);
        node.put("size", image.blobSize());
        node.put("compression", image.compression().wireName());
        node.put("import_time", FULL_TIME.format(image.importTime()));
        node.put("source", image.source());
        node.put("rendered", image.treeId().isPresent());
        image.origin().ifPresent(origin -> node.set("origin", Json.mapper().valueToTree(origin)));
        ObjectNode leftOut = node.putObject("left_out");
        leftOut.put("count", image.leftOut().count());
        image.leftOut().paths().forEach(leftOut.putArray("paths")::add);
        return node;
    }

    /** A journal event, the envelope as stored (as {@code rkj journal show --json}). */
    public static ObjectNode envelope(Envelope e) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("index", e.index());
        n.put("time", e.time().toString());
        n.put("aggregate", e.aggregateId());
        n.put("type", e.type().toString());
        n.set("payload", tree(e.payloadJson()));
        n.put("previousHash", HexFormat.of().formatHex(e.previousHash()));
        n.put("hash", HexFormat.of().formatHex(e.hash()));
        return n;
    }

    /**
     * An event of the event feed ({@code rkj events --format=json}, the API's event stream): the
     * envelope, and the state its pod or image was left in ({@code pod}, {@code image}; an image's
     * is absent once removed).
     */
    public static ObjectNode event(EventFeed.Item item) {
        ObjectNode n = envelope(item.envelope());
        item.pod().ifPresent(p -> n.set("pod", pod(p)));
        item.image().ifPresent(i -> n.set("image", image(i)));
        return n;
    }

    static JsonNode tree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
