package dev.rkj.api.http;

import dev.rkj.engine.EngineException;
import dev.rkj.engine.appc.ManifestException;
import dev.rkj.engine.image.ImageArchiveException;
import dev.rkj.engine.pod.AmbiguousPodIdException;
import dev.rkj.engine.pod.IllegalPodTransition;
import dev.rkj.engine.pod.NoSuchPodException;
import dev.rkj.engine.stage.StageException;
import dev.rkj.engine.store.AmbiguousImageException;
import dev.rkj.engine.store.ImageNotFoundException;
import dev.rkj.engine.store.ImageStoreException;
import dev.rkj.engine.store.InvalidImageException;
import dev.rkj.eventlog.JournalException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP statuses: domain exceptions and validation failures
 * map to 4xx with a stable code; what is left is a 500 that names no Java class (the daemon's log
 * has the stack trace).
 */
final class Problems {
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    static final String MEDIA_TYPE = "application/problem+json";
    private static final Pattern PARAMETER = Pattern.compile("(path|query|header|cookie) parameter (\\S+?)[ .:]");

    private Problems() {}

    /** The router's failure handler: every failed request ends here. */
    static void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure != null && !(failure instanceof Problem) && !(failure instanceof HttpException)
                && !ctx.request().isEnded() && isFromTheHttpDecoder(failure)) {
            // the body could not be decoded (bad chunk framing) before any route saw it: the client's to fix
            LOG.debug("the request's body could not be decoded: {}", failure.toString());
            send(ctx, Problem.invalidField("body", "the body cannot be decoded (" + failure.getMessage()
                    + "): send it with a Content-Length, or in well-formed chunks"));
            return;
        }
        send(ctx, of(failure, ctx.statusCode()));
    }

    /** A failure raised by Netty's HTTP decoder while it read the request (its frames name the codec). */
    private static boolean isFromTheHttpDecoder(Throwable failure) {
        for (StackTraceElement frame : failure.getStackTrace()) {
            if (frame.getClassName().startsWith("io.netty.handler.codec.http.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the server answers to a request whose head it could not decode (a bad request line or
     * header, one too long), before any route: a problem, and the connection closed (what follows
     * on it cannot be trusted).
     */
    static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        Problem problem;
        if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
            problem = new Problem(414, "uri-too-long", "URI too long", "the request line is longer than the API accepts"
                    + " (8192 bytes)", "uri");
        } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
            problem = new Problem(431, "headers-too-large", "Request header fields too large",
                    "the headers are larger than the API accepts (16384 bytes)", "headers");
        } else {
            LOG.debug("invalid request: {}", String.valueOf(cause));
            problem = Problem.badRequest("bad-request", "the request cannot be read"
                    + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(problem.status()).putHeader("Content-Type", MEDIA_TYPE).putHeader("Connection", "close")
                .end(problem.toJson(null).toString()).onComplete(v -> request.connection().close());
    }

    static void send(RoutingContext ctx, Problem problem) {
        HttpServerResponse response = ctx.response();
        if (response.ended()) {
            return;
        }
        if (response.headWritten()) {
            response.reset();
            return;
        }
        response.setStatusCode(problem.status()).putHeader("Content-Type", MEDIA_TYPE);
        if (problem.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"rkj\"");
        }
        if (!ctx.request().isEnded() && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            // HTTP/1.x answered before the body was read (too large, unauthorized, undecodable): what is
            // left of it would be taken for the next request, or leave the connection waiting, so close
            // it (an HTTP/2 stream is on its own and must carry no Connection header)
            response.putHeader("Connection", "close");
            response.end(problem.toJson(ctx.request().path()).toString())
                    .onComplete(v -> ctx.request().connection().close());
            return;
        }
        response.end(problem.toJson(ctx.request().path()).toString());
    }

    /** What {@code failure} (or, with none, the status a handler failed with) means to a client. */
    static Problem of(Throwable failure, int status) {
        if (failure == null) {
            LOG.debug("request failed with status {} and no cause", status);
            return ofStatus(status);
        }
        LOG.debug("request failed with status {}: {}", status, failure.toString());
        Throwable t = failure;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof Problem p) {
            return p;
        }
        if (t instanceof SchemaValidationException e) {
            return invalid(e);
        }
        if (t instanceof ValidatorException e) {
            String parameter = parameterOf(e.getMessage());
            if (parameter == null && e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT) {
                return new Problem(415, "unsupported-media-type", "Unsupported media type",
                        "send the body as JSON, with Content-Type: application/json", "body");
            }
            return Problem.invalidField(parameter == null ? "body" : parameter, e.getMessage());
        }
        if (t instanceof HttpException e) {
            if (e.getCause() == null) {
                return ofStatus(e.getStatusCode());
            }
            Problem cause = of(e.getCause(), e.getStatusCode());
            if (cause.status() >= 500 && e.getStatusCode() < 500) {
                // Vert.x Web refused the request (a query it cannot decode): the refusal is the answer
                return Problem.badRequest("bad-request", "the request cannot be read: " + e.getPayload()
                        + (e.getCause().getMessage() == null ? "" : " (" + e.getCause().getMessage() + ")"));
            }
            return cause;
        }
        if (t instanceof io.vertx.core.http.HttpClosedException) {
            LOG.debug("the client closed the connection before the request was complete");
            return Problem.badRequest("incomplete-request", "the connection was closed before the request was complete");
        }
        if (t instanceof io.netty.handler.codec.DecoderException) {
            // a form or multipart body Vert.x Web could not decode, before any route looked at it
            return Problem.invalidField("body", "the body cannot be decoded: send JSON, with Content-Type: application/json");
        }
        if (t instanceof NoSuchPodException) {
            return Problem.notFound("no-such-pod", t.getMessage());
        }
        if (t instanceof AmbiguousPodIdException || t instanceof AmbiguousImageException) {
            return new Problem(400, "ambiguous-id", "Ambiguous id", t.getMessage() + ": give more of the id", "id");
        }
        if (t instanceof ImageNotFoundException) {
            return Problem.notFound("no-such-image", t.getMessage());
        }
        if (t instanceof IllegalPodTransition) {
            return Problem.conflict("illegal-transition", t.getMessage());
        }
        if (t instanceof dev.rkj.engine.store.UnverifiedImageException) {
            return new Problem(422, "unverified-image", "Unverified image", t.getMessage(), null);
        }
        if (t instanceof InvalidImageException || t instanceof ImageArchiveException || t instanceof ManifestException) {
            return new Problem(422, "invalid-image", "Invalid image", t.getMessage(), null);
        }
        if (t instanceof StageException) {
            return new Problem(409, "pod-failed", "Pod failed", t.getMessage(), null);
        }
        if (t instanceof TimeoutException) {
            return new Problem(504, "timeout", "Timed out", t.getMessage(), null);
        }
        if (t instanceof IllegalStateException && t.getMessage() != null && t.getMessage().startsWith("pod ")) {
            return Problem.conflict("pod-state", t.getMessage());
        }
        if (t instanceof JournalException || t instanceof ImageStoreException || t instanceof EngineException) {
            LOG.warn("request failed: {}", t.toString());
            return new Problem(500, "engine-error", "Engine error", t.getMessage(), null);
        }
        if (t instanceof io.netty.handler.codec.http.websocketx.WebSocketServerHandshakeException) {
            return Problem.badRequest("bad-websocket-handshake", "the WebSocket handshake is refused: " + t.getMessage());
        }
        if (status >= 400 && status < 500) { // Vert.x Web refused the request itself (no Host header, say)
            LOG.debug("request refused with {}: {}", status, t.toString());
            return new Problem(status, "bad-request", "Bad request", "the request is refused"
                    + (t.getMessage() == null ? "" : ": " + t.getMessage()), null);
        }
        LOG.error("request failed with an unexpected error", t);
        return new Problem(500, "internal", "Internal error", "internal error: see the daemon's log", null);
    }

    private static Problem ofStatus(int status) {
        return switch (status) {
            case 401 -> new Problem(401, "unauthorized", "Unauthorized",
                    "give the token: Authorization: Bearer <the contents of the daemon's --token-file>", null);
            case 404 -> Problem.notFound("no-such-route", "no such resource: see /v1/openapi.json");
            case 405 -> new Problem(405, "method-not-allowed", "Method not allowed", "see /v1/openapi.json", null);
            case 413 -> new Problem(413, "too-large", "Request too large", "the body is larger than the API accepts", null);
            case 415 -> new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "send the body as application/json", null);
            default -> status >= 400 && status < 500
                    ? new Problem(status, "bad-request", "Bad request", "the request was refused", null)
                    : new Problem(500, "internal", "Internal error", "internal error: see the daemon's log", null);
        };
    }

    /** A body that does not fit its schema: the field is the deepest instance location that failed. */
    private static Problem invalid(SchemaValidationException e) {
        OutputUnit unit = e.getOutputUnit();
        OutputUnit deepest = deepest(unit);
        String location = deepest == null ? null : deepest.getInstanceLocation();
        String error = deepest == null || deepest.getError() == null ? e.getMessage() : deepest.getError();
        String field = field(location);
        if (field == null) {
            field = parameterOf(e.getMessage());
        }
        if (field == null && error != null) {
            Matcher m = Pattern.compile("[Pp]roperty \"?'?([A-Za-z0-9_]+)").matcher(error);
            if (m.find()) {
                field = m.group(1);
            }
        }
        field = field == null ? "body" : field;
        return Problem.invalidField(field, field + ": " + error);
    }

    private static OutputUnit deepest(OutputUnit unit) {
        if (unit == null) {
            return null;
        }
        OutputUnit best = unit.getError() != null ? unit : null;
        if (unit.getErrors() != null) {
            for (OutputUnit child : unit.getErrors()) {
                OutputUnit d = deepest(child);
                if (d != null && (best == null || depth(d) > depth(best)
                        || depth(d) == depth(best) && keywordDepth(d) > keywordDepth(best))) {
                    best = d;
                }
            }
        }
        return best;
    }

    private static int keywordDepth(OutputUnit u) {
        String l = u.getKeywordLocation();
        return l == null ? -1 : l.length();
    }

    private static int depth(OutputUnit u) {
        String l = u.getInstanceLocation();
        return l == null ? -1 : l.length();
    }

    /** {@code #/env/A} or {@code /env/A} as a dotted field name, {@code env.A}; the root is none. */
    static String field(String instanceLocation) {
        if (instanceLocation == null) {
            return null;
        }
        String l = instanceLocation.startsWith("#") ? instanceLocation.substring(1) : instanceLocation;
        while (l.startsWith("/")) {
            l = l.substring(1);
        }
        return l.isEmpty() ? null : l.replace('/', '.');
    }

    private static String parameterOf(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = PARAMETER.matcher(message + " ");
        return m.find() ? m.group(2) : null;
    }
}
