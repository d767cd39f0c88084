package dev.rkj.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.eventlog.Json;

/**
 * An error the API answers with, as {@code application/problem+json} (RFC 9457) plus a stable
 * {@code code} a client can switch on and the {@code field} at fault. Thrown by handlers; turned
 * into a response by {@link Problems} alone.
 */
public final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String title;
    private final String field;
    private final Long oldestIndex;

    public Problem(int status, String code, String title, String detail, String field) {
        this(status, code, title, detail, field, null);
    }

    private Problem(int status, String code, String title, String detail, String field, Long oldestIndex) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.field = field;
        this.oldestIndex = oldestIndex;
    }

    /** 410: what {@code field} points at was pruned from the journal; the body's {@code oldestIndex} is what is kept. */
    public static Problem gone(String code, String detail, String field, long oldestIndex) {
        return new Problem(410, code, "Gone", detail, field, oldestIndex);
    }

    /** 400: the request's {@code field} is not acceptable; {@code detail} says what is. */
    public static Problem invalidField(String field, String detail) {
        return new Problem(400, "invalid-field", "Invalid field", detail, field);
    }

    public static Problem badRequest(String code, String detail) {
        return new Problem(400, code, "Bad request", detail, null);
    }

    public static Problem notFound(String code, String detail) {
        return new Problem(404, code, "Not found", detail, null);
    }

    public static Problem conflict(String code, String detail) {
        return new Problem(409, code, "Conflict", detail, null);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }

    /** For a 410 of a pruned cursor: the oldest journal index still kept; else null. */
    public Long oldestIndex() {
        return oldestIndex;
    }

    public String detail() {
        return getMessage();
    }

    /** The body: {type, title, status, detail, code, field, instance}. */
    public ObjectNode toJson(String instance) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", "urn:rkj:problem:" + code);
        n.put("title", title);
        n.put("status", status);
        if (getMessage() != null) {
            n.put("detail", getMessage());
        }
        n.put("code", code);
        if (field != null) {
            n.put("field", field);
        }
        if (instance != null) {
            n.put("instance", instance);
        }
        if (oldestIndex != null) {
            n.put("oldestIndex", oldestIndex);
        }
        return n;
    }
}
