package dev.rkj.api.http;

import io.vertx.core.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** Malformed requests for the daemon's fuzz test: never a valid pod creation, never a valid image reference. */
final class Fuzz {
    record Request(HttpMethod method, String uri, String body, String contentType) {
        @Override
        public String toString() {
            String shown = body == null ? "" : body.length() > 200 ? body.substring(0, 200) + "...(" + body.length() + ")" : body;
            return method + " " + (uri.length() > 200 ? uri.substring(0, 200) + "..." : uri) + " [" + contentType + "] " + shown;
        }
    }

    private static final List<String> POD_FIELDS = List.of("image", "exec", "args", "env", "hostname", "net", "memory",
            "cpu", "capsRetain", "capsRemove", "pidsLimit", "insecureOptions", "start", "timeout", "force", "path");
    private static final List<String> ROUTES = List.of("/v1/pods", "/v1/pods/gc", "/v1/pods/%s", "/v1/pods/%s/start",
            "/v1/pods/%s/stop", "/v1/images", "/v1/images/gc", "/v1/images/%s", "/v1/images/%s/manifest", "/v1/journal",
            "/v1/journal/verify", "/v1/openapi.json", "/v1/%s", "/%s", "/v1/pods/%s/../../images", "/v1/pods/%2e%2e/%s");
    private static final List<HttpMethod> METHODS = List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
            HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS, HttpMethod.HEAD);
    private static final List<String> TYPES = List.of("application/json", "application/json", "application/json",
            "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml");

    private Fuzz() {}

    static Request request(Random r) {
        return switch (r.nextInt(6)) {
            case 0, 1 -> new Request(HttpMethod.POST, "/v1/pods", podBody(r), "application/json");
            case 2 -> new Request(HttpMethod.POST, r.nextBoolean() ? "/v1/pods" : "/v1/images",
                    r.nextInt(4) == 0 ? huge(r) : json(r, 3), TYPES.get(r.nextInt(TYPES.size())));
            case 3 -> new Request(HttpMethod.GET, "/v1/journal?" + junkQuery(r), null, null);
            case 4 -> new Request(HttpMethod.GET, "/v1/pods?" + junkQuery(r), null, null);
            default -> {
                HttpMethod m = METHODS.get(r.nextInt(METHODS.size()));
                String route = ROUTES.get(r.nextInt(ROUTES.size())).replace("%s", badId(r));
                boolean body = m != HttpMethod.GET && m != HttpMethod.HEAD && r.nextBoolean();
                yield new Request(m, route, body ? json(r, 2) : null, body ? TYPES.get(r.nextInt(TYPES.size())) : null);
            }
        };
    }

    /** A POST /v1/pods body that is wrong somewhere: a field of the wrong type, or an image that does not exist. */
    private static String podBody(Random r) {
        StringBuilder b = new StringBuilder("{");
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            String field = r.nextInt(5) == 0 ? junk(r, 8) : POD_FIELDS.get(r.nextInt(POD_FIELDS.size()));
            b.append(i == 0 ? "" : ",").append(quote(field)).append(':').append(json(r, 2));
        }
        if (r.nextBoolean()) {
            b.append(n == 0 ? "" : ",").append("\"image\":").append(r.nextBoolean() ? quote("fuzz/" + junk(r, 12))
                    : json(r, 1));
        }
        return b.append('}').toString();
    }

    static String json(Random r, int depth) {
        int kind = r.nextInt(depth <= 0 ? 6 : 9);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> Boolean.toString(r.nextBoolean());
            case 2 -> Long.toString(r.nextLong());
            case 3 -> Double.toString(r.nextDouble() * 1e300);
            case 4 -> quote("fuzz-" + junk(r, r.nextInt(40)));
            case 5 -> r.nextBoolean() ? "{" : "[1,,2]";
            case 6 -> {
                StringBuilder b = new StringBuilder("[");
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    b.append(i == 0 ? "" : ",").append(json(r, depth - 1));
                }
                yield b.append(']').toString();
            }
            default -> {
                StringBuilder b = new StringBuilder("{");
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    b.append(i == 0 ? "" : ",").append(quote(junk(r, 6))).append(':').append(json(r, depth - 1));
                }
                yield b.append('}').toString();
            }
        };
    }

    private static String huge(Random r) {
        return "{\"image\":\"" + "x".repeat((int) ApiServer.BODY_LIMIT + r.nextInt(1000)) + "\"}";
    }

    private static String junkQuery(Random r) {
        List<String> names = List.of("from", "to", "limit", "aggregate", "type", "state", "image", "app", junk(r, 5));
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            String value = switch (r.nextInt(5)) {
                case 0 -> Long.toString(-1 - r.nextInt(1000));
                case 1 -> "9".repeat(1 + r.nextInt(30));
                case 2 -> "";
                default -> junk(r, 1 + r.nextInt(20));
            };
            b.append(i == 0 ? "" : "&").append(names.get(r.nextInt(names.size()))).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    /** An id that names nothing: too long, wrong alphabet, encoded slashes and dots, or a UUID no pod has. */
    private static String badId(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> "ffffffff-ffff-4fff-8fff-" + "f".repeat(12);
            case 1 -> "0".repeat(37 + r.nextInt(5000));
            case 2 -> "%2e%2e%2f%2e%2e%2fetc%2fpasswd";
            case 3 -> "sha512-" + "z".repeat(1 + r.nextInt(200));
            case 4 -> "%00" + junk(r, 4);
            default -> URLEncoder.encode(junk(r, 1 + r.nextInt(30)), StandardCharsets.UTF_8);
        };
    }

    /** Random characters, control and non-ASCII ones included, never starting an image id. */
    static String junk(Random r, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int c = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(32);
                case 1 -> 0x80 + r.nextInt(0x700);
                default -> 'a' + r.nextInt(26);
            };
            b.append((char) c);
        }
        return "q" + b;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
